"""Key rotation without downtime: ``kirok keys rotate``.

A new data key takes over sealing at once; then every envelope sealed under an older key — in
records, owned rows, every history version and the columns other apps register (evidence
metadata, TOTP keys) — is re-encrypted under the new one, a batch per
transaction, while reads go on (each envelope names its key, and the old keys stay until the
end). Re-encryption keeps the salt and so the commitment: no digest changes, the ledger needs
nothing. A final pass counts what is still sealed under each key, and a key that seals nothing
any more is destroyed — with it, every copy of those old ciphertexts left in backups, WAL
archives or dead PostgreSQL rows becomes unreadable. ``--kek`` re-wraps the data keys under a
new key-encryption key instead, which touches no ciphertext.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from kirok.records.exchange import SEALED
from kirok.records.models import Version
from kirok.records.models.base import Child
from kirok.records.registry import ORDER, model_for

from . import policy
from .envelope import aad, reseal
from .keys import Keyring, keyring
from .principal import Principal

BATCH = 2000
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SealedColumn:
    """A column outside the records holding one wrapped envelope (``{"$protected": …}``) per row,
    bound to ``aad(table, column, str(row.<uid_field>))``: an evidence item's metadata, a TOTP key.
    Apps register theirs (``register_sealed_column``) so that rotation re-encrypts them too and
    never destroys a key something still needs."""

    model: str  # app_label.ModelName
    field: str
    uid_field: str
    table: str
    column: str


SEALED_COLUMNS: dict[str, SealedColumn] = {}


def register_sealed_column(column: SealedColumn) -> None:
    SEALED_COLUMNS[f"{column.model}.{column.field}"] = column


@dataclass
class Rotation:
    new_key: str = ""
    reencrypted: int = 0
    by_key: Counter = field(default_factory=Counter)  # envelopes per data key after the pass
    retired: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # old keys something is still sealed under


def _tables():
    """(model, record type, owner field or None) of every table that can hold envelopes."""
    for record_type in ORDER:
        model = model_for(record_type)
        yield model, record_type, None
        for rel in model._meta.related_objects:
            if issubclass(rel.related_model, Child) and rel.related_model.owner_field == rel.field.name:
                yield rel.related_model, record_type, rel.field.name


def _walk(value, record_type: str, uid: str, path: tuple, visit: Callable[[dict, bytes], dict | None]):
    """``value`` with ``visit`` applied to each envelope (None keeps it), and whether any changed."""
    if value.__class__ is dict:
        changed, out = False, {}
        for key, inner in value.items():
            if key == SEALED:
                table, column = policy.location(record_type, path)
                new = visit(inner, aad(table, column, uid))
                out[key], c = (new, True) if new is not None else (inner, False)
            else:
                out[key], c = _walk(inner, record_type, uid, (*path, key), visit)
            changed |= c
        return out, changed
    if value.__class__ is list:
        changed, out = False, []
        for index, inner in enumerate(value):
            new, c = _walk(inner, record_type, uid, (*path, index), visit)
            out.append(new)
            changed |= c
        return out, changed
    return value, False


def _child_sealed_path(model, owner: str) -> tuple:
    """Where an owned row's envelope sits in its record's exchange dict (``policy.location``)."""
    return (model._meta.get_field(owner).remote_field.get_accessor_name(), 0)


def each_envelope(visit: Callable[[dict, bytes], dict | None], progress: Progress | None = None, batch: int = BATCH) -> int:
    """Apply ``visit`` to every stored envelope, saving those it replaces; returns how many."""
    changed_total = 0
    for model, record_type, owner in _tables():
        columns = ["pk", "sealed", *( [f"{owner}__uid"] if owner else ["uid", "extra", "translations"])]
        label = model._meta.db_table
        last, done = 0, 0
        while True:
            rows = list(model._base_manager.filter(pk__gt=last).order_by("pk").values_list(*columns)[:batch])
            if not rows:
                break
            with transaction.atomic():
                for pk, sealed, *rest in rows:
                    uid = str(rest[0])
                    changes = {}
                    if sealed:
                        new_sealed = {}
                        for name, envelope in sealed.items():
                            path = _child_sealed_path(model, owner) if owner else (name,)
                            table, column = policy.location(record_type, path)
                            replaced = visit(envelope, aad(table, column, uid))
                            new_sealed[name] = replaced if replaced is not None else envelope
                            changed_total += replaced is not None
                        if new_sealed != sealed:
                            changes["sealed"] = new_sealed
                    if not owner:
                        for json_field, value in zip(("extra", "translations"), rest[1:]):
                            new, changed = _walk(value or {}, record_type, uid, (json_field,), visit)
                            if changed:
                                changes[json_field] = new
                                changed_total += 1
                    if changes:
                        model._base_manager.filter(pk=pk).update(**changes)
            last = rows[-1][0]
            done += len(rows)
            if progress:
                progress(label, done, 0)
    for sealed_column in SEALED_COLUMNS.values():
        changed_total += _each_in_column(sealed_column, visit, progress, batch)
    last, done = 0, 0
    while True:
        rows = list(Version.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "record_type", "record_uid", "data")[:batch])
        if not rows:
            break
        with transaction.atomic():
            for pk, record_type, uid, data in rows:
                new, changed = _walk(data, record_type, str(uid), (), visit)
                if changed:
                    Version.objects.filter(pk=pk).update(data=new)
                    changed_total += 1
        last = rows[-1][0]
        done += len(rows)
        if progress:
            progress("records_version", done, 0)
    return changed_total


def _each_in_column(sealed: SealedColumn, visit, progress: Progress | None, batch: int) -> int:
    from django.apps import apps

    model = apps.get_model(sealed.model)
    changed, last, done = 0, None, 0
    while True:
        rows = model._base_manager.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        rows = list(rows.values_list("pk", sealed.uid_field, sealed.field)[:batch])
        if not rows:
            return changed
        with transaction.atomic():
            for pk, uid, value in rows:
                if isinstance(value, dict) and SEALED in value:
                    replaced = visit(value[SEALED], aad(sealed.table, sealed.column, str(uid)))
                    if replaced is not None:
                        # The base manager's plain UPDATE: evidence items refuse save() and their own manager's update().
                        model._base_manager.filter(pk=pk).update(**{sealed.field: {SEALED: replaced}})
                        changed += 1
        last = rows[-1][0]
        done += len(rows)
        if progress:
            progress(model._meta.db_table, done, 0)


def count_by_key(progress: Progress | None = None) -> Counter:
    counts: Counter = Counter()

    def visit(envelope: dict, where: bytes) -> None:
        counts[envelope.get("kid", "(destroyed)")] += 1
        return None

    each_envelope(visit, progress)
    return counts


def rotate_data_key(*, principal: Principal, ring: Keyring | None = None, progress: Progress | None = None) -> Rotation:
    principal.require("manage_keys")
    ring = ring or keyring()
    result = Rotation(new_key=ring.new_data_key())

    def visit(envelope: dict, where: bytes) -> dict | None:
        if "ct" not in envelope or envelope.get("kid") == result.new_key:
            return None
        return reseal(envelope, where, ring)

    result.reencrypted = each_envelope(visit, progress)
    result.by_key = count_by_key(progress)
    for dek in ring.data_keys():
        if dek.kid == result.new_key:
            continue
        if result.by_key.get(dek.kid):
            result.kept.append(dek.kid)  # sealed meanwhile by a process that still had it: run again
        else:
            ring.retire_data_key(dek.kid)
            result.retired.append(dek.kid)
    return result


def rotate_kek(*, principal: Principal, ring: Keyring | None = None) -> str:
    principal.require("manage_keys")
    return (ring or keyring()).rotate_kek()
