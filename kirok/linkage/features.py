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
* ``surname`` — the surname as folded ROK Hangul, when the name can be read as Korean.

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
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from kirok.korean import keys as korean_keys
from kirok.korean.keys import given_skeletons
from kirok.linkage.reading import misspelt
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
    """Keyed 64-bit hashes of keys (signed, as DuckDB's BIGINT holds them), cached: names repeat."""

    def __init__(self, secret: bytes):
        self._secret = secret
        self._cache: dict[str, int] = {}

    def __call__(self, values: Iterable[str]) -> list[int]:
        cache = self._cache
        out = []
        for v in values:
            h = cache.get(v)
            if h is None:
                digest = hmac.digest(self._secret, NAMESPACE + v.encode(), "sha256")
                h = cache[v] = int.from_bytes(digest[:8], "big", signed=True)
            out.append(h)
        return sorted(set(out))


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


COLUMNS = ("name_exact", "name_keys", "name_typo", "name_common", "typo_rare", "surname", "birth", "birth1", "birth3", "origin", "places", "units")
RARE_RECORDS = 4  # a name on this many records or fewer, none of them dated, is rare
RARE_GAP = 3  # dated records of one name with birth years further apart than this are two persons
RARE_MOST = 12  # a name on more records than this is never rare, whatever their birth years


def rows(facts: list[Facts], hasher: Hasher) -> list[dict]:
    """The rows of ``facts`` (``row``), each with ``name_common`` (those of its name hashes that do
    not seem to belong to one person: ``rare_names``; two records whose shared name hashes are
    none of them common share a rare name) and ``typo_rare`` (its typo keys that seem to)."""
    out = [row(f, hasher) for f in facts]
    births = [f.birth for f in facts]
    rare = rare_names([{*r["name_exact"], *r["name_keys"]} for r in out], births)
    rare_typos = rare_names([set(r["name_typo"]) for r in out], births)
    for r in out:
        r["name_common"] = [h for h in (*r["name_exact"], *r["name_keys"]) if h not in rare]
        r["typo_rare"] = [h for h in r["name_typo"] if h in rare_typos]
    return out


def rare_names(hashes: list[set[int]], births: list[tuple[int | None, int | None]]) -> set[int]:
    """Of the name hashes of each record (written forms and name keys, or typo keys), those that
    seem to belong to one person only.

    Why: a name two records share says more the rarer it is, but a count of records counts each
    person's own duplicates too (Splink's term-frequency adjustment, counted so, lowered recall
    on the benchmark, and a person written six times is no common name). Persons are estimated
    instead: the dated records of one name whose birth years (mid-points) lie within
    ``RARE_GAP`` of the next are taken for one person. A name whose dated records form one such
    group (and that at most ``RARE_MOST`` records carry), or that at most ``RARE_RECORDS``
    undated records carry, is rare. Namesakes born a few years apart look like one person: u of
    the rare levels is measured on pairs whose places of origin differ, which birth years do not
    decide (``scoring._u_apart``), and birth year, origin and sources still tell them apart."""
    years: dict[int, list[float]] = {}
    counts: Counter = Counter()
    for found, (first, last) in zip(hashes, births):
        mid = None if first is None or last is None or last - first > 5 else (first + last) / 2
        for h in found:
            counts[h] += 1
            if mid is not None:
                years.setdefault(h, []).append(mid)
    rare = set()
    for h, n in counts.items():
        found = sorted(years.get(h, ()))
        if n > RARE_MOST or (not found and n > RARE_RECORDS):
            continue
        if all(b - a <= RARE_GAP for a, b in zip(found, found[1:])):
            rare.add(h)
    return rare


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
        "typo_rare": [],
        "surname": hasher(f"s:{s}" for s in names["surname"]),
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
