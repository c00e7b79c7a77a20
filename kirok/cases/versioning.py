"""Versions of the analysis records of a case (cases, suspects, element links, unit parents).

These records are edited by analysts and must be as accountable as the ESF records: every write
happens inside a changeset (``kirok.records.history.changeset``: who, when, why), makes a
snapshot with its SHA-256, and the snapshot's digest goes into the ledger in the same
transaction. They are not ESF records, and the record registry (``kirok.records.registry``) that
the exchange format, search and bundles walk knows only ESF types, so the snapshots are kept in
a table of their own (``CaseVersion``) and logged under the ledger kind ``case-version``, which
``kirok ledger verify`` recomputes like any other kind.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from kirok.records import history
from kirok.records.models.base import AllRecordsManager, LiveManager

KIND = "case-version"
SKIPPED = {"id", "uid", "created_at", "updated_at", "deleted_at"}


def _reference(field: models.ForeignKey, pk) -> str | None:
    """A foreign key as it leaves in a snapshot: the Kirok id of a record, the key of a
    compartment, the user name of a user (never an internal integer)."""
    if pk is None:
        return None
    model = field.related_model
    names = {f.name for f in model._meta.concrete_fields}
    column = "uid" if "uid" in names else "key" if "key" in names else model.USERNAME_FIELD
    manager = getattr(model, "all_objects", model._default_manager)
    return str(manager.filter(pk=pk).values_list(column, flat=True).get())


def snapshot(obj: models.Model) -> dict:
    """The record's fields as JSON: references by Kirok id, uncertain dates as EDTF text, empty
    values left out (as in the exchange format, so a snapshot is stable)."""
    data: dict = {"id": str(obj.uid)}
    uncertain = getattr(obj._meta, "uncertain_date_names", ())
    derived = getattr(obj, "derived_fields", frozenset())
    for f in obj._meta.concrete_fields:
        if f.name in SKIPPED or f.name in derived:
            continue
        base = f.name.rsplit("_", 1)[0]
        if base in uncertain:
            if f.name == f"{base}_from":
                data[base] = str(getattr(obj, base))
            continue
        if isinstance(f, models.ForeignKey):
            value = _reference(f, getattr(obj, f.attname))
        else:
            value = getattr(obj, f.attname)
        if value is not None and not isinstance(value, (str, int, bool, list, dict)):
            value = str(value)
        data[f.name] = value
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def version_digest(record_type: str, action: str, data: dict) -> str:
    """SHA-256 over the canonical JSON of what the version says (type, action, snapshot)."""
    return history.digest({"type": record_type, "action": action, "data": data})


class Versioned(models.Model):
    """An analysis record: a stable id, a tombstone instead of deletion, a version per change."""

    record_type: str = ""
    derived_fields: frozenset[str] = frozenset()  # copies of other records' data: not what a version asserts

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LiveManager()
    all_objects = AllRecordsManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        history.require_changeset(self)
        created = self._state.adding
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)
        write_version(self, "create" if created else "update")

    def delete(self, *args, **kwargs):
        """Tombstone, never erase: the history keeps every version."""
        history.require_changeset(self)
        self.deleted_at = timezone.now()
        super().save(update_fields=["deleted_at", "updated_at"])
        write_version(self, "delete")
        return (0, {})


class CaseVersion(models.Model):
    """One snapshot of an analysis record after a change, in the changeset that made it."""

    changeset = models.ForeignKey("records.Changeset", on_delete=models.PROTECT, related_name="case_versions")
    record_type = models.CharField(max_length=40)
    record_uid = models.UUIDField()
    action = models.CharField(max_length=12)
    data = models.JSONField()
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["record_type", "record_uid", "id"], name="case_version_record")]
        ordering = ["id"]

    def recompute(self) -> str:
        return version_digest(self.record_type, self.action, self.data)


def write_version(obj: Versioned, action: str) -> CaseVersion | None:
    """Write the snapshot (unless an update changed nothing) and log it in the ledger."""
    from kirok.ledger import services as ledger

    data = snapshot(obj)
    digest = version_digest(obj.record_type, action, data)
    last = CaseVersion.objects.filter(record_type=obj.record_type, record_uid=obj.uid).order_by("-id").first()
    if action == "update" and last is not None and last.data == data:
        return None
    version = CaseVersion.objects.create(
        changeset=history.current(), record_type=obj.record_type, record_uid=obj.uid, action=action, data=data, digest=digest,
    )
    ledger.append(KIND, f"{KIND}:{version.pk}", digest)
    return version


def versions(obj: Versioned):
    """The record's versions, oldest first, with who, when and why."""
    return CaseVersion.objects.filter(record_type=obj.record_type, record_uid=obj.uid).select_related("changeset").order_by("id")


# --- the ledger kind ---------------------------------------------------------------------------


def _recompute(subjects: Sequence[str]) -> dict:
    from kirok.ledger.kinds import Problem

    wanted = {int(s.partition(":")[2]): s for s in subjects if s.partition(":")[2].isdigit()}
    out: dict = {}
    for version in CaseVersion.objects.filter(pk__in=list(wanted)):
        recomputed = version.recompute()
        out[wanted[version.pk]] = recomputed if recomputed == version.digest else Problem(
            _("case version %(id)s (%(type)s %(uid)s)") % {"id": version.pk, "type": version.record_type, "uid": version.record_uid},
            _("digest %(digest)s (stored)") % {"digest": version.digest},
            _("its data hashes to %(digest)s") % {"digest": recomputed},
            _("the version's data or its stored digest was changed after it was written"),
        )
    return out


def _must_log() -> Iterable[str]:
    return (f"{KIND}:{pk}" for pk in CaseVersion.objects.order_by("pk").values_list("pk", flat=True).iterator())


def register_ledger_kind() -> None:
    from kirok.ledger import kinds

    kinds.register(kinds.Kind(KIND, _recompute, _must_log))
