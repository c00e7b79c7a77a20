from django.db import models
from django.utils.translation import gettext_lazy as _

from kirok.records.fields import Holds, TermField, UncertainDateField

from .base import Child, Record


class Source(Record):
    """Where information comes from: a testimony, a document, a media item, an open-source item.

    ESF models a source as a Person; Kirok keeps it as its own record because consent, the
    testimony basis and (later) evidence items belong to the source, not to the witness, and
    one witness may give several testimonies with different consent.
    """

    record_type = "source"

    kind = TermField("source_kinds", verbose_name=_("kind of source"))
    title = models.CharField(_("title"), max_length=400)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    date = UncertainDateField(_("date of source material"))
    material_type = TermField("source_material_types", verbose_name=_("type of source material"))
    witness = models.ForeignKey("records.Person", verbose_name=_("witness"), on_delete=models.PROTECT, null=True, blank=True, related_name="testimonies")
    interviewer = models.CharField(_("interviewer"), max_length=200, blank=True)
    testimony_basis = TermField("testimony_basis", verbose_name=_("testimony basis"))
    reliability = TermField("reliability", verbose_name=_("reliability as source"))
    citation = models.TextField(_("citation"), blank=True)
    url = models.URLField(_("URL"), max_length=2000, blank=True)
    transcript = models.TextField(_("transcript"), blank=True)
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.title

    @property
    def current_consent(self) -> "Consent | None":
        return self.consents.order_by("-id").first()


class Consent(Child):
    """A consent given (or withdrawn) for a source, as a list of scopes.

    Consent changes are appended, never edited, so the record of what a witness agreed to, and
    when, survives; the latest entry is in force.
    """

    owner_field = "source"
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="consents")
    scopes = models.JSONField(_("scopes"), default=list, help_text=_("codes from the consent_scopes vocabulary"))
    given_on = models.DateField(_("given on"), null=True, blank=True)
    obtained_by = models.CharField(_("obtained by"), max_length=200, blank=True)
    method = models.CharField(_("method"), max_length=40, blank=True, help_text=_("written, oral recorded, oral noted"))
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("consent")
        ordering = ["id"]


Consent._meta.get_field("scopes").register_lookup(Holds)  # scopes__holds="un"


class SourceFile(models.Model):
    """A file a source came with in an import (an Uwazi entity's main file or an attachment).

    The bytes are an evidence item in the vault (hashed, deduplicated, custody-logged, ledgered);
    this row only says which source named which item, as what and under which file name, so an
    Uwazi export can give the files back as they came. The same bytes named by two sources are
    one item and two rows.
    """

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="files")
    item = models.ForeignKey("evidence.Item", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=12, help_text=_("document (the entity's main file) or attachment"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    name = models.CharField(_("file name"), max_length=500)

    class Meta:
        verbose_name = _("source file")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["source", "role", "language", "name"], name="source_file_once")]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"
