"""Cases: the analysis layer that maps the record onto the law.

A **case** gathers charges (crimes of a framework), **suspects** (a person or a unit, with the
modes of liability alleged against them) and **element links**: an analyst's judgement that an
act, a source passage, an evidence item or a person's position supports, contradicts or gives
context to one legal element, with its strength, the standard of proof it reaches and a note.
**Unit parents** give the unit hierarchy over time that ``Organization.parent`` (one parent, no
dates) cannot, and **facility operators** the units that ran a facility over time, which
``Place.operator`` (one unit, no dates) cannot. All are versioned (``kirok.cases.versioning``).

A case lives in one compartment (``kirok.protection``): only members see it, and inside it each
link is shown only when the record it points to is within the reader's reach.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kirok.records.fields import UncertainDateField

from .versioning import CaseVersion, Versioned

__all__ = ["Case", "CaseVersion", "ElementLink", "FacilityOperator", "Reach", "Suspect", "UnitParent"]

TARGETS = ("act", "information", "item", "position")


class Case(Versioned):
    record_type = "case"

    key = models.SlugField(_("case key"), max_length=60, unique=True, help_text=_("short name used on the command line, e.g. camp-99"))
    title = models.CharField(_("title"), max_length=400)
    summary = models.TextField(_("summary"), blank=True)
    compartment = models.ForeignKey("protection.Compartment", verbose_name=_("compartment"), on_delete=models.PROTECT, related_name="+")
    charges = models.JSONField(_("charges"), default=list, blank=True, help_text=_("crimes as framework:item, e.g. rome-statute-cah:7(1)(e)"))

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title


class Suspect(Versioned):
    """A person or a unit under investigation in a case, with the modes of liability alleged."""

    record_type = "suspect"

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="suspects")
    person = models.ForeignKey("records.Person", verbose_name=_("person"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organization = models.ForeignKey("records.Organization", verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    modes = models.JSONField(_("modes of liability"), default=list, blank=True, help_text=_("as framework:item, e.g. rome-statute-liability:28(b)"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("suspect")
        verbose_name_plural = _("suspects")
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False) | Q(organization__isnull=False), name="suspect_is_person_or_unit",
                                   violation_error_message=_("a suspect is a person or a unit")),
        ]


class Reach(models.Model):
    """The records a link's target hangs off, as the access rule asks them (``kirok.cases.reach``):
    the sorted keys of its sources, events and persons ("event:1 person:301 source:5"), and
    whether the target is gone (tombstoned). Shared by every link with the same answer, so that
    the matrix decides access once per row of this table rather than once per linked record."""

    keys = models.TextField(_("anchors"))
    gone = models.BooleanField(_("gone"), default=False)

    class Meta:
        verbose_name = _("reach of a link")
        verbose_name_plural = _("reaches of links")
        constraints = [models.UniqueConstraint(fields=["keys", "gone"], name="case_reach_unique")]


class ElementLink(Versioned):
    """One piece of the record linked to one legal element, with the analyst's assessment."""

    record_type = "element_link"

    ASSESSMENTS = [("supports", _("supports")), ("contradicts", _("contradicts")), ("context", _("context"))]
    STRENGTHS = [("weak", _("weak")), ("moderate", _("moderate")), ("strong", _("strong"))]
    TARGETS = TARGETS
    derived_fields = frozenset({"source", "reach"})

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="links")
    suspect = models.ForeignKey(Suspect, verbose_name=_("suspect"), on_delete=models.PROTECT, null=True, blank=True, related_name="links")
    framework = models.CharField(_("framework"), max_length=100)
    element = models.CharField(_("element"), max_length=100)
    act = models.ForeignKey("records.Act", verbose_name=_("act"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    information = models.ForeignKey("records.Information", verbose_name=_("source passage"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    item = models.ForeignKey("evidence.Item", verbose_name=_("evidence item"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    position = models.ForeignKey("records.BiographicDetail", verbose_name=_("position"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The source of the record the link points to, copied here so that the matrix counts sources,
    # witnesses and source types from the link table alone (docs/cases.md, "Speed"). It says
    # nothing the analyst asserted, so it is left out of the link's versions; it is written with
    # the link and rewritten when the target's source changes (``kirok.cases.receivers``).
    source = models.ForeignKey("records.Source", verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", editable=False)
    # What the target hangs off, for the access check (``kirok.cases.reach``): derived like ``source``.
    reach = models.ForeignKey(Reach, verbose_name=_("reach"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              editable=False)
    assessment = models.CharField(_("assessment"), max_length=12, choices=ASSESSMENTS)
    strength = models.CharField(_("strength"), max_length=12, choices=STRENGTHS)
    standard = models.CharField(_("standard of proof reached"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("element link")
        verbose_name_plural = _("element links")
        indexes = [
            # Everything the matrix reads of a case's live links, in the order it groups them: its
            # one grouped query is read from this index alone, without sorting (docs/cases.md).
            models.Index(fields=["case", "framework", "element", "assessment", "strength", "standard", "source", "reach", "suspect"],
                         name="case_link_matrix", condition=Q(deleted_at__isnull=True)),
            # The anchor sets of a case's live links (``services.reachable_links`` reads their distinct values).
            models.Index(fields=["case", "reach"], name="case_link_reach", condition=Q(deleted_at__isnull=True)),
        ] + [
            # The live targets of one kind in a case, read without touching the table (the access
            # check in ``services.restricted_links`` starts from them).
            models.Index(fields=["case", target], name=f"case_link_{target}", condition=Q(deleted_at__isnull=True, **{f"{target}__isnull": False}))
            for target in TARGETS
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(act__isnull=False, information__isnull=True, item__isnull=True, position__isnull=True)
                    | Q(act__isnull=True, information__isnull=False, item__isnull=True, position__isnull=True)
                    | Q(act__isnull=True, information__isnull=True, item__isnull=False, position__isnull=True)
                    | Q(act__isnull=True, information__isnull=True, item__isnull=True, position__isnull=False)
                ),
                name="element_link_one_target",
                violation_error_message=_("a link points to exactly one act, source passage, evidence item or position"),
            ),
        ]

    @property
    def target_kind(self) -> str:
        return next(name for name in self.TARGETS if getattr(self, f"{name}_id"))

    def save(self, *args, **kwargs):
        """The target's source and reach are derived at every write, in the same changeset (a link
        with no target, or more than one, is left to the constraint ``element_link_one_target``)."""
        from . import reach

        named = [name for name in self.TARGETS if getattr(self, f"{name}_id")]
        if len(named) == 1:
            pk = getattr(self, f"{named[0]}_id")
            target = self._meta.get_field(named[0]).related_model._base_manager.filter(pk=pk)
            self.source_id = target.values_list("source_id", flat=True).first()
            found = reach.of_targets(named[0], [pk]).get(pk)
            self.reach_id = reach.ids([found])[found] if found else None
        super().save(*args, **kwargs)


class Tally(models.Model):
    """How many of a case's live links share one matrix group: element, assessment, strength,
    standard, source, reach and suspect (``kirok.cases.tallies``). Derived from the links and
    rewritten with them in the changeset that changes them, so that the matrix reads a few hundred
    rows per case instead of grouping its tens of thousands of links on every page."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="+", db_index=False)
    suspect = models.ForeignKey(Suspect, verbose_name=_("suspect"), on_delete=models.PROTECT, null=True, related_name="+", db_index=False)
    framework = models.CharField(_("framework"), max_length=100)
    element = models.CharField(_("element"), max_length=100)
    assessment = models.CharField(_("assessment"), max_length=12)
    strength = models.CharField(_("strength"), max_length=12)
    standard = models.CharField(_("standard of proof reached"), max_length=40, blank=True)
    source = models.ForeignKey("records.Source", verbose_name=_("source"), on_delete=models.PROTECT, null=True, related_name="+", db_index=False)
    reach = models.ForeignKey(Reach, verbose_name=_("reach"), on_delete=models.PROTECT, null=True, related_name="+", db_index=False)
    links = models.PositiveIntegerField(_("links"))

    class Meta:
        verbose_name = _("tally of links")
        verbose_name_plural = _("tallies of links")
        # Tallies are found by case (and suspect) alone: the foreign keys need no index of their own.
        indexes = [models.Index(fields=["case", "suspect"], name="case_tally")]


class UnitParent(Versioned):
    """Unit ``unit`` was under ``parent`` from ``start_date`` to ``end_date`` (uncertain dates)."""

    record_type = "unit_parent"

    unit = models.ForeignKey("records.Organization", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("records.Organization", verbose_name=_("parent unit"), on_delete=models.PROTECT, related_name="+")
    start_date = UncertainDateField(_("from"))
    end_date = UncertainDateField(_("until"))
    citation = models.TextField(_("sources cited"), blank=True)

    class Meta:
        verbose_name = _("unit parent over time")
        verbose_name_plural = _("unit parents over time")


class FacilityOperator(Versioned):
    """Facility ``place`` was run by unit ``unit`` from ``start_date`` to ``end_date`` (uncertain
    dates): who to ask "who commanded this camp in 2005" of, when the registry's single undated
    ``Place.operator`` names only the ministry above it, or a unit that took over later."""

    record_type = "facility_operator"

    place = models.ForeignKey("records.Place", verbose_name=_("facility"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("records.Organization", verbose_name=_("operating unit"), on_delete=models.PROTECT, related_name="+")
    start_date = UncertainDateField(_("from"))
    end_date = UncertainDateField(_("until"))
    citation = models.TextField(_("sources cited"), blank=True)

    class Meta:
        verbose_name = _("facility operator over time")
        verbose_name_plural = _("facility operators over time")
