"""What linkage compares: a person's names, birth years, places and units as keyed hashes.

Names and birth dates are protected (docs/protection.md). Linkage opens them in memory, derives
matching keys from them with ``kirok.korean`` and turns every key into a 64-bit keyed hash
(HMAC-SHA-256 under the workspace's blind-index key, in a namespace of its own). Only the hashes
go to DuckDB and Splink, whose tables may spill to temporary files: no plaintext name or birth
year is ever written there, and the hashes are useless without the key folder.

The keys of a person's names (``name_keys``), each a set of strings:

* ``exact`` — the written forms, folded as the blind index folds them (리명수 = 이명수;
  "Ri Myong-su" = "ri myong su");
* ``keys`` — ``kirok.korean.keys(name, "person")``: one key for 김정은, Kim Jong-un, Kim Jŏng-ŭn
  and Gim Jeong-eun, whatever the script, system, order or spacing;
* ``typo`` — the typo-tolerant blocking key: every skeleton of a ``keys`` key with one letter
  deleted, and the skeleton itself. Two skeletons one edit apart (a letter substituted, dropped
  or added) share one of these (the symmetric-deletion method of SymSpell);
* ``surname`` — the surname as folded ROK Hangul, when the name can be read as Korean;
* ``given`` — the given name's skeleton, of every reading and of a romanized name read with
  its first or last word as the surname, known or not ("Cohe Iljeong", a slip in Choe, still
  has the given name Iljeong).

Beside them, ``misspelt``: whether a romanized name reads as no Korean syllables at all
(``kirok.linkage.reading``), which tells a slip of the pen from another person's real name.

Blocking (which pairs are compared at all) joins records that share a typo key, a given name
(a typo in the surname), or a surname or a given name with a birth year within one: a typo that
changes two letters of the skeleton (Jomg for Jong) is still caught when the birth years agree.

Kim Jong Il and Kim Jong Un share only their surname: their given-name skeletons (``coqil`` and
``coqon``) differ in two letters, so not even the typo key joins them.
"""

from __future__ import annotations

import hmac
import itertools
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kirok.korean import keys as korean_keys
from kirok.korean.keys import given_skeletons
from kirok.linkage.reading import hangul_syllables, misspelt
from kirok.protection.blind import forms

NAMESPACE = b"kirok-linkage\x1f"
TYPO_MIN = 4  # skeletons shorter than this get no deletions: "il" minus a letter is anyone's name


def typo_keys(name_keys: Iterable[str]) -> set[str]:
    """The one-deletion neighbourhood of each key's skeleton, kept apart by its prefix
    (``n:김:`` for a surname reading, ``w:`` for the whole name)."""
    out = set()
    for key in name_keys:
        prefix, _, skel = key.rpartition(":")
        if prefix not in ("w",) and not prefix.startswith("n:"):
            continue
        out.add(f"{prefix}~{skel}")
        if len(skel) >= TYPO_MIN:
            out.update(f"{prefix}~{skel[:i]}{skel[i + 1:]}" for i in range(len(skel)))
    return out


def name_keys(names: Iterable[str]) -> dict[str, set[str]]:
    """The key sets of a person's names (see the module docstring), and ``given``: the
    given-name skeletons, for blocking on a given name and a birth year."""
    exact: set[str] = set()
    keys: set[str] = set()
    for name in names:
        if name and name.strip():
            exact |= forms(name)
            keys |= korean_keys(name, "person")
    readings = [k.split(":") for k in keys if k.startswith("n:")]
    return {
        "exact": exact, "keys": keys, "typo": typo_keys(keys),
        "surname": {r[1] for r in readings}, "given": {r[2] for r in readings} | _any_surname(names),
    }


def _any_surname(names: Iterable[str]) -> set[str]:
    """Given-name skeletons of romanized names read with whatever word is first or last as the
    surname, known or not: "Klm In-ung" (a typo in Kim) still blocks with "Kim In-ung"."""
    found = set()
    for name in names:
        words = (name or "").replace(",", " ").split()
        if len(words) >= 2 and name.isascii():
            found |= given_skeletons(" ".join(words[1:])) | given_skeletons(" ".join(words[:-1]))
    return found


def blocking_keys(names: dict[str, set[str]], first: int | None, last: int | None) -> set[str]:
    """Keys any one of which, shared, makes two records a candidate pair (module docstring)."""
    years = year_buckets(first, last)
    return names["typo"] | {f"g:{g}" for g in names["given"]} | {f"{s}|{y}" for s in names["surname"] for y in years} | {
        f"g:{g}|{y}" for g in names["given"] for y in years
    }


def year_buckets(first: int | None, last: int | None, longest: int = 5) -> set[str]:
    """Two-year buckets in two staggered tilings (1960–61, 1962–63 … and 1959–60, 1961–62 …):
    birth years one apart always share a bucket, so an off-by-one year still blocks."""
    if first is None or last is None or last < first or last - first > longest:
        return set()
    return {b for y in range(first, last + 1) for b in (f"b:{y // 2}", f"c:{(y + 1) // 2}")}


def year_tokens(first: int | None, last: int | None, spread: int = 0, longest: int = 30) -> set[str]:
    """Every year the birth could fall in, widened by ``spread`` on each side. A range longer than
    ``longest`` years says nothing useful and gives none."""
    if first is None or last is None or last < first or last - first > longest:
        return set()
    return {f"y:{y}" for y in range(first - spread, last + spread + 1)}


class Hasher:
    """Keyed 64-bit hashes of keys (signed, as DuckDB's BIGINT holds them), cached: names repeat.

    The cache is emptied when it holds ``CACHE`` keys: a million records carry some eight million
    distinct keys (a key and its hash take about 150 bytes), and the keys that repeat most (years,
    surnames, common names) are back in it at once."""

    CACHE = 2_000_000

    def __init__(self, secret: bytes):
        self._secret = secret
        self._cache: dict[str, int] = {}

    def __call__(self, values: Iterable[str]) -> list[int]:
        cache = self._cache
        found = set()
        for v in values:
            h = cache.get(v)
            if h is None:
                if len(cache) >= self.CACHE:
                    cache.clear()
                digest = hmac.digest(self._secret, NAMESPACE + v.encode(), "sha256")
                h = cache[v] = int.from_bytes(digest[:8], "big", signed=True)
            found.add(h)
        return sorted(found)


@dataclass
class Facts:
    """One person as linkage sees it, in memory only: plaintext names never leave this object."""

    pk: int
    names: list[str] = field(default_factory=list)
    birth: tuple[int | None, int | None] = (None, None)  # earliest and latest possible year
    sex: str | None = None
    origin: set[str] = field(default_factory=set)  # the origin place's id and the keys of all its names
    province: int | None = None
    places: set[int] = field(default_factory=set)  # facilities and places of the acts the person is in
    units: set[int] = field(default_factory=set)  # organizations the person served in or acted with
    source: int | None = None


COLUMNS = ("name_exact", "name_keys", "name_typo", "name_common", "name_many", "typo_rare", "typo_few", "surname", "given", "birth", "birth1", "birth3", "origin", "places", "units")
# The row as an Arrow table: hashes at 8 bytes each (a Python list of ints takes 40 per hash).
SCHEMA = pa.schema([
    ("unique_id", pa.int64()), ("block", pa.list_(pa.int64())), *[(c, pa.list_(pa.int64())) for c in COLUMNS],
    ("misspelt", pa.bool_()), ("name1", pa.int64()), ("year1", pa.int64()), ("sex", pa.string()), ("province", pa.int64()), ("source", pa.int64()),
])
RARE_RECORDS = 4  # a name on this many records or fewer, none of them dated, is rare
RARE_GAP = 3  # dated records of one name with birth years further apart than this are two persons
RARE_MOST = 12  # a name on more records than this is never rare, whatever their birth years
FEW = 2  # a name that seems to belong to at most this many persons is "few": between rare and common
BATCH = 10_000  # rows turned into Arrow at a time (and handed to a worker process)
# A Hangul syllable on at most this share of the records (at least 2 allowed) marks its records as
# misspelt: a slip in Hangul leaves a syllable few names use (set on
# the benchmark's seed 7, 20,000 persons: of the pairs within one letter, 43 % of those with such
# a syllable are one person, 3.4 % of the others).
ODD_SHARE = 1e-4
ODD_LEAST = 2_000  # records with Hangul names needed before a syllable's rarity says anything


def rows(facts: Iterable[Facts], hasher: Hasher) -> list[dict]:
    """The rows of ``facts`` as dicts (``table``): for small collections and tests."""
    return table(facts, hasher).to_pylist()


def table(facts: Iterable[Facts], hasher: Hasher, batch: int = BATCH, workers: int = 1) -> pa.Table:
    """The rows of ``facts`` (``row``) as one Arrow table, with ``name_common`` (those of each
    row's name hashes that do not seem to belong to one person: ``rare_names``; two records whose
    shared name hashes are none of them common share a rare name), ``name_many`` (those that
    seem to belong to more than ``FEW`` persons), ``typo_rare`` and ``typo_few`` (its typo keys
    that seem to belong to one, to at most ``FEW``) marked over the whole collection.

    Why batches: a million rows as Python dicts take about 6 GB (every hash an int object in a
    list); ``batch`` rows at a time become Arrow, 8 bytes a hash, and ``facts`` may be a
    generator, so no more than a few batches of plaintext names are held at once. The birth
    years that rarity needs stay in memory (``mids``), never in the table.

    With ``workers`` above 1 and more than one batch, forked processes derive the rows (the keys
    are pure Python, about half a millisecond a record: a million records take minutes on one
    core) while this one reads the next facts; the facts reach them through a pipe, in memory."""
    parts: list[pa.RecordBatch] = []
    mids: list[float] = []
    syllables: list[list[int]] = []
    for part, part_mids, part_syllables in _converted(_batches(facts, batch), hasher, workers):
        parts.append(part)
        mids.extend(part_mids)
        syllables.extend(part_syllables)
    out = pa.Table.from_batches(parts, schema=SCHEMA).combine_chunks()
    out = out.set_column(SCHEMA.get_field_index("misspelt"), "misspelt", pc.or_(out.column("misspelt"), pa.array(odd(syllables))))
    del syllables
    mid = np.array(mids, dtype=np.float64)
    values, parents = flat(out, "name_exact", "name_keys")
    for column, persons in (("name_common", 1), ("name_many", FEW)):
        common = ~np.isin(values, rare_names(values, parents, mid, persons))
        out = out.set_column(SCHEMA.get_field_index(column), column, lists(values, parents, common, len(out)))
    values, parents = flat(out, "name_typo")
    for column, persons in (("typo_rare", 1), ("typo_few", FEW)):
        rare = np.isin(values, rare_names(values, parents, mid, persons))
        out = out.set_column(SCHEMA.get_field_index(column), column, lists(values, parents, rare, len(out)))
    return out


def _batches(facts: Iterable[Facts], size: int) -> Iterator[list[Facts]]:
    it = iter(facts)
    while part := list(itertools.islice(it, size)):
        yield part


_HASHER: Hasher | None = None  # a worker process's hasher (inherited through the fork)


def _start_worker(hasher: Hasher) -> None:
    global _HASHER
    _HASHER = hasher


def _convert(part: list[Facts], hasher: Hasher | None = None) -> tuple[pa.RecordBatch, list[float], list[list[int]]]:
    """One batch of facts as Arrow rows, the mid-points of their birth years and the keyed
    hashes of their Hangul syllables (for ``odd``; kept out of the table, as the years are)."""
    hasher = hasher or _HASHER
    return (pa.RecordBatch.from_pylist([row(f, hasher) for f in part], schema=SCHEMA), [_mid(f.birth) for f in part],
            [hasher(f"y:{y}" for y in hangul_syllables(f.names)) for f in part])


def odd(syllables: list[list[int]], least: int | None = None) -> np.ndarray:
    """Per record, whether one of its Hangul syllables (keyed hashes) is on few records of the
    collection: at most ``ODD_SHARE`` of them, and at least 2 allowed; none is, when fewer than
    ``least`` records have a Hangul name (in a small collection every syllable is rare).

    Why: a misspelt romanized name reads as no Korean syllables (``reading.misspelt``), but a
    slip in Hangul changes a jamo and always leaves a syllable; it is often one that no other
    name of the collection uses (잰, 벙), while real given names draw on a few hundred. Such a
    record is marked misspelt too, and the one-letter and surname levels for misspelt names
    (``scoring.TESTS``) take it: a pair within one letter with such a side is one person 13 times
    as often as one without (benchmark, seed 7)."""
    n = len(syllables)
    counts = np.fromiter((len(s) for s in syllables), dtype=np.int64, count=n)
    if np.count_nonzero(counts) < max(ODD_LEAST if least is None else least, 1):
        return np.zeros(n, dtype=bool)
    values = np.fromiter(itertools.chain.from_iterable(syllables), dtype=np.int64, count=int(counts.sum()))
    parents = np.repeat(np.arange(n), counts)
    _keys, inverse, records = np.unique(values, return_inverse=True, return_counts=True)
    rare = records[inverse] <= max(2, ODD_SHARE * n)
    found = np.zeros(n, dtype=bool)
    found[parents[rare]] = True
    return found


def _converted(batches: Iterator[list[Facts]], hasher: Hasher, workers: int) -> Iterator[tuple[pa.RecordBatch, list[float], list[list[int]]]]:
    """The batches converted in order: here, or by ``workers`` forked processes when there is more
    than one batch (at most two batches a worker in flight, so memory stays bounded)."""
    first = next(batches, [])
    second = next(batches, None)
    if second is None or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield _convert(first, hasher)
        for part in itertools.chain(() if second is None else (second,), batches):
            yield _convert(part, hasher)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(hasher,)) as pool:
        pending: deque = deque()
        for part in itertools.chain((first, second), batches):
            pending.append(pool.submit(_convert, part))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _mid(birth: tuple[int | None, int | None]) -> float:
    """The middle of a birth interval of at most 5 years; NaN when unknown or wider."""
    first, last = birth
    return np.nan if first is None or last is None or last - first > 5 else (first + last) / 2


def flat(t: pa.Table, *columns: str) -> tuple[np.ndarray, np.ndarray]:
    """The hashes of the list ``columns`` of every row, and the row each came from, ordered by
    row (within a row, the columns' order)."""
    values, parents = [], []
    for c in columns:
        col = t.column(c).combine_chunks()
        values.append(pc.list_flatten(col).to_numpy())
        parents.append(pc.list_parent_indices(col).to_numpy().astype(np.int64))
    v, p = np.concatenate(values), np.concatenate(parents)
    order = np.argsort(p, kind="stable")
    return v[order], p[order]


def lists(values: np.ndarray, parents: np.ndarray, keep: np.ndarray, n: int) -> pa.ListArray:
    """A list column of ``n`` rows holding the ``values`` (ordered by ``parents``) that ``keep``
    marks."""
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(parents[keep], minlength=n), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values[keep], type=pa.int64()))


def rare_names(values: np.ndarray, parents: np.ndarray, mids: np.ndarray, persons: int = 1) -> np.ndarray:
    """Of the name hashes of the records (``values``, each from record ``parents``: written forms
    and name keys, or typo keys), those that seem to belong to one person only (to at most
    ``persons``: the record limits below scale with it).

    Why: a name two records share says more the rarer it is, but a count of records counts each
    person's own duplicates too (Splink's term-frequency adjustment, counted so, lowered recall
    on the benchmark, and a person written six times is no common name). Persons are estimated
    instead: the dated records of one name whose birth years (``mids``, mid-points, NaN when
    unknown) lie within ``RARE_GAP`` of the next are taken for one person. A name whose dated
    records form one such group (and that at most ``RARE_MOST`` records carry), or that at most
    ``RARE_RECORDS`` undated records carry, is rare. Namesakes born a few years apart look like
    one person: u of the rare levels is measured on pairs whose places of origin differ, which
    birth years do not decide (``scoring._u_apart``), and birth year, origin and sources still
    tell them apart. Computed on sorted arrays: a million records carry tens of millions of
    hashes, too many for a dictionary of Python lists."""
    order = np.lexsort((parents, values))
    h, p = values[order], parents[order]
    once = np.ones(len(h), dtype=bool)
    once[1:] = (h[1:] != h[:-1]) | (p[1:] != p[:-1])  # a hash counts once per record
    h, m = h[once], mids[p[once]]
    order = np.lexsort((m, h))  # by hash, then birth year, undated (NaN) last
    h, m = h[order], m[order]
    if not len(h):
        return h
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    counts = np.diff(np.r_[starts, len(h)])
    dated = np.add.reduceat(~np.isnan(m), starts)
    gap = np.r_[0.0, np.diff(m)]
    gap[starts] = 0.0
    groups = 1 + np.add.reduceat(np.nan_to_num(gap) > RARE_GAP, starts)
    rare = (groups <= persons) & (counts <= persons * RARE_MOST) & ((dated > 0) | (counts <= persons * RARE_RECORDS))
    return h[starts][rare]


def row(facts: Facts, hasher: Hasher) -> dict:
    """The row Splink sees: ids, codes and keyed hashes only."""
    names = name_keys(facts.names)
    first, last = facts.birth
    return {
        "unique_id": facts.pk,
        "name_exact": hasher(names["exact"]),
        "name_keys": hasher(names["keys"]),
        "name_typo": hasher(names["typo"]),
        "name_common": [],  # filled in over the collection: ``rows``
        "name_many": [],
        "typo_rare": [],
        "typo_few": [],
        "surname": hasher(f"s:{s}" for s in names["surname"]),
        "given": hasher(f"g:{g}" for g in names["given"]),
        "block": hasher(blocking_keys(names, first, last)),
        "birth": hasher(year_tokens(first, last)),
        "birth1": hasher(year_tokens(first, last, 1)),
        "birth3": hasher(year_tokens(first, last, 3)),
        "misspelt": misspelt(facts.names),
        "name1": min(hasher(k for k in names["keys"] if k.startswith("n:")), default=None),
        "year1": min(hasher(year_tokens(first, first)), default=None),
        "sex": facts.sex,
        "origin": hasher(facts.origin),
        "province": facts.province,
        "places": sorted(facts.places),
        "units": sorted(facts.units),
        "source": facts.source,
    }
