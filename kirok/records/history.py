"""History: every change to the record is a version, grouped in changesets, never lost.

All writes happen inside ``changeset(...)``. Saving a record (or one of its children) marks it
touched; when the outermost changeset closes, each touched record's exchange form is written as a
``Version`` with its SHA-256 digest, unless it is unchanged since its last version. Deleting is a
tombstone (``Record.delete``) and ``restore`` undoes it; ``revert`` brings back any older version
as a new one. Bulk imports write their versions themselves (``kirok.records.importing``) in the
same form.
"""

from __future__ import annotations

import contextvars
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import Signal

from kirok.records import exchange
from kirok.records.models import Changeset, Version
from kirok.records.models.base import Record
from kirok.records.registry import model_for


changeset_closed = Signal()
"""Sent with ``changeset=`` inside the changeset's transaction, after its versions are written
(by ``_flush`` or by a bulk import), so that the ledger commits to them atomically with them."""


class NoChangeset(RuntimeError):
    """A write outside a changeset: it would escape the history, so it is refused."""


@dataclass
class _Open:
    changeset: Changeset
    touched: dict = field(default_factory=dict)  # (type, pk) -> (record, action)


_current: contextvars.ContextVar[_Open | None] = contextvars.ContextVar("kirok_changeset", default=None)


def digest(data: dict) -> str:
    """SHA-256 of a snapshot in canonical JSON, with sealed values cut down to their commitments.

    A protected value enters the digest as ``{"$protected": {"commit": sha256(salt ‖ value)}}``:
    the digest stays the same when the value is re-encrypted under a new key or destroyed by a
    purge, and anyone given the redacted snapshot can recompute it (docs/protection.md).
    """
    return hashlib.sha256(exchange.canonical_json(exchange.commitments_only(data))).hexdigest()


def digest_of_version(version: Version) -> str:
    """What ``version.digest`` must be: the one place that says how a stored version is hashed,
    so the ledger's verifier and field protection agree on it."""
    return digest(version.data)


@contextmanager
def changeset(*, actor: str = "", user=None, reason: str = "", kind: str = "edit", source=None):
    """Group writes into one changeset, atomically; nested calls join the outer one."""
    if _current.get() is not None:
        yield _current.get().changeset
        return
    with transaction.atomic():
        cs = Changeset.objects.create(
            actor=actor or (user.get_username() if user else "system"), user=user, reason=reason, kind=kind, source=source
        )
        state = _Open(cs)
        token = _current.set(state)
        try:
            yield cs
            _flush(state)
            changeset_closed.send(Changeset, changeset=cs)
        finally:
            _current.reset(token)


def current() -> Changeset | None:
    state = _current.get()
    return state.changeset if state else None


def require_changeset(obj) -> None:
    """Refuse a write before it happens if no changeset is open."""
    if _current.get() is None:
        raise NoChangeset(
            f"{obj._meta.model_name} was about to be written outside a changeset; "
            "wrap the write in kirok.records.history.changeset(...)"
        )


def touch(record: Record, action: str | None = None) -> None:
    """Called by Record.save/delete: remember the record for the version written at the end."""
    state = _current.get()
    require_changeset(record)
    key = (record.record_type, record.pk)
    previous = state.touched.get(key)
    state.touched[key] = (record, action or (previous[1] if previous else None))


def _flush(state: _Open) -> None:
    terms = exchange.term_codes()
    uids = exchange.UidCache()
    rows = []
    for (record_type, pk), (record, action) in state.touched.items():
        fresh = model_for(record_type).all_objects.get(pk=pk)
        data = exchange.to_dict(fresh, terms, uids)
        last = latest_version(record_type, fresh.uid)
        action = action or ("create" if last is None else "update")
        d = digest(data)
        if action == "update" and last is not None and last.digest == d:
            continue  # saved but unchanged: no new version
        rows.append(Version(changeset=state.changeset, record_type=record_type, record_uid=fresh.uid, action=action, data=data, digest=d))
    Version.objects.bulk_create(rows)


def latest_version(record_type: str, uid) -> Version | None:
    return Version.objects.filter(record_type=record_type, record_uid=uid).order_by("-id").first()


def versions(record: Record):
    """The record's versions, oldest first, with their changesets."""
    return Version.objects.filter(record_type=record.record_type, record_uid=record.uid).select_related("changeset").order_by("id")


def diff(old: dict | None, new: dict | None) -> dict[str, tuple]:
    """Field by field: {field: (before, after)} for what differs between two snapshots."""
    old, new = old or {}, new or {}
    return {k: (old.get(k), new.get(k)) for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}


def field_provenance(record: Record) -> dict[str, Version]:
    """For each field, the version that last set its current value: who, when, from which source."""
    result: dict[str, Version] = {}
    previous: dict = {}
    for version in versions(record):
        for name in diff(previous, version.data):
            result[name] = version
        previous = version.data
    return {k: v for k, v in result.items() if k in previous}


def restore(record: Record, *, user=None, reason: str) -> Record:
    """Undo a deletion; the tombstone and the restoration both stay in the history."""
    with changeset(user=user, reason=reason, kind="restore"):
        record.deleted_at = None
        record.save()
        touch(record, action="restore")
    return record


def revert(record: Record, version: Version, *, user=None, reason: str) -> Record:
    """Make an older version current again, as a new version (nothing in between is lost)."""
    from kirok.records.importing import apply_snapshot

    if version.record_uid != record.uid:
        raise ValueError("that version belongs to another record")
    with changeset(user=user, reason=reason or f"revert to version {version.pk}", kind="revert"):
        apply_snapshot(record.record_type, version.data)
    return model_for(record.record_type).all_objects.get(pk=record.pk)

