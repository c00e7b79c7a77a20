"""Consent withdrawal: the source's protected content and its witness's protected values are
destroyed, everywhere Kirok keeps them; only hashes and the reason remain.

What is destroyed (each sealed value loses its ciphertext — and the salt inside it — and keeps
its commitment, so every version digest and the ledger still verify):

* the source's own protected values (transcript, description, steward-protected fields);
* the protected values of every record that came from the source (``source`` points to it),
  information records included (their passages);
* the witness's protected values (names, birth date), once every source of that witness is
  withdrawn — a witness who withdrew one testimony but not another is still named by the other;
* those values in every version of those records (the history), and the witness's rows in the
  blind index;
* the source's evidence items: their blobs destroyed in the vault after commit, their sealed
  metadata cut to its commitment, their identifying capture fields emptied, a "disposed" custody
  event with the reason (``kirok.evidence.protected.purge_source``).

Kept: the ``Purge`` row (who, when, the reason, the commitments of what was destroyed) and the
new consent entry, a version like any other, that says the consent was withdrawn.

On SQLite the purge runs with ``secure_delete`` (freed bytes are overwritten with zeros) and
ends with a WAL checkpoint that truncates the log, so the old bytes leave the database files.
Copies Kirok does not control (backups, PostgreSQL's dead row versions until VACUUM, WAL
archives) still hold the old ciphertexts; rotating the data key (``kirok keys rotate``) destroys
the key that opens them. docs/protection.md says more.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import orjson
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kirok.evidence.protected import purge_source
from kirok.records import history
from kirok.records.exchange import ROW, SEALED
from kirok.records.models import Consent, Source, Version
from kirok.records.registry import ORDER, model_for

from . import signals
from .envelope import destroyed
from .models import BlindToken, Purge
from .principal import Principal
from .sealing import envelopes

BATCH = 500


class PurgeError(ValueError):
    """A purge that cannot run as asked; nothing was changed."""


@dataclass
class _Targets:
    by_type: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    witness_kept: bool = False

    def add(self, record_type: str, pks) -> None:
        self.by_type[record_type].update(pks)


def withdraw(source: Source, *, principal: Principal, reason: str, obtained_by: str = "") -> Purge:
    """Record the withdrawal of the source's consent and purge what it covered."""
    principal.require("purge")
    if not reason.strip():
        raise PurgeError(_("say why: a purge keeps only the reason and the hashes"))
    with transaction.atomic():
        _secure_delete(True)
        try:
            with history.changeset(user=principal.user, actor=principal.actor, reason=reason, kind="consent_withdrawal", source=source):
                Consent.objects.create(source=source, scopes=[], withdrawn=True, given_on=timezone.localdate(), obtained_by=obtained_by, note=reason)
            targets = _targets(source)
            commitments, counts = _destroy(targets)
            evidence = purge_source(source, user=principal.user, actor=principal.actor, reason=reason)
            commitments += evidence.commitments
            if evidence.items:
                counts["evidence_item"] = len(evidence.items)
            remains = list(evidence.remains)
            if targets.witness_kept:
                remains.append(_("the witness's names and other protected values: another of their sources is not withdrawn"))
            purge = Purge.objects.create(
                at=timezone.now(), user=principal.user, actor=principal.actor, source_uid=source.uid, reason=reason,
                counts=counts, commitments=commitments, remains=remains,
            )
            signals.purged.send(Purge, purge=purge)
        finally:
            _secure_delete(False)
        transaction.on_commit(_checkpoint)  # after the outermost commit: a checkpoint cannot run inside one
    return purge


def _targets(source: Source) -> _Targets:
    targets = _Targets()
    targets.add("source", [source.pk])
    for record_type in ORDER:
        model = model_for(record_type)
        targets.add(record_type, model.all_objects.filter(source_id=source.pk).values_list("pk", flat=True))
    if source.witness_id is not None:
        targets.add("person", [source.witness_id])
    # A person who is the witness of another source whose consent stands is still named by it.
    persons = targets.by_type["person"]
    named_elsewhere = {
        other.witness_id for other in Source.all_objects.filter(witness_id__in=persons).exclude(pk=source.pk)
        if not _withdrawn(other)
    }
    if named_elsewhere:
        targets.witness_kept = True
        persons -= named_elsewhere
    return targets


def _withdrawn(source: Source) -> bool:
    latest = source.consents.order_by("-id").first()
    return latest is not None and latest.withdrawn


def _destroy(targets: _Targets) -> tuple[list, dict]:
    """Strip ciphertexts from the live rows and every version of the targets, in batches."""
    commitments: list[list[str]] = []
    counts: dict[str, int] = {}
    for record_type, pks in targets.by_type.items():
        if not pks:
            continue
        model = model_for(record_type)
        children = _children(model)
        ordered = sorted(pks)
        n = 0
        for start in range(0, len(ordered), BATCH):
            part = ordered[start : start + BATCH]
            updates: dict[tuple, list] = defaultdict(list)
            for record in model.all_objects.filter(pk__in=part).prefetch_related(*children):
                uid = str(record.uid)
                n += _destroy_row(record, record_type, uid, commitments, updates)
                for accessor in children:
                    for child in getattr(record, accessor).all():
                        n += _destroy_row(child, record_type, uid, commitments, updates, accessor)
            _destroy_versions(record_type, model.all_objects.filter(pk__in=part).values_list("uid", flat=True), updates)
            for (table, columns), rows in updates.items():
                _update_json(table, columns, rows)
            BlindToken.objects.filter(record_type=record_type, record_id__in=part).delete()
        counts[record_type] = n
    return commitments, counts


def _update_json(table: str, columns: tuple[str, ...], rows: list[list]) -> None:
    """UPDATE the JSON columns of many rows at once (no save(): no new version, no sealing)."""
    cast = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    q = connection.ops.quote_name
    sql = f"UPDATE {q(table)} SET {', '.join(f'{q(c)} = {cast}' for c in columns)} WHERE {q('id')} = %s"
    with connection.cursor() as cur:
        cur.executemany(sql, [[*(orjson.dumps(v).decode() for v in values), pk] for *values, pk in rows])


def _children(model) -> list[str]:
    from kirok.records.models.base import Child

    return [
        rel.get_accessor_name() for rel in model._meta.related_objects
        if issubclass(rel.related_model, Child) and rel.related_model.owner_field == rel.field.name
    ]


def _destroy_row(row, record_type: str, uid: str, commitments: list, updates: dict, prefix: str = "") -> int:
    """Queue the row's JSON columns without ciphertexts in ``updates``; returns values destroyed."""
    changes: dict = {}
    n = 0
    sealed = {}
    for name, envelope in (row.sealed or {}).items():
        if "ct" in envelope:
            label = "+".join(envelope.get("names", ())) if name == ROW else name
            commitments.append([record_type, uid, f"{prefix}.{label}" if prefix else label, envelope["commit"]])
            n += 1
        sealed[name] = destroyed(envelope)
    if sealed != (row.sealed or {}):
        changes["sealed"] = sealed
    for json_field in ("extra", "translations"):
        value = getattr(row, json_field, None)
        if value:
            stripped, found = _strip(value)
            for path, commit in found:
                commitments.append([record_type, uid, ".".join((json_field, *map(str, path))), commit])
            if found:
                changes[json_field] = stripped
                n += len(found)
    if changes:
        updates[(row._meta.db_table, tuple(changes))].append([*changes.values(), row.pk])
    return n


def _strip(value) -> tuple[object, list[tuple[tuple, str]]]:
    """``value`` with every envelope cut to its commitment, and (path, commit) of those cut."""
    found = [(path, envelope["commit"]) for path, envelope in envelopes(value) if "ct" in envelope]
    return _without_ciphertext(value), found


def _without_ciphertext(value):
    if value.__class__ is dict:
        return {k: destroyed(v) if k == SEALED else _without_ciphertext(v) for k, v in value.items()}
    if value.__class__ is list:
        return [_without_ciphertext(v) for v in value]
    return value


def _destroy_versions(record_type: str, uids, updates: dict) -> None:
    for pk, uid, data, digest in Version.objects.filter(record_type=record_type, record_uid__in=uids).values_list(
        "id", "record_uid", "data", "digest"
    ):
        stripped, found = _strip(data)
        if not found:
            continue
        if history.digest(stripped) != digest:
            raise PurgeError(
                _("version %(id)s of %(type)s %(uid)s does not match its digest; run `kirok ledger verify` before purging")
                % {"id": pk, "type": record_type, "uid": uid}
            )
        updates[(Version._meta.db_table, ("data",))].append([stripped, pk])


def _secure_delete(on: bool) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA secure_delete = {'ON' if on else 'OFF'}")


def _checkpoint() -> None:
    """SQLite in WAL mode keeps old pages in the log until a checkpoint copies the new ones over
    them; TRUNCATE empties the log file too."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:  # inside a test's transaction it cannot run
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
