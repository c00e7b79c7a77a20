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

import functools
import hashlib
import math
import multiprocessing
import os
import re
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date

import orjson
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kirok.records import exchange, history

from . import kinds, sql, timestamping, verifier
from .kinds import Problem
from .models import Checkpoint, Entry, Head, Node
from .tree import completed_by, leaf_position, stored_index

BATCH = 20000  # rows a query hands back at a time: fewer, larger batches cost less per entry (measured)

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
    """The first inconsistency, and where it comes in the order of the checks: ``at`` is
    (entry index, GAP | SUBJECT | LOG) for what one entry shows, (END, HEAD | UNLOGGED) after
    them. When a second process checks what the entries log, the earlier of the two finds is
    the one reported, as if one process had checked everything in order."""

    def __init__(self, problem: Problem, at: tuple[float, int] | None = None):
        self.problem = problem
        self.at = at


GAP, SUBJECT, LOG = 0, 1, 2  # for one entry: is it there, what it logs, its leaf and the nodes it completes
END, HEAD, UNLOGGED = math.inf, 3, 4  # after every entry: the head, then anything unlogged

PARALLEL_FROM = 100_000
"""Entries from which what they log is recomputed by a second process beside the check of the
log itself (when the machine has two cores or more): below that, starting it costs more than
it saves."""


def verify(progress: Progress | None = None, *, subjects: bool = True, parallel: bool = False) -> Report:
    """Check the whole ledger; the report's ``problem`` is the first inconsistency, or None.

    ``subjects=False`` checks the log alone (entries, nodes, head, checkpoints) and trusts
    that what the entries log is unchanged: a quick check for often, beside the full one.

    ``parallel=True`` (the command's choice: a command is a process of its own, which can fork
    a helper safely; a web worker is not) lets a second process recompute what the entries log while this one checks the log,
    when there are two cores, ``PARALLEL_FROM`` entries or more, and nothing the caller has not
    committed (outside a transaction, and not SQLite in memory).

    On PostgreSQL the check reads one snapshot (REPEATABLE READ; inside a caller's transaction,
    that transaction's view; the second process reads the same snapshot). On SQLite it reads the
    entries up to the size the head had when it started; appends made meanwhile are left for
    next time.
    """
    report = Report()
    progress = progress or (lambda label, done, total: None)
    started = time.perf_counter()
    parallel = (parallel and subjects and not connection.in_atomic_block and (os.cpu_count() or 1) > 1
                and "fork" in multiprocessing.get_all_start_methods())
    try:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                _verify(report, progress, subjects, parallel)
        else:
            _verify(report, progress, subjects, parallel and not connection.is_in_memory_db())
    except _Found as found:
        report.problem = found.problem
        if found.at is not None and found.at[1] == SUBJECT:
            report.entries = found.at[0]
    report.seconds = time.perf_counter() - started
    return report


def _entries(size: int) -> tuple[Iterator[list[tuple]], Callable[[object], str]]:
    """The entries below ``size`` in index order, and how to turn a stored time into its entry's
    time text."""
    columns = ["index", "kind", "subject", "digest", "time", "leaf_hash"]
    if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
        columns[4] = sql.as_text("time")
        time_text = _sqlite_time_text
    elif (convert := getattr(connection.ops, "convert_datetimefield_value", None)) is not None:
        time_text = lambda raw: verifier.format_time(convert(raw, None, connection))  # noqa: E731
    else:
        time_text = verifier.format_time
    return sql.batches(Entry, columns, sql.column_is("index", "<"), [size], ["index"], BATCH), time_text


_STORED_TIME = re.compile(r"\d{4}-\d\d-\d\d (?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}", re.ASCII)


@functools.lru_cache(maxsize=4096)
def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _sqlite_time_text(raw: str) -> str:
    """An entry's time text from the time as SQLite stores it: the naive UTC time as text,
    ``2025-03-01 09:30:00.123456`` for every time Kirok writes. That form is turned into
    ``2025-03-01T09:30:00.123456Z`` directly, once it is sure to be a valid time (the clock by
    pattern, the date once per day); anything else goes through Django's own ``parse_datetime``,
    as its converter would. About half the time of parsing and formatting each (measured), on
    a million entries a second or more of a check of the log."""
    if _STORED_TIME.fullmatch(raw) and _valid_date(raw[:10]):
        return f"{raw[:10]}T{raw[11:]}Z"
    moment = parse_datetime(raw)
    return moment.isoformat(timespec="microseconds") + "Z" if moment.tzinfo is None else verifier.format_time(moment)


def _verify(report: Report, progress: Progress, subjects: bool, parallel: bool) -> None:
    checkpoints = list(Checkpoint.objects.select_related("key").order_by("id"))
    head = Head.objects.filter(pk=1).first()
    size = head.size if head else 0
    report.size = size
    roots = {0: verifier.EMPTY_ROOT}
    key_entries: dict[str, int] = {}
    helper = _Helper(size) if subjects and parallel and size >= PARALLEL_FROM else None
    checked = _Subjects() if subjects and helper is None else None
    try:
        found = None
        try:
            _walk(report, progress, size, head, checked, {cp.tree_size for cp in checkpoints}, roots, key_entries)
        except _Found as exc:
            found = exc
        if helper is not None:
            found = helper.first(found, report, progress)
            checked = helper.checked
        if found is not None:
            raise found
    finally:
        if helper is not None:
            helper.stop()
    if checked is not None:
        checked.everything_logged(size)
        report.seconds_recomputing = checked.seconds
    _check_checkpoints(report, checkpoints, roots, key_entries, size, head.origin if head else "", progress)


def _walk(report: Report, progress: Progress, size: int, head: Head | None, checked: _Subjects | None, wanted: set[int],
          roots: dict[int, bytes], key_entries: dict[str, int]) -> None:
    """One pass over the entries in index order: each leaf hash recomputed from the entry's
    fields, each interior node it completes against the stored one (stored nodes are numbered
    in the order appends complete them), the roots at the checkpoints' sizes, then the head.
    With ``checked``, what each entry logs is recomputed on the way, before its leaf."""
    entries, time_text = _entries(size)
    node_batches = sql.batches(Node, ["id", "hash"], sql.column_is("id", "<"), [stored_index(0, size)], ["id"], BATCH)
    # Closed when done or not: a PostgreSQL server-side cursor left to the garbage collector
    # would be closed whenever it runs, even in the middle of another statement (a COPY hangs).
    with closing(entries), closing(node_batches):
        nodes = (row for batch in node_batches for row in batch)
        entry_leaf_hash = verifier.entry_leaf_hash
        stack: list[bytes] = []
        n = 0
        for batch in entries:
            failed = checked.first_failure(batch) if checked else None
            stop = failed[0] if failed else -1
            try:
                for index, kind, subject, digest, appended, stored_leaf in batch:
                    if index != n:
                        raise _Found(Problem(_("entry %(n)s") % {"n": n}, _("an entry"), _("none: the next entry is %(index)s") % {"index": index},
                                             _("entries were removed from the ledger")), (index, GAP))
                    if index == stop:
                        raise _Found(failed[1], (index, SUBJECT))
                    if kind == "key":
                        key_entries[subject] = index
                    try:
                        leaf = entry_leaf_hash(index, kind, subject, digest, time_text(appended))
                    except (ValueError, TypeError, AttributeError) as exc:  # a field or the stored time is not what Kirok writes
                        raise _Found(Problem(_entry(index, subject), _("well-formed fields"), str(exc))) from None
                    if leaf != stored_leaf:
                        raise _Found(Problem(_entry(index, subject), _("leaf hash %(hash)s recomputed from its fields") % {"hash": leaf.hex()},
                                             bytes(stored_leaf).hex(), _("the entry's fields or its leaf hash were changed")))
                    if n & 1:  # the leaf completes subtrees, whose stored nodes follow its position
                        position = leaf_position(n)
                        for level, i, expected in completed_by(n, leaf, stack):
                            stored = next(nodes, None)
                            if stored is None or stored[0] != position + level or stored[1] != expected:
                                _node_problem(level, i, expected, stored)
                            report.nodes += 1
                    else:
                        stack.append(leaf)
                    n += 1
                    if n in wanted:
                        roots[n] = verifier.fold_right(stack)
            except _Found as found:
                found.at = found.at or (n, LOG)
                raise
            finally:
                report.entries = n
            for kind, count in Counter(row[1] for row in batch).items():
                report.by_kind[kind] = report.by_kind.get(kind, 0) + count
            progress(_("entries"), n, size)
        if n != size:
            raise _Found(Problem(_("the ledger head"), _("%(size)s entries") % {"size": size}, _("%(n)s entries") % {"n": n},
                                 _("entries were removed from the end of the ledger")), (END, HEAD))
        extra = next(nodes, None)
        if extra is not None:
            raise _Found(Problem(_("stored node %(id)s") % {"id": extra[0]}, _("no such node"), _("a node no entry completes")), (END, HEAD))
        root = verifier.fold_right(stack) if stack else verifier.EMPTY_ROOT
        if head is not None and bytes(head.root) != root:
            raise _Found(Problem(_("the ledger head"), _("root %(root)s recomputed from the entries") % {"root": root.hex()},
                                 bytes(head.root).hex()), (END, HEAD))


class _Subjects:
    """That every entry's digest is what its kind recomputes now from what it logs, and that
    everything that must be logged is.

    The kinds' own ``recompute`` is the definition and the only thing that reports. For
    changesets, nearly all entries, a faster path comes first and may only say "equal":
    ``_changeset_heads`` reads the versions as text in few queries and hashes them with orjson
    and hashlib (16 µs a version through the ORM and ``digest_of_version``, measured at
    1,000,000; 1.5 µs for this digest of a small version, measured alone). Whatever it does not confirm goes to the kind's ``recompute``, so a
    problem is reported exactly as without it."""

    def __init__(self) -> None:
        self.logged: dict[str, list[str]] = defaultdict(list)
        self.changesets: set[int] = set()  # ids of changesets whose entry (subject changeset:<id>) checked out
        self.seconds = 0.0

    def first_failure(self, batch: list[tuple]) -> tuple[int, Problem] | None:
        """The first entry of ``batch`` whose digest differs from what is recomputed now, with
        what the kind says about it."""
        started = time.perf_counter()
        ids = {row[0]: cid for row in batch if row[1] == "changeset" and (cid := _changeset_id(row[2])) is not None}
        heads = _changeset_heads(sorted(set(ids.values()))) if ids else {}
        rest = [row for row in batch if row[0] not in ids or heads.get(ids[row[0]]) != row[3]]
        recomputed = _recompute(rest)
        for index, kind, subject, digest, *_rest in rest:
            if recomputed.get(kind, {}).get(subject) != digest:
                self.seconds += time.perf_counter() - started
                return index, _subject_problem(index, kind, subject, digest, recomputed)
        for row in batch:
            if row[0] not in ids:  # a changeset's subject is kept as its id, in self.changesets
                self.logged[row[1]].append(row[2])
        self.changesets.update(ids.values())
        self.seconds += time.perf_counter() - started
        return None

    def everything_logged(self, size: int) -> None:
        """Every subject a kind says must be logged has an entry. For changesets a count does:
        each logged one was just found to have versions, so if as many changesets have versions
        as were logged, none is missing; if not, the kind's own list says which."""
        for name, kind in kinds.registry.items():
            if name == "changeset" and len(self.changesets) == _changesets_with_versions():
                continue
            logged = set(self.logged.get(name, ()))
            if name == "changeset":
                logged.update(f"changeset:{cid}" for cid in self.changesets)
            for subject in kind.must_log():
                if subject in logged or Entry.objects.filter(subject=subject, index__gte=size).exists():
                    continue  # logged, possibly by an append made while this check ran
                raise _Found(Problem(subject, _("an entry in the ledger"), _("none"),
                                     _("it was written without being logged (or its entry was removed)")), (END, UNLOGGED))


def _shares() -> int:
    """How many processes recompute what the entries log. Two even on two cores: the check of
    the log takes about 5 s of CPU at a million entries and the recomputing about 7, so one
    helper leaves a core idle for 2 s, while two halves of 3.5 s let the three processes share
    both cores to the end (measured: 9.8 → 7.5 s at a million)."""
    return max(2, min(4, (os.cpu_count() or 1) - 1))


class _Helper:
    """Second processes that recompute what the entries log (``_Subjects``), each over its share
    of the entries, while this one checks the log itself. Forked, they start at once with
    everything imported; each reads through a connection of its own (on PostgreSQL, in this
    transaction's snapshot, exported to it) and sends back its first find, if any, its time and
    what it found logged, from which this process checks that nothing unlogged is left."""

    def __init__(self, size: int):
        context = multiprocessing.get_context("fork")
        snapshot = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_export_snapshot()")
                snapshot = cur.fetchone()[0]
        self.size = size
        self.limit = context.Value("d", END, lock=False)  # no need to check entries after this index: a problem was found there
        shares = _shares()
        bounds = [size * i // shares for i in range(shares + 1)]
        self.processes, self.results, self.done = [], [], []
        for lo, hi in zip(bounds, bounds[1:]):
            done = context.Value("q", 0, lock=False)
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_helper_main, args=(lo, hi, snapshot, self.limit, done, sender),
                                      name="kirok ledger verify: subjects", daemon=True)
            process.start()
            sender.close()
            self.processes.append(process)
            self.results.append(receiver)
            self.done.append(done)
        self.checked = _Subjects()  # what they found logged, merged, once every one has answered

    def first(self, found: _Found | None, report: Report, progress: Progress) -> _Found | None:
        """Whichever of this process's find and the helpers' comes first in the order of the checks."""
        if found is not None:
            self.limit.value = found.at[0]
        label = _("recomputing what the entries log")
        for process, results in zip(self.processes, self.results):
            while not results.poll(0.25):
                progress(label, sum(done.value for done in self.done), self.size)
                if not process.is_alive() and not results.poll(0):
                    raise RuntimeError(_("the second process of `kirok ledger verify` ended without an answer (exit code %(code)s)")
                                       % {"code": process.exitcode})
            outcome, answer = results.recv()
            if outcome == "error":
                raise RuntimeError(_("the second process of `kirok ledger verify` failed:\n%(trace)s") % {"trace": answer})
            seconds, theirs, logged, changesets = answer
            self.checked.seconds = max(self.checked.seconds, seconds)
            for kind, subjects in logged.items():
                self.checked.logged[kind].extend(subjects)
            self.checked.changesets.update(changesets)
            if theirs is not None and (found is None or theirs[1] < found.at):
                found = _Found(*theirs)
                self.limit.value = found.at[0]
        report.seconds_recomputing = self.checked.seconds
        progress(label, self.size, self.size)
        return found

    def stop(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for results in self.results:
            results.close()


_inherited: list = []


def _helper_main(lo: int, hi: int, snapshot: str | None, limit, done, sender) -> None:
    """A helper process: ``_Subjects`` over the entries from ``lo`` below ``hi``, until an entry
    after ``limit`` (where a problem was found) or the end of its share."""
    try:
        # The forked connection is the parent's: keep it referenced and unused (closing it would
        # end the parent's PostgreSQL session; the process ends with os._exit, closing nothing).
        _inherited.append(connections[DEFAULT_DB_ALIAS])
        connections[DEFAULT_DB_ALIAS] = connections.create_connection(DEFAULT_DB_ALIAS)
        checked = _Subjects()
        with transaction.atomic():
            if snapshot is not None:
                if not re.fullmatch(r"[0-9A-Fa-f-]+", snapshot):
                    raise ValueError(f"unexpected snapshot id {snapshot!r}")
                with connection.cursor() as cur:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    cur.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            found = _helper_check(checked, lo, hi, limit, done)
        connection.close()
        sender.send(("ok", (checked.seconds, found, dict(checked.logged), checked.changesets)))
    except BaseException:  # noqa: BLE001 - everything goes back to the parent, which raises it
        sender.send(("error", traceback.format_exc()))


def _helper_check(checked: _Subjects, lo: int, hi: int, limit, done) -> tuple[Problem, tuple[float, int]] | None:
    if lo >= hi:
        return None
    with closing(sql.batches(Entry, ["index", "kind", "subject", "digest"], sql.column_between("index"), [lo, hi - 1], ["index"], BATCH)) as entries:
        for batch in entries:
            if batch[0][0] > limit.value:
                return None
            failed = checked.first_failure(batch)
            if failed is not None:
                return failed[1], (failed[0], SUBJECT)
            done.value = batch[-1][0] + 1 - lo
    return None


def _changeset_id(subject: str) -> int | None:
    """The changeset a subject names, only when written exactly as Kirok writes it
    (``changeset:<id>``, ASCII digits, no leading zero)."""
    found = _CHANGESET_SUBJECT(subject)
    return int(found[1]) if found is not None else None


_CHANGESET_SUBJECT = re.compile(r"changeset:(0|[1-9][0-9]*)").fullmatch


def _changesets_with_versions() -> int:
    from kirok.records.models import Version

    return sql.select(Version, [sql.Expression("COUNT(DISTINCT changeset_id)")], "1 = 1", [])[0][0]


def _changeset_heads(ids: list[int]) -> dict[int, str]:
    """The tree head over the versions' digests of each changeset in ``ids`` (sorted) that has
    versions, each digest recomputed from the version's data; a changeset with a version whose
    stored digest the fast hash does not confirm is left out. Ids close together (the usual case:
    changesets are logged in about the order they were made) are read as one range."""
    from kirok.records.models import Version

    if ids[-1] - ids[0] < 2 * len(ids):
        parts = [(sql.column_between("changeset_id"), [ids[0], ids[-1]])]
    else:
        parts = [(sql.column_in("changeset_id", part), part) for part in (ids[i:i + sql.BATCH] for i in range(0, len(ids), sql.BATCH))]
    wanted = set(ids)
    heads: dict[int, str] = {}
    leaf_hash, unconfirmed = verifier.leaf_hash, set()
    current, leaves = None, []
    for where, params in parts:
        with closing(sql.batches(Version, ["changeset_id", "data", "digest"], where, params, ["changeset_id", "id"], BATCH)) as versions:
            for batch in versions:
                for cid, raw, stored in batch:
                    if cid != current:
                        if leaves:
                            heads[current] = _head(leaves)
                        current, leaves = cid, []
                    if cid in wanted and cid not in unconfirmed:
                        digest = version_digest(raw)
                        if digest == stored:
                            leaves.append(leaf_hash(bytes.fromhex(digest)))
                        else:
                            unconfirmed.add(cid)
                            leaves = []
    if leaves:
        heads[current] = _head(leaves)
    for cid in unconfirmed:
        heads.pop(cid, None)
    return heads


def _head(leaves: list[bytes]) -> str:
    """The tree head in hex; a tree of one leaf (a changeset of one version, the commonest) is
    that leaf, which saves the general tree code a million calls at a million changesets."""
    return (leaves[0] if len(leaves) == 1 else verifier.root_of(leaves)).hex()


_SEALED_KEY = f'"{exchange.SEALED}"'.encode()


def version_digest(raw) -> str | None:
    """``history.digest_of_version`` of a version stored as JSON text ``raw``, without the
    ORM: orjson decodes it (to the same value as Django's ``json.loads``) and writes it in the
    canonical form. None where the two decoders could differ: text orjson refuses (NaN,
    lone surrogates…) and integers beyond 64 bits, which orjson reads as floats (written back
    with an exponent, so any ``e+`` after a digit sends the version to the exact path)."""
    try:
        value = orjson.loads(raw)
        canonical = exchange.canonical_json(value)
    except (TypeError, ValueError):
        return None
    if b"e+" in canonical and _EXPONENT.search(canonical):
        return None
    if _SEALED_KEY in canonical:  # sealed values: the digest covers their commitments only
        return history.digest(value)
    return hashlib.sha256(canonical).hexdigest()


_EXPONENT = re.compile(rb"[0-9]e\+")


def _recompute(batch: list[tuple]) -> dict[str, kinds.Recomputed]:
    subjects: dict[str, list[str]] = defaultdict(list)
    for _index, kind, subject, *_rest in batch:
        subjects[kind].append(subject)
    return {kind: kinds.registry[kind].recompute(s) for kind, s in subjects.items() if kind in kinds.registry}


def _entry(index: int, subject: str) -> str:
    return _("entry %(index)s (%(subject)s)") % {"index": index, "subject": subject}


def _subject_problem(index: int, kind: str, subject: str, digest: str, recomputed: dict[str, kinds.Recomputed]) -> Problem:
    where = _entry(index, subject)
    if kind not in kinds.registry:
        return Problem(where, _("one of the kinds %(kinds)s") % {"kinds": ", ".join(sorted(kinds.registry))}, _("kind %(kind)r") % {"kind": kind})
    now = recomputed[kind].get(subject)
    if now is None:
        return Problem(where, _("%(subject)s to exist") % {"subject": subject}, _("nothing: it was removed"),
                       _("what this entry logged is gone from the database"))
    if isinstance(now, Problem):
        return now
    return Problem(where, _("digest %(digest)s recomputed from %(subject)s now") % {"digest": now, "subject": subject},
                   _("%(digest)s (logged)") % {"digest": digest}, _("what the entry logged was changed after it was logged, or the entry was"))


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
