from django.db import models
from django.utils.translation import gettext_lazy as _

from kirok.records.fields import TermField, UncertainDateField

from .base import Child, Record


class Person(Record):
    """ESF Person (format 09): an individual or a counted group, in any role.

    Roles (victim, perpetrator, witness, intervening party) are not stored here: they follow
    from the links (Act, Involvement, Information, Intervention), as ESF intends.
    """

    record_type = "person"

    counting_unit = TermField("counting_units", verbose_name=_("counting unit"))
    group_size = models.PositiveIntegerField(_("number of persons in group"), null=True, blank=True)
    group_description = models.TextField(_("group description"), blank=True)
    sex = TermField("sex", verbose_name=_("sex"))
    birth_date = UncertainDateField(_("date of birth"))
    birth_place = models.ForeignKey("records.Place", verbose_name=_("place of birth"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    origin = models.ForeignKey("records.Place", verbose_name=_("place of origin"), on_delete=models.PROTECT, null=True, blank=True, related_name="+", help_text=_("home county or last residence in North Korea"))
    occupation = models.CharField(_("occupation"), max_length=200, blank=True)
    deceased = models.BooleanField(_("deceased"), null=True, blank=True)
    death_date = UncertainDateField(_("date of death"))
    confidential = models.BooleanField(_("confidential"), default=True)
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        names = list(self.names.all()[:1])
        return (names[0].full_name if names else "") or str(self.uid)  # a protected name is sealed, its column empty


class PersonName(Child):
    """One name of a person, in one script and (for Latin script) one romanization system."""

    SCRIPTS = [("Hang", _("Hangul")), ("Hani", _("Hanja")), ("Latn", _("Latin")), ("Zyyy", _("other"))]
    ROMANIZATIONS = [
        ("", _("none")), ("rr", _("Revised Romanization")), ("mr", _("McCune–Reischauer")),
        ("dprk", _("DPRK romanization")), ("other", _("other or unknown")),
    ]

    owner_field = "person"
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    full_name = models.CharField(_("name"), max_length=200)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    script = models.CharField(_("script"), max_length=4, choices=SCRIPTS)
    romanization = models.CharField(_("romanization"), max_length=8, choices=ROMANIZATIONS, blank=True)
    name_type = TermField("name_types", verbose_name=_("name type"))

    class Meta:
        verbose_name = _("person name")
        ordering = ["id"]
        indexes = [models.Index(fields=["full_name"], name="person_name_full")]


class BiographicDetail(Record):
    """ESF Biographic details (23): a person's relation to another person or an organization
    over time: family, employment, a position and rank in a unit (the basis of chains of command)."""

    record_type = "biographic_detail"

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="biography")
    related_person = models.ForeignKey(Person, verbose_name=_("related person"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organization = models.ForeignKey("records.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    relationship = TermField("relationship_types", verbose_name=_("type of relationship"))
    start_date = UncertainDateField(_("initial date"))
    end_date = UncertainDateField(_("final date"))
    position = models.CharField(_("position"), max_length=200, blank=True)
    rank = models.CharField(_("rank"), max_length=100, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("biographic detail")
        verbose_name_plural = _("biographic details")
