"""Ledger append rate on SQLite, beside raw `sqlite3.executemany` of the same rows.

    .venv/bin/python benchmarks/ledger_append.py                  # N = 1,000,000
    .venv/bin/python benchmarks/ledger_append.py --entries 200000

1. **Kirok**: in a fresh workspace, ``kirok.ledger.services.append_many`` of N custody-kind
   entries (subject ``custody:i``, a SHA-256 digest each) in one transaction: validating and
   encoding each entry, its leaf hash, the interior nodes it completes, writing entries and nodes,
   updating the head; timed to the COMMIT.
2. **raw**: the same N entry rows, read back from Kirok's table (not timed), written with Python
   ``sqlite3`` ``executemany`` into a twin of the ``ledger_entry`` table (same columns, same
   subject index) in a fresh database with Kirok's PRAGMAs, one transaction; timed to the COMMIT.
   Kirok also writes ~N node rows (32-byte hashes) that the baseline does not.

Prints entries/s for both and the ratio; goal ≥ 20,000 entries/s for Kirok.
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import ledger_common as lc  # noqa: E402

from import_sqlite import PRAGMAS  # noqa: E402

GOAL = 20_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.entries
    home = lc.workspace("ledger-append")
    try:
        lc.setup_django(home)
        from django.db import transaction

        from kirok.ledger import services
        from kirok.ledger.models import Node

        digests = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]
        common.log(f"Kirok: append_many of {n:,} entries (load average {common.load()})")
        started, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            services.append_many(("custody", f"custody:{i}", digests[i]) for i in range(n))
        kirok_s, kirok_cpu = time.perf_counter() - started, time.process_time() - cpu
        nodes = Node.objects.count()

        db = home / lc.DB
        with sqlite3.connect(db) as src:
            rows = src.execute('SELECT "index", kind, subject, digest, time, leaf_hash FROM ledger_entry WHERE kind = ? ORDER BY "index"', ("custody",)).fetchall()
        raw_db = home.parent / "raw.sqlite3"
        dst = sqlite3.connect(raw_db, isolation_level=None)
        dst.executescript(PRAGMAS)
        for sql in lc.table_sql(db, "ledger_entry"):
            dst.execute(sql)
        common.log(f"raw: executemany of {len(rows):,} rows (load average {common.load()})")
        started, cpu = time.perf_counter(), time.process_time()
        dst.execute("BEGIN IMMEDIATE")
        dst.executemany('INSERT INTO ledger_entry ("index", kind, subject, digest, time, leaf_hash) VALUES (?, ?, ?, ?, ?, ?)', rows)
        dst.execute("COMMIT")
        raw_s, raw_cpu = time.perf_counter() - started, time.process_time() - cpu
        dst.close()

        print(f"\n== Ledger append on SQLite: {n:,} entries ==")
        print(f"Kirok  append_many (encode, leaf + node hashes, {n:,} entries + {nodes:,} nodes): "
              f"{kirok_s:7.2f} s  {n / kirok_s:>10,.0f} entries/s  (CPU {kirok_cpu:.2f} s)")
        print(f"Raw    sqlite3 executemany of the {n:,} entry rows:                              "
              f"{raw_s:7.2f} s  {n / raw_s:>10,.0f} rows/s     (CPU {raw_cpu:.2f} s)")
        print(f"ratio  raw_time / kirok_time = {raw_s / kirok_s:.3f}")
        print(f"goal   >= {GOAL:,} entries/s: {common.verdict(n / kirok_s >= GOAL)}")
        lc.save("ledger-append", {"entries": n, "nodes": nodes, "kirok_seconds": round(kirok_s, 3),
                                  "kirok_cpu": round(kirok_cpu, 3), "raw_seconds": round(raw_s, 3), "raw_cpu": round(raw_cpu, 3),
                                  "entries_per_second": round(n / kirok_s), "ratio": round(raw_s / kirok_s, 4)})
    finally:
        lc.cleanup(home)


if __name__ == "__main__":
    main()
