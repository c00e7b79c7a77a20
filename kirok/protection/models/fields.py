from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProtectedField(models.Model):
    """A field a data steward protected beyond the shipped list (kirok/data/protection.yaml)."""

    record_type = models.CharField(_("record type"), max_length=40)
    path = models.CharField(_("field"), max_length=120, help_text=_("field, names.full_name or extra.KEY"))
    reason = models.TextField(_("why"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.CharField(_("actor"), max_length=200)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("protected field")
        verbose_name_plural = _("protected fields")
        constraints = [models.UniqueConstraint(fields=["record_type", "path"], name="protected_field_unique")]

    def __str__(self) -> str:
        return f"{self.record_type}.{self.path}"
