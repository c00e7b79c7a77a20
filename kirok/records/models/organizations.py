from django.db import models
from django.utils.translation import gettext_lazy as _

from kirok.records.fields import TermField

from .base import Child, Record
from .places import CONFIDENCE


class Organization(Record):
    """A state institution, party organ or unit (ESF treats it as a Person of counting unit
    "group"; Kirok keeps it apart because units have hierarchies and name histories)."""

    record_type = "organization"

    kind = TermField("organization_kinds", verbose_name=_("kind"))
    parent = models.ForeignKey("self", verbose_name=_("parent unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="units")
    name_ko = models.CharField(_("name (Korean)"), max_length=200, db_index=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name_ko"]

    def __str__(self) -> str:
        return self.name_ko if not self.name_en else f"{self.name_ko} ({self.name_en})"


class OrganizationName(Child):
    """One name an organization bore, with when (e.g. 인민보안성 2000–2010)."""

    owner_field = "organization"
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=200)
    lang = models.CharField(_("language"), max_length=8, blank=True)
    kind = models.CharField(_("kind"), max_length=16, default="official", help_text=_("official or variant"))
    valid_from = models.CharField(_("valid from"), max_length=40, blank=True)
    valid_to = models.CharField(_("valid to"), max_length=40, blank=True)
    confidence = models.CharField(_("confidence"), max_length=16, choices=CONFIDENCE, blank=True)
    citation = models.CharField(_("source"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("organization name")
        ordering = ["id"]
