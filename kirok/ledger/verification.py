"""``verify``: recompute everything the ledger stands for and name the first thing that differs.

One pass over the entries in index order does most of it: each entry's digest is recomputed from
what it logs (by its kind: versions from their data, custody events from their fields, keys from
their public halves), its leaf hash from its fields, and every interior node the leaf completes,
which is compared with the stored node in the same order (stored nodes are numbered in the
order appends complete them). The roots at each checkpoint's size fall out of the same pass.
Then: the head, anything written but never logged, each checkpoint's root, signature, key,
time-stamp, and consistency with the checkpoint before it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext as _

from . import kinds, sql, timestamping, verifier
from .kinds import Problem
from .models import Checkpoint, Entry, Head, Node
from .tree import completed_by, leaf_position, stored_index

Progress = Callable[[str, int, int | None], None]


@dataclass
class Report:
    size: int = 0
    entries: int = 0
    nodes: int = 0
    checkpoints: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    problem: Problem | None = None
    seconds: float = 0.0
    seconds_recomputing: float = 0.0  # of which: recomputing what entries log (versions, custody events…)

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Found(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def verify(progress: Progress | None = None, *, subjects: bool = True) -> Report:
    """Check the whole ledger; the report's ``problem`` is the first inconsistency, or None.

    ``subjects=False`` checks the log alone (entries, nodes, head, checkpoints) and trusts
    that what the entries log is unchanged: a quick check for often, beside the full one.

    On PostgreSQL the check reads one snapshot (REPEATABLE READ; inside a caller's transaction,
    that transaction's view). On SQLite it reads the entries
    up to the size the head had when it started; appends made meanwhile are left for next time.
    """
    report = Report()
    progress = progress or (lambda label, done, total: None)
    started = time.perf_counter()
    try:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                _verify(report, progress, subjects)
        else:
            _verify(report, progress, subjects)
    except _Found as found:
        report.problem = found.problem
    report.seconds = time.perf_counter() - started
    return report


def _time_text() -> Callable[[object], str]:
    """A stored time as the entry's time text. SQLite hands back the naive UTC time Django
    wrote; taking it as it is, rather than through Django's converter to an aware time and back,
    saved a third of a check of the log (measured at 300,000 entries)."""
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    if convert is None:
        return verifier.format_time
    if connection.timezone_name == "UTC":
        return lambda raw: raw.isoformat(timespec="microseconds") + "Z" if raw.tzinfo is None else verifier.format_time(raw)
    return lambda raw: verifier.format_time(convert(raw, None, connection))


def _verify(report: Report, progress: Progress, subjects: bool) -> None:
    checkpoints = list(Checkpoint.objects.select_related("key").order_by("id"))
    head = Head.objects.filter(pk=1).first()
    size = head.size if head else 0
    report.size = size
    wanted = {cp.tree_size for cp in checkpoints}
    roots = {0: verifier.EMPTY_ROOT}
    seen: dict[str, set[str]] = defaultdict(set)
    key_entries: dict[str, int] = {}

    entries = sql.batches(Entry, ["index", "kind", "subject", "digest", "time", "leaf_hash"], sql.column_is("index", "<"), [size], ["index"])
    nodes = (row for batch in sql.batches(Node, ["id", "hash"], sql.column_is("id", "<"), [stored_index(0, size)], ["id"]) for row in batch)
    time_text = _time_text()
    stack: list[bytes] = []
    n = 0
    for batch in entries:
        recomputing = time.perf_counter()
        recomputed = _recompute(batch) if subjects else None
        report.seconds_recomputing += time.perf_counter() - recomputing
        for index, kind, subject, digest, appended, stored_leaf in batch:
            if index != n:
                raise _Found(Problem(_("entry %(n)s") % {"n": n}, _("an entry"), _("none: the next entry is %(index)s") % {"index": index},
                                     _("entries were removed from the ledger")))
            if recomputed is not None and recomputed.get(kind, {}).get(subject) != digest:
                _subject_problem(index, kind, subject, digest, recomputed)
            seen[kind].add(subject)
            if kind == "key":
                key_entries[subject] = index
            try:
                leaf = verifier.entry_leaf_hash(index, kind, subject, digest, time_text(appended))
            except (ValueError, TypeError, AttributeError) as exc:  # a field or the stored time is not what Kirok writes
                raise _Found(Problem(_entry(index, subject), _("well-formed fields"), str(exc))) from None
            if leaf != stored_leaf:
                raise _Found(Problem(_entry(index, subject), _("leaf hash %(hash)s recomputed from its fields") % {"hash": leaf.hex()},
                                     bytes(stored_leaf).hex(), _("the entry's fields or its leaf hash were changed")))
            position = leaf_position(n)
            for level, i, expected in completed_by(n, leaf, stack):
                stored = next(nodes, None)
                if stored is None or stored[0] != position + level or stored[1] != expected:
                    _node_problem(level, i, expected, stored)
                report.nodes += 1
            n += 1
            report.entries = n
            report.by_kind[kind] = report.by_kind.get(kind, 0) + 1
            if n in wanted:
                roots[n] = verifier.fold_right(stack)
        progress(_("entries"), n, size)
    if n != size:
        raise _Found(Problem(_("the ledger head"), _("%(size)s entries") % {"size": size}, _("%(n)s entries") % {"n": n},
                             _("entries were removed from the end of the ledger")))
    extra = next(nodes, None)
    if extra is not None:
        raise _Found(Problem(_("stored node %(id)s") % {"id": extra[0]}, _("no such node"), _("a node no entry completes")))
    root = verifier.fold_right(stack) if stack else verifier.EMPTY_ROOT
    if head is not None and bytes(head.root) != root:
        raise _Found(Problem(_("the ledger head"), _("root %(root)s recomputed from the entries") % {"root": root.hex()},
                             bytes(head.root).hex()))
    if subjects:
        _check_everything_logged(seen, size)
    _check_checkpoints(report, checkpoints, roots, key_entries, size, head.origin if head else "", progress)


def _recompute(batch: list[tuple]) -> dict[str, kinds.Recomputed]:
    subjects: dict[str, list[str]] = defaultdict(list)
    for _index, kind, subject, *_rest in batch:
        subjects[kind].append(subject)
    return {kind: kinds.registry[kind].recompute(s) for kind, s in subjects.items() if kind in kinds.registry}


def _entry(index: int, subject: str) -> str:
    return _("entry %(index)s (%(subject)s)") % {"index": index, "subject": subject}


def _subject_problem(index: int, kind: str, subject: str, digest: str, recomputed: dict[str, kinds.Recomputed]) -> None:
    where = _entry(index, subject)
    if kind not in kinds.registry:
        raise _Found(Problem(where, _("one of the kinds %(kinds)s") % {"kinds": ", ".join(sorted(kinds.registry))},
                             _("kind %(kind)r") % {"kind": kind}))
    now = recomputed[kind].get(subject)
    if now is None:
        raise _Found(Problem(where, _("%(subject)s to exist") % {"subject": subject}, _("nothing: it was removed"),
                             _("what this entry logged is gone from the database")))
    if isinstance(now, Problem):
        raise _Found(now)
    raise _Found(Problem(where, _("digest %(digest)s recomputed from %(subject)s now") % {"digest": now, "subject": subject},
                         _("%(digest)s (logged)") % {"digest": digest},
                         _("what the entry logged was changed after it was logged, or the entry was")))


def _node_problem(level: int, index: int, expected: bytes, stored: tuple | None) -> None:
    sid = stored_index(level, index)
    first, last = index << level, ((index + 1) << level) - 1
    where = _("node level %(level)s index %(index)s (entries %(first)s–%(last)s, stored as %(id)s)") % {
        "level": level, "index": index, "first": first, "last": last, "id": sid}
    if stored is None or stored[0] > sid:
        raise _Found(Problem(where, _("a stored node"), _("none"), _("the node was removed")))
    if stored[0] < sid:
        raise _Found(Problem(_("stored node %(id)s") % {"id": stored[0]}, _("no such node"), _("a node no entry completes")))
    raise _Found(Problem(where, _("hash %(hash)s recomputed from the entries") % {"hash": expected.hex()}, bytes(stored[1]).hex()))


def _check_everything_logged(seen: dict[str, set[str]], size: int) -> None:
    for name, kind in kinds.registry.items():
        logged = seen.get(name, set())
        for subject in kind.must_log():
            if subject in logged or Entry.objects.filter(subject=subject, index__gte=size).exists():
                continue  # logged, possibly by an append made while this check ran
            raise _Found(Problem(subject, _("an entry in the ledger"), _("none"),
                                 _("it was written without being logged (or its entry was removed)")))


def _check_checkpoints(report, checkpoints, roots, key_entries, size, origin, progress) -> None:
    from .services import consistency_proof

    previous = None
    for number, cp in enumerate(checkpoints, 1):
        where = _("checkpoint %(id)s (size %(size)s, %(time)s)") % {"id": cp.pk, "size": cp.tree_size, "time": verifier.format_time(cp.time)}
        if cp.tree_size > size:
            raise _Found(Problem(where, _("at most %(size)s entries") % {"size": size}, _("%(n)s entries") % {"n": cp.tree_size},
                                 _("the checkpoint claims entries the ledger does not have")))
        if bytes(cp.root) != roots[cp.tree_size]:
            raise _Found(Problem(where, _("root %(root)s recomputed from the entries") % {"root": roots[cp.tree_size].hex()},
                                 bytes(cp.root).hex()))
        try:
            verifier.verify_signature(cp.statement(origin), bytes(cp.key.public_key), bytes(cp.signature), cp.key.name)
        except verifier.VerificationError as exc:
            raise _Found(Problem(where, _("a valid signature by %(key)s") % {"key": cp.key.name}, str(exc))) from None
        announced = key_entries.get(kinds.key_subject(cp.key.key_id))
        if announced is None or announced >= cp.tree_size:
            raise _Found(Problem(where, _("key %(key)s logged within the tree it signs") % {"key": cp.key.name},
                                 _("not logged before entry %(n)s") % {"n": cp.tree_size}))
        if cp.tsa_token:
            try:
                timestamping.verify(cp, origin)
            except timestamping.TimestampInvalid as exc:
                raise _Found(Problem(where, _("a valid RFC 3161 time-stamp"), str(exc))) from None
        if previous is not None:
            _check_consistency(where, previous, cp, consistency_proof)
        previous = cp
        report.checkpoints = number
        progress(_("checkpoints"), number, len(checkpoints))


def _check_consistency(where: str, previous: Checkpoint, cp: Checkpoint, consistency_proof) -> None:
    if cp.tree_size < previous.tree_size:
        raise _Found(Problem(where, _("at least %(size)s entries, as checkpoint %(id)s had") % {"size": previous.tree_size, "id": previous.pk},
                             _("%(n)s entries") % {"n": cp.tree_size}, _("the ledger shrank between two checkpoints")))
    try:
        verifier.verify_consistency(previous.tree_size, cp.tree_size, bytes(previous.root), bytes(cp.root),
                                    consistency_proof(previous.tree_size, cp.tree_size))
    except verifier.VerificationError as exc:
        raise _Found(Problem(where, _("consistent with checkpoint %(id)s") % {"id": previous.pk}, str(exc))) from None
