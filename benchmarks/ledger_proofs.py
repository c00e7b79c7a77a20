"""Inclusion and consistency proofs at 1,000,000 entries: made from the stored hashes, then
checked, beside a raw `sqlite3` fetch of the same stored hashes.

    .venv/bin/python benchmarks/ledger_proofs.py                   # N = 1,000,000
    .venv/bin/python benchmarks/ledger_proofs.py --entries 100000

Set-up (not timed): a fresh workspace and N custody-kind entries (``append_many``).

1. **Kirok**: for 2,000 random entries, ``services.inclusion_proof(i, N)`` (which hashes it
   needs, one query for them, the path) and ``verifier.verify_inclusion`` of it against the
   root; and for 2,000 random old sizes, ``services.consistency_proof(m, N)`` and
   ``verifier.verify_consistency``. Per-proof mean, median and 99th percentile.
2. **baseline**: the same stored hashes each proof needs, fetched with one plain
   ``sqlite3`` ``SELECT … WHERE id IN (…)`` per proof (no ORM, no hashing).

Goal: ≤ 1 ms per inclusion proof made and checked.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import ledger_common as lc  # noqa: E402

GOAL_MS = 1.0
PROOFS = 2000


def _stats(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"mean {statistics.fmean(ms):.3f} ms, median {statistics.median(ms):.3f} ms, p99 {ms[int(len(ms) * 0.99)]:.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    home = lc.workspace("ledger-proofs")
    try:
        lc.setup_django(home)
        from django.db import transaction

        from kirok.ledger import services, verifier
        from kirok.ledger.models import Entry
        from kirok.ledger.tree import complete_subtrees, consistency_spans, inclusion_spans, stored_index

        common.log(f"set-up: {args.entries:,} entries")
        with transaction.atomic():
            services.append_many(("custody", f"custody:{i}", hashlib.sha256(str(i).encode()).hexdigest()) for i in range(args.entries))
        n = services.size()
        root = services.root_at(n)
        rng = random.Random(1)
        indexes = [rng.randrange(n) for _ in range(PROOFS)]
        olds = [rng.randrange(1, n) for _ in range(PROOFS)]
        leaves = dict(Entry.objects.filter(index__in=indexes).values_list("index", "leaf_hash"))
        old_roots = {m: services.root_at(m) for m in olds}

        common.log(f"Kirok: {PROOFS:,} inclusion and {PROOFS:,} consistency proofs (load average {common.load()})")
        inclusion, consistency = [], []
        for i in indexes:
            started = time.perf_counter()
            verifier.verify_inclusion(i, n, bytes(leaves[i]), services.inclusion_proof(i, n), root)
            inclusion.append(time.perf_counter() - started)
        for m in olds:
            started = time.perf_counter()
            verifier.verify_consistency(m, n, old_roots[m], root, services.consistency_proof(m, n))
            consistency.append(time.perf_counter() - started)

        conn = sqlite3.connect(home / lc.DB)
        raw = []
        for i in indexes:
            needed = {t for s, e in inclusion_spans(i, n) for t in complete_subtrees(s, e)}
            ids = [stored_index(level, x) for level, x in needed if level]
            started = time.perf_counter()
            conn.execute(f"SELECT id, hash FROM ledger_node WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
            raw.append(time.perf_counter() - started)
        conn.close()
        spans = len(inclusion_spans(indexes[0], n)), len(consistency_spans(olds[0], n))

        print(f"\n== Ledger proofs on SQLite at {n:,} entries ({PROOFS:,} each) ==")
        print(f"Kirok  inclusion proof made + checked:    {_stats(inclusion)}  (path of ~{spans[0]} hashes)")
        print(f"Kirok  consistency proof made + checked:  {_stats(consistency)}")
        print(f"Raw    sqlite3 fetch of the stored hashes: {_stats(raw)}")
        ratio = statistics.fmean(raw) / statistics.fmean(inclusion)
        print(f"ratio  raw_time / kirok_time (inclusion, means) = {ratio:.3f}")
        print(f"goal   inclusion <= {GOAL_MS} ms: {common.verdict(statistics.fmean(inclusion) * 1000 <= GOAL_MS)} (mean)")
        lc.save("ledger-proofs", {"entries": n, "inclusion_ms": [round(t * 1000, 4) for t in (statistics.fmean(inclusion), statistics.median(inclusion))],
                                  "consistency_ms": [round(t * 1000, 4) for t in (statistics.fmean(consistency), statistics.median(consistency))],
                                  "raw_ms": [round(t * 1000, 4) for t in (statistics.fmean(raw), statistics.median(raw))], "ratio": round(ratio, 4)})
    finally:
        lc.cleanup(home)


if __name__ == "__main__":
    main()
