"""What the protection layer remembers: reads of protected values, disclosures, break-glass
grants and purges. Audit rows are written once; the ledger commits to them through the signals
in ``kirok.protection.signals``."""

import hashlib
import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_lazy as _


class Digestible:
    """``row_digest``: SHA-256 of the row's canonical JSON, for the ledger to log and recompute."""

    def canonical(self) -> dict:
        out = {}
        for f in self._meta.concrete_fields:
            if f.name == "id":
                continue
            value = getattr(self, f.attname)
            out[f.name] = value.isoformat() if isinstance(value, datetime) else str(value) if isinstance(value, uuid.UUID) else value
        return out

    @property
    def row_digest(self) -> str:
        from kirok.records.exchange import canonical_json

        return hashlib.sha256(canonical_json(self.canonical())).hexdigest()


class AuditRow(Digestible, models.Model):
    """Written once, never changed or deleted: an audit that can be edited audits nothing."""

    at = models.DateTimeField(_("at"), db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.CharField(_("actor"), max_length=200, help_text=_("user name, or console:NAME for the workspace operator"))

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(gettext("%(model)s rows are written once") % {"model": self._meta.verbose_name})
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(gettext("%(model)s rows are never deleted") % {"model": self._meta.verbose_name})


class ProtectedRead(AuditRow):
    """One reveal of protected values: who, which records and fields, why, when."""

    purpose = models.CharField(_("purpose"), max_length=200)
    record_type = models.CharField(_("record type"), max_length=40)
    record_uids = models.JSONField(_("records"), default=list, help_text=_("Kirok ids; empty when a disclosure lists them"))
    fields = models.JSONField(_("fields"), default=list)
    count = models.PositiveIntegerField(_("records read"))
    disclosure = models.ForeignKey("Disclosure", on_delete=models.PROTECT, null=True, blank=True, related_name="reads")

    class Meta(AuditRow.Meta):
        verbose_name = _("protected read")
        verbose_name_plural = _("protected reads")


class Disclosure(AuditRow):
    """What left the workspace through the consent gate: to whom, under which scope, and its hash."""

    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=40)
    destination = models.CharField(_("destination"), max_length=500)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    counts = models.JSONField(_("records released"), default=dict)
    dropped = models.JSONField(_("records withheld"), default=dict, help_text=_("consent does not cover the scope"))
    files = models.JSONField(_("files"), default=dict, help_text=_("{name: SHA-256}"))
    digest = models.CharField(_("SHA-256 of what was sent"), max_length=64)

    class Meta(AuditRow.Meta):
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def canonical(self) -> dict:
        """The row and every record it let out: the ledger entry commits to the list too."""
        listed = sorted(f"{t}:{u}" for t, u in DisclosedRecord.objects.filter(disclosure_id=self.pk).values_list("record_type", "record_uid"))
        return super().canonical() | {"records": listed}


class DisclosedRecord(models.Model):
    """One record in one disclosure: so that 'did X ever leave, and to whom?' has an answer."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="records")
    record_type = models.CharField(max_length=40)
    record_uid = models.UUIDField()

    class Meta:
        verbose_name = _("disclosed record")
        indexes = [models.Index(fields=["record_uid"], name="disclosed_record")]


class BreakGlass(Digestible, models.Model):
    """Access to one record outside one's compartments: a reason, a time limit, a log entry."""

    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(_("record type"), max_length=16)
    record_id = models.BigIntegerField()
    record_uid = models.UUIDField(_("record"))
    reason = models.TextField(_("reason"))
    opened_at = models.DateTimeField(_("opened"))
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    def canonical(self) -> dict:
        """Without ``closed_at``: the grant is what the ledger logs; closing it early only narrows it."""
        out = super().canonical()
        del out["closed_at"]
        return out

    class Meta:
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")
        ordering = ["-opened_at"]


class Purge(AuditRow):
    """A consent withdrawal carried out: what was destroyed, why, and the hashes that remain."""

    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    source_uid = models.UUIDField(_("source"))
    reason = models.TextField(_("reason"))
    counts = models.JSONField(_("destroyed"), default=dict)
    commitments = models.JSONField(
        _("commitments kept"), default=list, help_text=_("[record type, id, field, SHA-256 commitment] of each destroyed value")
    )
    remains = models.JSONField(_("what remains"), default=list)

    class Meta(AuditRow.Meta):
        verbose_name = _("purge")
        verbose_name_plural = _("purges")
