"""Matching keys (`kirok.korean.keys`) beside a generic ASCII key: recall, precision and speed.

    .venv/bin/python benchmarks/korean_keys.py                    # 5,000 fictional persons
    .venv/bin/python benchmarks/korean_keys.py --persons 20000

Three figures, Kirok's keys beside two baselines (exact NFC case-folded match, and a generic
ASCII key: case-folded, diacritics and everything but a–z and 0–9 removed) in the same run:

1. persons: fictional names from Kirok's demo generator (kirok.records.demo), each written six
   ways — Hangul in DPRK and ROK spelling, RR, MR, DPRK and conventional romanizations (random
   hyphenation, spacing, surname spellings, Western order). Pair recall: of the pairs of spellings
   of one person, the share that have a key in common. Pair precision: of the pairs of different
   names (different after folding) that share a key, how many there are per true pair.
2. the gazetteer (divisions and facilities): how many of each place's listed spellings share a key
   with its Hangul name, and how many pairs of different places share any key.
3. speed: keys per second over all the person spellings (caches cleared first).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402


def exact_key(text: str) -> set[str]:
    return {unicodedata.normalize("NFC", text).casefold()}


def ascii_key(text: str) -> set[str]:
    key = "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if ch.isascii() and ch.isalnum())
    return {key} if key else set()


def persons(count: int, seed: int) -> list[list[str]]:
    from kirok.records import demo

    from kirok.korean import fold

    rng = random.Random(seed)
    out = []
    for _ in range(count):
        surname, given = demo.korean_name(rng, rng.choice(("male", "female")))
        spellings = [surname + given, fold(surname) + fold(given)]
        spellings += [demo.romanized_name(surname, given, style, rng)[0] for style in ("rr", "mr", "dprk", "popular")]
        out.append(spellings)
    return out


def pair_figures(people: list[list[str]], key) -> tuple[float, int, int]:
    """(recall over same-person pairs, cross-name pairs sharing a key, same-person pairs)."""
    from kirok.korean import fold

    true_pairs = hit = 0
    by_key: dict[str, set[str]] = defaultdict(set)
    for spellings in people:
        name = fold(spellings[0])
        keysets = [key(s) for s in spellings]
        for a, b in itertools.combinations(keysets, 2):
            true_pairs += 1
            hit += bool(a & b)
        for ks in keysets:
            for k in ks:
                by_key[k].add(name)
    collisions = set()
    for names in by_key.values():
        if 1 < len(names) < 2000:
            collisions.update(itertools.combinations(sorted(names), 2))
    return hit / true_pairs, len(collisions), true_pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from kirok.korean import data, keys
    from kirok.korean.keys import skeleton
    from kirok.types.text import script_of

    mach = common.machine()
    people = persons(args.persons, args.seed)
    names = len({tuple(p[:1]) for p in people})
    common.log(f"{len(people):,} fictional persons ({names:,} distinct Hangul names), 6 spellings each")
    print(f"\n== Korean matching keys: {len(people):,} fictional persons, 6 spellings each ==")
    print(f"{'':8}{'pair recall':>12}{'cross-name pairs sharing a key':>34}{'per true pair':>15}")
    rows = {}
    for label, key in (("Kirok", lambda s: keys(s, "person")), ("ASCII", ascii_key), ("exact", exact_key)):
        recall, wrong, true_pairs = pair_figures(people, key)
        rows[label] = (recall, wrong)
        print(f"{label:8}{recall:12.4f}{wrong:>34,}{wrong / true_pairs:>15.4f}")

    places = []
    for row in data.divisions():
        places.append((row["iso_code"], [row["name_dprk"], row["name_rok"]], [row["mr"], row["rr"], row["dprk"]]))
    for f in data.facilities():
        hangul = [v for v in f["variants"] if script_of(v) == "Hang"]
        latin = [*f["romanizations"].values()] + [v for v in f["variants"] if script_of(v) == "Latn"]
        places.append((f["key"], hangul, latin))
    print(f"\n== gazetteer: {len(places)} places ==")
    for label, key in (("Kirok", lambda s: keys(s, "place")), ("ASCII", ascii_key), ("exact", exact_key)):
        found = total = 0
        numbered = sum(1 for _, _, latin in places for s in latin if any(ch.isdigit() for ch in s))
        keysets = {}
        for place, hangul, latin in places:
            target = set().union(*(key(h) for h in hangul))
            keysets[place] = set().union(target, *(key(s) for s in latin))
            for spelling in latin:
                total += 1
                found += bool(key(spelling) & target)
        colliding = sum(bool(keysets[a] & keysets[b]) for a, b in itertools.combinations(keysets, 2))
        print(f"{label:8} Latin spellings finding their Hangul name {found}/{total} ({found / total:.1%}; "
              f"{numbered} are designations such as 'Camp 14', not spellings); "
              f"pairs of distinct places sharing a key: {colliding} of {len(places) * (len(places) - 1) // 2}")

    spellings = [s for p in people for s in p]
    skeleton.cache_clear()
    started = time.perf_counter()
    for s in spellings:
        keys(s, "person")
    kirok_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for s in spellings:
        ascii_key(s)
    ascii_seconds = time.perf_counter() - started
    print(f"\nspeed  Kirok keys: {len(spellings) / kirok_seconds:,.0f} strings/s;  ASCII key: {len(spellings) / ascii_seconds:,.0f} strings/s"
          f"  (ratio {ascii_seconds / kirok_seconds:.3f})")
    mach.load_after = common.load()
    print(f"machine: {mach.nproc} CPUs ({mach.cpu}); load average before {mach.load_before}, after {mach.load_after}; code {mach.commit}")


if __name__ == "__main__":
    main()
