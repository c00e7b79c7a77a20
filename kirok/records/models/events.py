from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kirok.records.fields import TermField, TermsField, UncertainDateField

from .base import Record
from .places import Located


class Event(Located):
    """ESF Event (01): an incident with a beginning and an end, made of one or more acts."""

    record_type = "event"

    title = models.CharField(_("title"), max_length=400)
    language = models.CharField(_("language"), max_length=8, blank=True)
    start_date = UncertainDateField(_("initial date"))
    end_date = UncertainDateField(_("final date"))
    places = models.ManyToManyField("records.Place", verbose_name=_("places"), blank=True, related_name="events")
    description = models.TextField(_("description"), blank=True)
    impact = models.TextField(_("impact of event"), blank=True)
    latitude = models.DecimalField(_("latitude (0.01°)"), max_digits=5, decimal_places=2, null=True, blank=True)
    longitude = models.DecimalField(_("longitude (0.01°)"), max_digits=5, decimal_places=2, null=True, blank=True)
    violation_status = TermField("violation_status", verbose_name=_("violation status"))
    violation_categories = TermsField("coi_violation_categories", verbose_name=_("violation categories (COI)"))
    confidential = models.BooleanField(_("confidential"), default=True)
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title


class Act(Located):
    """ESF Act (21): one violation against one victim (a person or a counted group)."""

    record_type = "act"

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="acts")
    victim = models.ForeignKey("records.Person", verbose_name=_("victim"), on_delete=models.PROTECT, null=True, blank=True, related_name="acts_suffered")
    act_type = TermField("act_types", verbose_name=_("type of act"), null=False, blank=False)
    start_date = UncertainDateField(_("initial date"))
    end_date = UncertainDateField(_("final date"))
    place = models.ForeignKey("records.Place", verbose_name=_("place"), on_delete=models.PROTECT, null=True, blank=True, related_name="acts")
    exact_location = models.CharField(_("exact location"), max_length=400, blank=True)
    location_type = TermField("location_types", verbose_name=_("type of location"))
    latitude = models.DecimalField(_("latitude (0.01°)"), max_digits=5, decimal_places=2, null=True, blank=True)
    longitude = models.DecimalField(_("longitude (0.01°)"), max_digits=5, decimal_places=2, null=True, blank=True)
    stated_reason = models.TextField(_("stated reason"), blank=True)
    methods = TermsField("methods_of_violence", verbose_name=_("methods of violence"))
    physical_consequences = models.TextField(_("physical consequences"), blank=True)
    psychological_consequences = models.TextField(_("psychological consequences"), blank=True)
    age_at_time = models.PositiveSmallIntegerField(_("age at time of victimisation"), null=True, blank=True)
    victim_status = TermField("victim_status", verbose_name=_("status at end of act"))
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("act")
        verbose_name_plural = _("acts")
        # "Incidents with acts of this type" (the events list's filter) reads the events from the
        # index alone; without it a common type's acts were read row by row (docs/benchmarks.md,
        # Web, 1,000,000 records).
        indexes = [models.Index(fields=["act_type", "event"], name="act_type_event", condition=models.Q(deleted_at__isnull=True))]


class Involvement(Record):
    """ESF Involvement (24): a perpetrator's part in an act; the perpetrator is a person or a unit."""

    record_type = "involvement"

    act = models.ForeignKey(Act, verbose_name=_("act"), on_delete=models.PROTECT, related_name="involvements")
    perpetrator = models.ForeignKey("records.Person", verbose_name=_("perpetrator (person)"), on_delete=models.PROTECT, null=True, blank=True, related_name="involvements")
    organization = models.ForeignKey("records.Organization", verbose_name=_("perpetrator (unit)"), on_delete=models.PROTECT, null=True, blank=True, related_name="involvements")
    degree = TermField("degrees_of_involvement", verbose_name=_("degree of involvement"))
    perpetrator_types = TermsField("perpetrator_types", verbose_name=_("type of perpetrator"))
    perpetrator_status = TermField("perpetrator_status", verbose_name=_("latest status as perpetrator"))
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("involvement")
        verbose_name_plural = _("involvements")
        constraints = [
            models.CheckConstraint(
                condition=Q(perpetrator__isnull=False) | Q(organization__isnull=False),
                name="involvement_has_perpetrator",
                violation_error_message=_("an involvement names a perpetrator person or unit"),
            )
        ]


class Information(Record):
    """ESF Information (25): what a source says about an event, an act or a person, how the
    source is connected to it, and how reliable it is. The source is ``Record.source``."""

    record_type = "information"

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.PROTECT, null=True, blank=True, related_name="information")
    act = models.ForeignKey(Act, verbose_name=_("act"), on_delete=models.PROTECT, null=True, blank=True, related_name="information")
    person = models.ForeignKey("records.Person", verbose_name=_("person"), on_delete=models.PROTECT, null=True, blank=True, related_name="information")
    connection = TermField("source_connection", verbose_name=_("source connection to information"))
    testimony_basis = TermField("testimony_basis", verbose_name=_("testimony basis"))
    reliability = TermField("reliability", verbose_name=_("reliability of information"))
    excerpt = models.TextField(_("passage"), blank=True, help_text=_("the words of the source this information rests on"))
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("information")
        verbose_name_plural = _("information")
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False) | Q(act__isnull=False) | Q(person__isnull=False),
                name="information_has_subject",
                violation_error_message=_("information is about an event, an act or a person"),
            )
        ]


class ChainOfEvents(Record):
    """ESF Chain of events (22): how one event led to or relates to another."""

    record_type = "chain_of_events"

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="chains")
    related_event = models.ForeignKey(Event, verbose_name=_("related event"), on_delete=models.PROTECT, related_name="+")
    chain_type = TermField("chain_of_events_types", verbose_name=_("type of chain of events"))
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("chain of events")
        verbose_name_plural = _("chains of events")


class Intervention(Record):
    """ESF Intervention (26): an action taken on behalf of victims (an appeal, a UN communication)."""

    record_type = "intervention"

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.PROTECT, null=True, blank=True, related_name="interventions")
    victim = models.ForeignKey("records.Person", verbose_name=_("victim"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    intervening_person = models.ForeignKey("records.Person", verbose_name=_("intervening person"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    intervening_organization = models.ForeignKey("records.Organization", verbose_name=_("intervening organization"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    intervention_types = TermsField("intervention_types", verbose_name=_("type of intervention"))
    date = UncertainDateField(_("date of intervention"))
    parties_requested = models.TextField(_("parties requested"), blank=True)
    response = TermField("intervention_responses", verbose_name=_("response"))
    impact = models.TextField(_("impact on the situation"), blank=True)
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
