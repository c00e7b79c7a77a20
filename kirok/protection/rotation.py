"""Key rotation without downtime: ``kirok keys rotate``.

A new data key takes over sealing at once; then every envelope sealed under an older key — in
records, owned rows and every history version — is re-encrypted under the new one, a batch per
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
