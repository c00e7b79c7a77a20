"""What the CLI, the web and other apps call: append, prove, checkpoint, rotate keys, verify.

Appending happens inside the caller's transaction, so an entry is committed with the thing it
logs or not at all. Appenders are serialised by the head row: ``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite the IMMEDIATE transaction already holds the database's write lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import keys, kinds, sql, timestamping, verifier
from .models import Checkpoint, Entry, Head, Node, SigningKey
from .tree import (
    Subtree, complete_subtrees, completed_by, consistency_spans, inclusion_from_stream, inclusion_spans, leaf_position, resolve, stored_index,
)
from .verification import Report, verify

__all__ = [
    "append", "append_many", "inclusion_proof", "consistency_proof", "root_at", "checkpoint", "rotate_key",
    "current_key", "verify", "Report", "status", "NotInTransaction", "inclusion_document", "version_document",
    "consistency_document", "ProofUnavailable",
]

BATCH = 5000


class ProofUnavailable(LookupError):
    """What was asked for is not in the ledger (yet), or no checkpoint covers it."""


class NotInTransaction(RuntimeError):
    """An append outside a transaction could leave an entry without the thing it logs."""


def _head(lock: bool) -> Head:
    heads = Head.objects.select_for_update() if lock else Head.objects
    head = heads.filter(pk=1).first()
    if head is None:
        Head.objects.bulk_create([Head(id=1, origin=f"kirok/ledger/{uuid.uuid4()}")], ignore_conflicts=True)
        head = heads.get(pk=1)
    return head


def lookup(wanted: set[Subtree]) -> dict[Subtree, bytes]:
    """Stored hashes of complete subtrees: leaves from Entry, interior ones from Node."""
    leaves = [i for level, i in wanted if level == 0]
    nodes = {stored_index(level, i): (level, i) for level, i in wanted if level > 0}
    found: dict[Subtree, bytes] = {}
    if leaves:
        found.update(((0, i), bytes(h)) for i, h in sql.select(Entry, ["index", "leaf_hash"], sql.column_in("index", leaves), leaves))
    if nodes:
        ids = list(nodes)
        found.update((nodes[i], bytes(h)) for i, h in sql.select(Node, ["id", "hash"], sql.column_in("id", ids), ids))
    missing = wanted - found.keys()
    if missing:
        level, index = min(missing)
        raise LookupError(_("the ledger has no stored hash for level %(level)s index %(index)s; run `kirok ledger verify`")
                          % {"level": level, "index": index})
    return found


def append(kind: str, subject: str, digest: str) -> Entry:
    return _append([(kind, subject, digest)])[1]


def append_many(items: Iterable[tuple[str, str, str]]) -> range:
    """Append (kind, subject, digest) entries in order; must run inside ``transaction.atomic``.
    Returns the indexes they got."""
    first, last = _append(items)
    return range(first, first if last is None else last.index + 1)


def _append(items: Iterable[tuple[str, str, str]]) -> tuple[int, Entry | None]:
    """Write entries and the nodes they complete in batches; returns the first index and the last
    entry made. Memory stays small: one batch of rows and the tree's right edge (≤ log2 n hashes)."""
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction(_("ledger entries are appended inside the transaction that writes what they log"))
    head = _head(lock=True)
    now = timezone.now()
    when = verifier.format_time(now)
    stack = _right_edge(head.size)
    first = n = head.size
    stored_time = connection.ops.adapt_datetimefield_value(now)
    entries: list[tuple] = []
    nodes: list[tuple] = []
    last = None
    for kind, subject, digest in items:
        verifier.check_entry_fields(kind, subject, digest, when)
        h = verifier.entry_leaf_hash(n, kind, subject, digest, when)
        last = (n, kind, subject, digest, stored_time, h)
        entries.append(last)
        position = leaf_position(n)
        nodes.extend((position + level, nh) for level, _index, nh in completed_by(n, h, stack))
        n += 1
        if len(entries) >= BATCH:
            _write(entries, nodes)
    _write(entries, nodes)
    head.size = n
    head.root = verifier.fold_right(stack) if stack else verifier.EMPTY_ROOT
    head.save(update_fields=["size", "root"])
    if last is None:
        return first, None
    index, kind, subject, digest, _time, h = last
    return first, Entry(index=index, kind=kind, subject=subject, digest=digest, time=now, leaf_hash=h)


def _write(entries: list[tuple], nodes: list[tuple]) -> None:
    """Plain ``executemany``: model instances and the ORM's per-row work were most of an
    append's time (measured), and these rows need neither."""
    sql.insert_many(Entry, ["index", "kind", "subject", "digest", "time", "leaf_hash"], entries)
    sql.insert_many(Node, ["id", "hash"], nodes)
    entries.clear()
    nodes.clear()


def _right_edge(size: int) -> list[bytes]:
    """The complete subtrees along the tree's right edge, largest first: all an append needs."""
    edge = complete_subtrees(0, size)
    found = lookup(set(edge)) if edge else {}
    return [found[t] for t in edge]


def size() -> int:
    found = sql.select(Head, ["size"], sql.column_is("id"), [1])
    return found[0][0] if found else 0


def root_at(tree_size: int) -> bytes:
    if tree_size == 0:
        return verifier.EMPTY_ROOT
    return resolve([(0, tree_size)], lookup)[0]


def _check_size(tree_size: int) -> None:
    current = size()
    if not 0 <= tree_size <= current:
        raise ValueError(_("the ledger has %(size)s entries, not %(asked)s") % {"size": current, "asked": tree_size})


def inclusion_proof(index: int, tree_size: int | None = None) -> list[bytes]:
    """RFC 6962 PATH for entry ``index`` in the tree of ``tree_size`` entries (default: all)."""
    tree_size = size() if tree_size is None else tree_size
    _check_size(tree_size)
    if not 0 <= index < tree_size:
        raise ValueError(_("entry %(index)s is not in a tree of %(size)s entries") % {"index": index, "size": tree_size})
    return resolve(inclusion_spans(index, tree_size), lookup)


def consistency_proof(old: int, new: int | None = None) -> list[bytes]:
    """RFC 6962 PROOF that the tree of ``new`` entries extends the one of ``old``."""
    new = size() if new is None else new
    _check_size(new)
    if not 0 <= old <= new:
        raise ValueError(_("a tree of %(new)s entries cannot extend one of %(old)s") % {"new": new, "old": old})
    return resolve(consistency_spans(old, new), lookup)


# --- keys and checkpoints ----------------------------------------------------------------------


def _new_key(reason: str) -> tuple[SigningKey, keys.Ed25519PrivateKey]:
    """Make a key and log it, inside the caller's transaction: the log announces every key."""
    kid, private = keys.generate()
    key = SigningKey.objects.create(key_id=kid, public_key=keys.public_bytes(private), created=timezone.now(), reason=reason)
    key.refresh_from_db()  # the stored time, which is what verify recomputes the digest from
    append("key", kinds.key_subject(kid), verifier.key_digest(key.vkey, verifier.format_time(key.created)))
    return key, private


def current_key() -> tuple[SigningKey, keys.Ed25519PrivateKey]:
    """The key that signs now, made (and logged) on first use."""
    with transaction.atomic():
        key = SigningKey.objects.filter(retired__isnull=True).order_by("-created", "-id").first()
        if key is None:
            return _new_key(_("first key of this workspace"))
        return key, keys.load(key.key_id)


def _sign_head(key: SigningKey, private: keys.Ed25519PrivateKey) -> Checkpoint:
    head = _head(lock=True)
    now = timezone.now()
    statement = verifier.Checkpoint(head.origin, head.size, bytes(head.root), verifier.format_time(now))
    return Checkpoint.objects.create(
        tree_size=head.size, root=bytes(head.root), time=now, key=key, signature=verifier.sign_checkpoint(statement, private),
    )


def checkpoint() -> Checkpoint:
    """Sign the current tree head; time-stamp it too when a TSA is configured (KIROK_TSA_URL)."""
    with transaction.atomic():
        key, private = current_key()
        made = _sign_head(key, private)
    if timestamping.configured():
        timestamping.stamp(made, origin())
    return made


def rotate_key(reason: str) -> SigningKey:
    """Start signing with a new key. The new key is logged, and the old key (if this machine
    still has it) signs a checkpoint over that entry, vouching for its successor. Checkpoints
    keep verifying with the key that signed them."""
    if not reason.strip():
        raise ValueError(_("say why the key is rotated"))
    with transaction.atomic():
        old = SigningKey.objects.select_for_update().filter(retired__isnull=True).order_by("-created", "-id").first()
        new, _private = _new_key(reason)
        if old is not None:
            try:
                _sign_head(old, keys.load(old.key_id))
            except keys.KeyFileMissing:
                pass  # a lost key cannot vouch for its successor; the rotation entry still logs it
            old.retired = timezone.now()
            old.save(update_fields=["retired"])
    return new


def origin() -> str:
    return _head(lock=False).origin


@dataclass(frozen=True)
class Status:
    origin: str
    size: int
    root: bytes
    last_checkpoint: Checkpoint | None
    key: SigningKey | None


def status() -> Status:
    head = _head(lock=False)
    last = Checkpoint.objects.select_related("key").order_by("-id").first()
    key = SigningKey.objects.filter(retired__isnull=True).order_by("-created", "-id").first()
    return Status(head.origin, head.size, bytes(head.root), last, key)


# --- proof files (verifier.py reads them) ------------------------------------------------------


def _checkpoint_for(tree_size: int | None, index: int) -> Checkpoint | None:
    """The newest checkpoint of exactly ``tree_size``, or, with no size, the newest one that
    covers entry ``index`` (an unsigned root proves little to an outsider)."""
    found = Checkpoint.objects.select_related("key").order_by("-id")
    if tree_size is not None:
        return found.filter(tree_size=tree_size).first()
    cp = found.filter(tree_size__gt=index).first()
    if cp is None:
        raise ProofUnavailable(_("no checkpoint covers entry %(index)s yet: run `kirok ledger checkpoint` first")
                               % {"index": index})
    return cp


def _document(kind: str, **fields) -> dict:
    return {"format": verifier.PROOF_FORMAT, "type": kind, "origin": origin(), **fields,
            "keys": [k.vkey for k in SigningKey.objects.order_by("created", "id")]}


def inclusion_document(index: int, tree_size: int | None = None) -> dict:
    """Everything an outsider needs to check that entry ``index`` is in the signed log."""
    entry = Entry.objects.filter(index=index).first()
    if entry is None:
        raise ProofUnavailable(_("the ledger has no entry %(index)s") % {"index": index})
    cp = _checkpoint_for(tree_size, index)
    tree_size = cp.tree_size if cp is not None else tree_size
    return _document(
        "inclusion", tree_size=tree_size, root=(bytes(cp.root) if cp else root_at(tree_size)).hex(), entry=entry.as_dict(),
        path=[h.hex() for h in inclusion_proof(index, tree_size)], checkpoint=cp.note(origin()) if cp else None,
    )


def version_document(version_id: int, tree_size: int | None = None) -> dict:
    """Inclusion of one record version: its place among its changeset's versions (the tree
    whose head the changeset's entry logged), then that entry's place in the log."""
    from kirok.records.models import Version

    version = Version.objects.filter(pk=version_id).first()
    if version is None:
        raise ProofUnavailable(_("there is no version %(id)s") % {"id": version_id})
    entry = Entry.objects.filter(kind="changeset", subject=f"changeset:{version.changeset_id}").order_by("index").first()
    if entry is None:
        raise ProofUnavailable(_("changeset %(id)s is not in the ledger; `kirok ledger verify` says why") % {"id": version.changeset_id})
    siblings = Version.objects.filter(changeset_id=version.changeset_id)
    count = siblings.count()
    position = siblings.filter(id__lt=version.pk).count()
    digests = version_digests(version.changeset_id)
    path = inclusion_from_stream((verifier.leaf_hash(bytes.fromhex(d)) for d in digests), position, count)
    doc = inclusion_document(entry.index, tree_size)
    doc["version"] = {"id": version.pk, "record_type": version.record_type, "record_uid": str(version.record_uid),
                      "digest": version.digest, "position": position, "count": count, "path": [h.hex() for h in path]}
    return doc


def version_digests(changeset_id: int) -> Iterator[str]:
    """A changeset's version digests in version-id order: the leaves its ledger entry commits to."""
    from kirok.records.models import Version

    for batch in sql.batches(Version, ["digest"], sql.column_is("changeset_id"), [changeset_id], ["id"]):
        for (digest,) in batch:
            yield digest


def consistency_document(old: int, new: int | None = None) -> dict:
    """Proof that the log of ``new`` entries extends the log of ``old`` entries unchanged."""
    new = size() if new is None else new

    def side(tree_size: int) -> dict:
        cp = Checkpoint.objects.select_related("key").filter(tree_size=tree_size).order_by("-id").first()
        return {"size": tree_size, "root": root_at(tree_size).hex(), "checkpoint": cp.note(origin()) if cp else None}

    path = consistency_proof(old, new)
    return _document("consistency", old=side(old), new=side(new), path=[h.hex() for h in path])
