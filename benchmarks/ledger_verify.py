"""Full `kirok ledger verify` of N entries on SQLite, beside hashlib hashing the same leaf bytes.

    .venv/bin/python benchmarks/ledger_verify.py                  # N = 1,000,000
    .venv/bin/python benchmarks/ledger_verify.py --entries 100000

Set-up (not timed): a fresh workspace gets N changesets of one record version each (a small,
fictional person snapshot and its SHA-256, written with ``sqlite3`` as an import would), the N
"changeset" ledger entries committing to them (``append_many``) and a signed checkpoint.

1. **Kirok**: ``kirok ledger verify --no-progress`` in a child process, everything recomputed:
   every version's digest from its stored data (``digest_of_version``), every changeset's tree
   head, every entry's leaf hash from its fields, every stored node, the head, that every
   changeset is logged, the checkpoint's root, signature and key.
   Then ``kirok ledger verify --log-only``: the log alone (entries, leaves, nodes, head,
   checkpoint), trusting what the entries log.
2. **baselines**, in this process: (a) the floor: raw ``sqlite3`` (no Django) ``SELECT`` of the
   same entry, node and version rows and ``hashlib.sha256`` over each (the entry's leaf bytes,
   each node, each version's stored JSON text), the least any full check must read and hash;
   (b) ``hashlib.sha256(b"\\x00" + leaf_bytes)`` over the N encoded entries alone.

Prints both times and the ratio; goal ≤ 10 s for Kirok at 1,000,000 entries.
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import ledger_common as lc  # noqa: E402

GOAL_SECONDS = 10.0


def populate(home: Path, n: int) -> None:
    from django.db import transaction

    from kirok.ledger import services, verifier
    from kirok.records.exchange import canonical_json
    from kirok.records.history import digest

    db = home / lc.DB
    conn = sqlite3.connect(db, isolation_level=None)
    first = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM records_changeset").fetchone()[0]
    at = "2025-01-01 00:00:00"
    common.log(f"set-up: {n:,} changesets with one version each")
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO records_changeset (id, at, actor, kind, reason) VALUES (?, ?, 'bench', 'edit', 'benchmark')",
                     ((first + i, at) for i in range(n)))
    rows, digests = [], []
    for i in range(n):
        data = {"remarks": f"fictional benchmark person {i}", "names": [{"full_name": f"가상 {i}", "script": "Hang"}]}
        d = digest(data)
        digests.append(d)
        rows.append((uuid.uuid4().hex, canonical_json(data).decode(), d, first + i))
    conn.executemany("INSERT INTO records_version (record_type, record_uid, action, data, digest, changeset_id) "
                     "VALUES ('person', ?, 'create', ?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.close()
    common.log(f"set-up: {n:,} ledger entries and a checkpoint")
    with transaction.atomic():
        services.append_many(("changeset", f"changeset:{first + i}", verifier.root_of_digests([digests[i]])) for i in range(n))
    services.checkpoint()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--profile", metavar="FILE.prof", help="run Kirok under cProfile; times are then not comparable")
    args = parser.parse_args()
    n = args.entries
    home = lc.workspace("ledger-verify")
    try:
        lc.setup_django(home)
        populate(home, n)
        from kirok.ledger import verifier
        from kirok.ledger.models import Entry

        # Kirok first, while this process is small: a child forked from a big parent would
        # report the parent's pages as its own peak memory.
        load_before = common.load()
        common.log(f"Kirok: kirok ledger verify (load average {load_before})")
        cmd = ([common.PYTHON, "-m", "cProfile", "-o", args.profile, "-m", "kirok.cli"] if args.profile else [common.KIROK])
        run = lc.child([*cmd, "ledger", "verify", "--no-progress"], home)
        if args.profile:
            common.print_profile(args.profile, top=25)
        common.log(f"Kirok: kirok ledger verify --log-only (load average {common.load()})")
        log_only = lc.child([common.KIROK, "ledger", "verify", "--no-progress", "--log-only"], home)

        leaves = [e.encoded() for e in Entry.objects.order_by("index").iterator(chunk_size=10000)]
        total = len(leaves)

        def baseline():
            sha = hashlib.sha256
            for data in leaves:
                sha(b"\x00" + data).digest()

        def floor():
            sha = hashlib.sha256
            with sqlite3.connect(home / lc.DB) as conn:
                for query, hashed in (
                    ('SELECT "index", kind, subject, digest, time, leaf_hash FROM ledger_entry ORDER BY "index"',
                     lambda r: sha(f"kirok-ledger-entry/1\nindex {r[0]}\nkind {r[1]}\nsubject {r[2]}\ndigest {r[3]}\ntime {r[4]}\n".encode())),
                    ("SELECT id, hash FROM ledger_node ORDER BY id", lambda r: sha(r[1])),
                    ("SELECT changeset_id, data, digest FROM records_version ORDER BY changeset_id, id", lambda r: sha(r[1].encode())),
                ):
                    cur = conn.execute(query)
                    while rows := cur.fetchmany(20000):
                        for row in rows:
                            hashed(row)

        common.log(f"baseline: raw sqlite3 SELECT + hashlib over entries, nodes, versions (load average {common.load()})")
        floor_s = lc.best_of(3, floor)
        common.log(f"baseline: hashlib over {total:,} leaves (load average {common.load()})")
        base_s = lc.best_of(3, baseline)
        assert verifier.leaf_hash(leaves[0]) == bytes(Entry.objects.get(index=0).leaf_hash)
        print(f"\n== Full ledger verify on SQLite: {total:,} entries ({n:,} changesets of one version each) ==")
        print(run.stdout.strip())
        print(log_only.stdout.strip())
        print(f"Kirok  kirok ledger verify (everything recomputed):  {run.seconds:7.2f} s  (CPU {run.cpu_seconds:.2f} s, "
              f"peak PSS {common.mib(run.peak_tree_pss)})")
        print(f"Kirok  kirok ledger verify --log-only:              {log_only.seconds:7.2f} s  (CPU {log_only.cpu_seconds:.2f} s, "
              f"peak PSS {common.mib(log_only.peak_tree_pss)})")
        print(f"Floor  raw sqlite3 SELECT + hashlib of every row:    {floor_s:7.2f} s  (best of 3)")
        print(f"Base   hashlib SHA-256 of the {total:,} leaf bytes:   {base_s:7.2f} s  (best of 3)")
        print(f"ratio  floor_time / kirok_time = {floor_s / run.seconds:.3f} (full); "
              f"base_time / kirok_time = {base_s / run.seconds:.3f} (full), {base_s / log_only.seconds:.3f} (log only)")
        print(f"goal   <= {GOAL_SECONDS:.0f} s: full {common.verdict(run.seconds <= GOAL_SECONDS)}, "
              f"log only {common.verdict(log_only.seconds <= GOAL_SECONDS)}")
        lc.save("ledger-verify", {"entries": total, "kirok_seconds": round(run.seconds, 3), "kirok_cpu": round(run.cpu_seconds, 3),
                                  "kirok_peak_pss": run.peak_tree_pss, "log_only_seconds": round(log_only.seconds, 3),
                                  "log_only_cpu": round(log_only.cpu_seconds, 3), "baseline_seconds": round(base_s, 3), "floor_seconds": round(floor_s, 3),
                                  "ratio": round(base_s / run.seconds, 4), "floor_ratio": round(floor_s / run.seconds, 4),
                                  "load_before": load_before})
    finally:
        lc.cleanup(home)


if __name__ == "__main__":
    main()
