from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomField(models.Model):
    """A field a data steward adds to one record type, beyond ESF (e.g. songbun, unit number).

    Values live in the record's ``extra`` JSON, validated against this definition by the
    importer and the services; exports carry them like any other field.
    """

    TYPES = [
        ("text", _("text")), ("integer", _("whole number")), ("decimal", _("decimal number")),
        ("boolean", _("yes/no")), ("date", _("uncertain date")), ("term", _("term")), ("terms", _("terms")),
    ]

    record_type = models.CharField(_("record type"), max_length=40)
    key = models.SlugField(_("key"), max_length=64)
    label_en = models.CharField(_("English label"), max_length=200)
    label_ko = models.CharField(_("Korean label"), max_length=200)
    value_type = models.CharField(_("type"), max_length=16, choices=TYPES, default="text")
    vocabulary = models.ForeignKey("records.Vocabulary", on_delete=models.PROTECT, null=True, blank=True)
    required = models.BooleanField(_("required"), default=False)
    protected = models.BooleanField(_("identifies a person"), default=True, help_text=_("protected by default; a steward may clear it"))
    help_text = models.TextField(_("help"), blank=True)

    class Meta:
        verbose_name = _("custom field")
        constraints = [models.UniqueConstraint(fields=["record_type", "key"], name="custom_field_unique_key")]

    def __str__(self) -> str:
        return f"{self.record_type}.{self.key}"
