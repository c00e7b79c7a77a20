from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

COMPARTMENTED = ("source", "event", "person")


class Compartment(models.Model):
    """A need-to-know group of records (one project, one partner's collection, one case).

    Sources, events and persons belong to one or more compartments; a user sees a record only
    through a compartment they are a member of (or a break-glass grant). Records that hang off
    them are visible when all they hang off is visible (``kirok.protection.access``).
    """

    key = models.SlugField(_("key"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("where new records go when no compartment is named")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("compartment")
        verbose_name_plural = _("compartments")
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_compartment"),
        ]

    def __str__(self) -> str:
        return self.key


class Membership(models.Model):
    compartment = models.ForeignKey(Compartment, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compartment_memberships")
    granted_by = models.CharField(_("granted by"), max_length=200)
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("compartment membership")
        constraints = [models.UniqueConstraint(fields=["compartment", "user"], name="membership_unique")]


class RecordCompartment(models.Model):
    """One record in one compartment; records are named by type and integer key, like the writer."""

    record_type = models.CharField(max_length=16, choices=[(t, t) for t in COMPARTMENTED])
    record_id = models.BigIntegerField()
    compartment = models.ForeignKey(Compartment, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("record in compartment")
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id", "compartment"], name="record_compartment_unique"),
        ]
        indexes = [models.Index(fields=["record_type", "compartment", "record_id"], name="compartment_records")]
