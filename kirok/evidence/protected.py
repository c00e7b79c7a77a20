"""Evidence under witness protection: sealed metadata, compartments, and the purge.

An item's embedded metadata (EXIF GPS positions, device serial numbers, owner names, C2PA
signers, face regions) can identify the person who took or appears in it, so it is sealed at
rest like any protected field (``kirok.protection.envelope``: AES-GCM, bound to the item's table,
column and id, with a commitment) and opened only for roles with ``see_protected``, each read
audited. Everyone else gets the mask.

An item follows its source: it is visible to whoever may see the source (compartments,
break-glass); an item with no source is the console operator's alone (deny by default).

When a source's consent is withdrawn, ``purge_source`` turns each of its items into a tombstone:
a "disposed" custody event with the reason (logged in the ledger), the blob destroyed in the
vault once the purge commits, the sealed metadata cut to its commitment, and the free-text
capture fields (file name, origin, collector, device, notes) emptied. The hashes, size, media
type and custody stay: they are what the ledger and any bundle already committed to.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import orjson
from django.db import connection, transaction
from django.utils.translation import gettext as _

from kirok.evidence.errors import EvidenceError
from kirok.evidence.models import CustodyEvent, Item
from kirok.evidence.storage import get_storage
from kirok.protection.envelope import aad, destroyed, open_value, seal
from kirok.protection.principal import Principal
from kirok.protection.reveal import MASK, Revealer
from kirok.records.exchange import SEALED

logger = logging.getLogger(__name__)

RECORD_TYPE = "evidence_item"
TOMBSTONE_FIELDS = ("original_name", "origin", "collector", "device", "capture_notes", "derivation_notes")


def _where(uid) -> bytes:
    return aad(Item._meta.db_table, "metadata", str(uid))  # as registered for rotation in EvidenceConfig.ready


def seal_metadata(uid, metadata: dict) -> dict:
    """What is stored in ``Item.metadata``: the embedded metadata sealed, or {} when there is none."""
    return {SEALED: seal(metadata, _where(uid))} if metadata else {}


def is_sealed(metadata) -> bool:
    return isinstance(metadata, dict) and SEALED in metadata


def opened(uid, metadata: dict) -> dict:
    """The plaintext of sealed metadata, unaudited: for the migration that undoes the sealing only."""
    return open_value(metadata[SEALED], _where(uid))


def metadata_of(item: Item, principal: Principal, *, purpose: str):
    """The item's metadata for this principal: a dict when they may see protected values (the
    read is audited), else the mask (or, after a purge, the notice that it was destroyed)."""
    stored = item.metadata or {}
    if not stored:
        return {}
    revealer = Revealer(principal, purpose)
    if not is_sealed(stored):  # written before sealing existed and not migrated: still protected
        return stored if revealer.allowed else str(MASK)
    value = revealer.sealed(stored[SEALED], table=Item._meta.db_table, column="metadata", uid=str(item.uid),
                            record_type=RECORD_TYPE)
    revealer.flush()
    return value


def visible_items(queryset, principal: Principal):
    """The items whose source the principal may see (``kirok.protection.access``)."""
    from django.db.models import Exists, OuterRef

    from kirok.protection.access import visible
    from kirok.records.models import Source

    if principal.operator:
        return queryset
    return queryset.filter(Exists(visible(Source.all_objects.filter(pk=OuterRef("source_id")), principal)))


@dataclass
class PurgedEvidence:
    """What a purge did to a source's evidence: for the Purge row and the search index."""

    items: list[str] = field(default_factory=list)
    commitments: list[list[str]] = field(default_factory=list)  # ["source", source uid, "evidence:<item>.metadata", commit]
    blobs: list[str] = field(default_factory=list)  # SHA-256 of the blobs destroyed after commit
    remains: list[str] = field(default_factory=list)


def purge_source(source, *, user=None, actor: str = "", reason: str) -> PurgedEvidence:
    """Tombstone the source's items and destroy their blobs (after the caller's transaction commits).

    Must run inside the purge's transaction. A blob that an item of another source also holds
    (the same bytes, received twice) stays, and ``remains`` says so.
    """
    from kirok.evidence.services import record_custody

    result = PurgedEvidence()
    items = list(Item.objects.filter(source=source).order_by("id"))
    if not items:
        return result
    storage = get_storage()
    mine = {i.pk for i in items}
    for item in items:
        record_custody(item, "disposed", user=user, actor=actor, reason=reason,
                       details={"withdrawal": True, "vault": storage.url})
        result.items.append(str(item.uid))
        if is_sealed(item.metadata) and "ct" in item.metadata[SEALED]:
            # Listed under the source (a record type, as every purge commitment is), field named by item.
            result.commitments.append(["source", str(source.uid), f"evidence:{item.uid}.metadata", item.metadata[SEALED]["commit"]])
    _tombstone(items)
    disposed = set(CustodyEvent.objects.filter(action="disposed").values_list("item_id", flat=True))
    for sha256 in sorted({i.sha256 for i in items}):
        others = Item.objects.filter(sha256=sha256).exclude(pk__in=mine).exclude(pk__in=disposed)
        if others.exists():
            result.remains.append(
                _("blob %(sha)s: item(s) of another source hold the same bytes, so it stays in the vault")
                % {"sha": sha256}
            )
        else:
            result.blobs.append(sha256)
    blobs = list(result.blobs)
    transaction.on_commit(lambda: _destroy_blobs(storage, blobs))
    return result


def _tombstone(items: list[Item]) -> None:
    """The one deliberate change to written-once items: empty what may identify, keep the hashes.
    Plain SQL, because the items' manager refuses updates by design."""
    q = connection.ops.quote_name
    cast = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    columns = ", ".join(f"{q(name)} = ''" for name in TOMBSTONE_FIELDS)
    sql = f"UPDATE {q(Item._meta.db_table)} SET {columns}, {q('metadata')} = {cast} WHERE {q('id')} = %s"
    rows = []
    for item in items:
        stored = item.metadata or {}
        kept = {SEALED: destroyed(stored[SEALED])} if is_sealed(stored) else {}
        rows.append([orjson.dumps(kept).decode(), item.pk])
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _destroy_blobs(storage, blobs: list[str]) -> None:
    """After commit: every blob is tried; those that fail are named, for an operator to finish."""
    failed = []
    for sha256 in blobs:
        try:
            storage.destroy(sha256)
        except Exception as exc:  # an I/O or S3 error (Object Lock) on one blob must not spare the rest
            failed.append(f"{storage.location(sha256)} ({type(exc).__name__}: {exc})")
    if failed:
        logger.error("consent withdrawal: %d blob(s) could not be destroyed: %s", len(failed), "; ".join(failed))
        raise EvidenceError(
            _("the withdrawal is recorded, but these blobs could not be destroyed; delete them by hand: %(blobs)s")
            % {"blobs": "; ".join(failed)}
        )
