"""Evidence items and their custody: both written once, never changed, never deleted.

An ``Item`` is a blob in the vault (named by its SHA-256) plus what is known of how it was
collected — the Berkeley Protocol's capture record — and the metadata embedded in it, read at
intake. A derivative (a redacted copy, a transcript, a translation, an excerpt) is an item of its
own that names its original and the operation that made it; the original is never touched.

A ``CustodyEvent`` is one receipt, access, copy, export, transfer, disposal or check of an item:
who, when, what, why. Its ``digest`` is the SHA-256 of its canonical form, which the ledger
commits to (``kirok.evidence.signals.custody_recorded``), so a later change to a stored event can
be detected by anyone who recomputes it.

Vocabulary values (method, origin kind, clock source, operation, action) are stored as codes, not
as foreign keys to terms: the capture record and the custody digest must stay the same bytes
whatever a steward later does to a term's label.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timezone as dt_timezone

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from kirok.evidence.errors import AppendOnly
from kirok.evidence.signals import custody_recorded
from kirok.records.exchange import canonical_json


class WriteOnceQuerySet(models.QuerySet):
    """Bulk paths that would skip the checks (and the custody signal) are closed."""

    def _refuse(self, *args, **kwargs):
        raise AppendOnly(
            gettext("%(model)s rows are written once and never changed or deleted") % {"model": self.model._meta.verbose_name}
        )

    update = delete = bulk_create = bulk_update = _refuse


class WriteOnce(models.Model):
    class Meta:
        abstract = True

    objects = WriteOnceQuerySet.as_manager()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly(
                gettext("%(model)s %(uid)s is written once; make a new one instead of changing it")
                % {"model": self._meta.verbose_name, "uid": self.uid}
            )
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(
            gettext("%(model)s %(uid)s cannot be deleted; record a disposal in its custody instead")
            % {"model": self._meta.verbose_name, "uid": self.uid}
        )


def _utc(moment: datetime | None) -> str | None:
    return moment.astimezone(dt_timezone.utc).isoformat(timespec="microseconds") if moment else None


class Item(WriteOnce):
    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    sha512 = models.CharField(_("SHA-512"), max_length=128)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    media_type = models.CharField(_("media type"), max_length=200)
    original_name = models.CharField(_("original file name"), max_length=500, blank=True)
    source = models.ForeignKey(
        "records.Source", verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="evidence_items",
    )
    received_at = models.DateTimeField(_("received in the vault"), default=timezone.now)

    # The capture record (Berkeley Protocol ch. VI.C and paras 153-155).
    collector = models.CharField(_("collector"), max_length=200, blank=True)
    collected_at = models.DateTimeField(_("collection time"), null=True, blank=True)
    clock_source = models.CharField(_("clock source"), max_length=64, blank=True, help_text=_("code from clock_sources"))
    method = models.CharField(_("capture method"), max_length=64, blank=True, help_text=_("code from capture_methods"))
    tool = models.CharField(_("tool"), max_length=200, blank=True)
    tool_version = models.CharField(_("tool version"), max_length=100, blank=True)
    device = models.CharField(_("device"), max_length=300, blank=True)
    origin_kind = models.CharField(_("kind of origin"), max_length=64, blank=True, help_text=_("code from origin_kinds"))
    origin = models.TextField(_("origin"), blank=True, help_text=_("URL, file path, interview reference, who handed it over"))
    capture_notes = models.TextField(_("capture notes"), blank=True, help_text=_("settings, and any change the capture made"))
    html_source = models.ForeignKey(
        "self", verbose_name=_("HTML source"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    page_capture = models.ForeignKey(
        "self", verbose_name=_("full-page capture"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    metadata = models.JSONField(_("embedded metadata"), default=dict, blank=True, help_text=_("EXIF, C2PA: as read at intake"))

    # Derivatives.
    derived_from = models.ForeignKey(
        "self", verbose_name=_("derived from"), on_delete=models.PROTECT, null=True, blank=True, related_name="derivatives",
    )
    operation = models.CharField(_("operation"), max_length=64, blank=True, help_text=_("code from derivative_operations"))
    derivation_notes = models.TextField(_("derivation notes"), blank=True)

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["sha256"], condition=Q(derived_from__isnull=True), name="evidence_original_sha256_unique"),
            models.UniqueConstraint(
                fields=["derived_from", "sha256"], condition=Q(derived_from__isnull=False), name="evidence_derivative_unique",
            ),
            models.CheckConstraint(
                condition=Q(derived_from__isnull=True, operation="") | (Q(derived_from__isnull=False) & ~Q(operation="")),
                name="evidence_derivative_has_operation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name or self.uid} ({self.sha256[:12]})"

    @property
    def is_original(self) -> bool:
        return self.derived_from_id is None

    def capture_record(self) -> dict:
        """The capture record as exchanged (bundles, ``kirok evidence show``): codes and UTC times."""
        return {
            "id": str(self.uid), "sha256": self.sha256, "sha512": self.sha512, "size": self.size,
            "media_type": self.media_type, "original_name": self.original_name,
            "source": str(self.source.uid) if self.source_id else None, "received_at": _utc(self.received_at),
            "collector": self.collector, "collected_at": _utc(self.collected_at), "clock_source": self.clock_source,
            "method": self.method, "tool": self.tool, "tool_version": self.tool_version, "device": self.device,
            "origin_kind": self.origin_kind, "origin": self.origin, "capture_notes": self.capture_notes,
            "html_source": self.html_source.sha256 if self.html_source_id else None,
            "page_capture": self.page_capture.sha256 if self.page_capture_id else None,
            "derived_from": self.derived_from.sha256 if self.derived_from_id else None,
            "operation": self.operation, "derivation_notes": self.derivation_notes,
        }


class CustodyEvent(WriteOnce):
    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="custody")
    action = models.CharField(_("action"), max_length=64, help_text=_("code from custody_actions"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    actor = models.CharField(_("who"), max_length=200)
    reason = models.TextField(_("why"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    digest = models.CharField(_("SHA-256 of the event"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action} {self.item} {self.at:%Y-%m-%d %H:%M:%S}"

    def canonical(self) -> dict:
        """Everything the digest covers. The user appears by name in ``actor``, fixed at writing."""
        return {
            "id": str(self.uid), "item": str(self.item.uid), "item_sha256": self.item.sha256, "action": self.action,
            "at": _utc(self.at), "actor": self.actor, "reason": self.reason, "details": self.details,
        }

    def compute_digest(self) -> str:
        return hashlib.sha256(canonical_json(self.canonical())).hexdigest()

    def save(self, *args, **kwargs):
        """Written with its digest, and announced to the ledger inside the same transaction."""
        with transaction.atomic():
            if self._state.adding:
                self.digest = self.compute_digest()
            super().save(*args, **kwargs)
            custody_recorded.send(sender=CustodyEvent, event=self)
