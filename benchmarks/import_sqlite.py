"""Import of N persons with names plus N acts from JSON Lines into SQLite, beside raw `executemany`.

    .venv/bin/python benchmarks/import_sqlite.py                  # N = 1,000,000
    .venv/bin/python benchmarks/import_sqlite.py --persons 20000  # a quick run

What it does, in one run, side by side:

1. makes the demo set once (`kirok demo-data --size N --output benchmarks/out/demo-N-seedS`) and
   imports its place, person, event and act files (N persons, N acts, N/3 events, a few hundred
   places);
2. **Kirok**: `kirok init` into a template workspace, a copy of it, then the wall time and peak
   RSS (the child's own ``wait4`` rusage) of ``kirok import --no-progress FILES`` — reading,
   validating and normalizing every value, resolving references, and writing the records, their
   names, method and place links, and one version row per record;
3. **raw**: a second copy of the same freshly initialized database; the rows Kirok wrote into the
   domain tables (every table that grew except ``records_version`` and ``records_changeset``) are
   read table by table (not timed) and written with Python ``sqlite3`` ``executemany`` into the
   same tables, in one ``BEGIN IMMEDIATE`` transaction, with the PRAGMAs Kirok's connection uses;
   timed: the ``executemany`` calls and the ``COMMIT``.

It prints both times, rows/s, the ratio raw_time / kirok_time (goal >= 1/3) and Kirok's peak RSS
(goal < 1 GiB), and saves them as JSON in benchmarks/out/results/.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

# The PRAGMAs of Kirok's own connection (kirok/config/settings.py, init_command).
PRAGMAS = (
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
    "PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY;"
)
DB = "kirok.sqlite3"
RECORD_TABLES = ("records_place", "records_person", "records_event", "records_act")


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(PRAGMAS)
    return conn


def tables(conn: sqlite3.Connection) -> list[str]:
    return [
        name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]


def max_ids(conn: sqlite3.Connection) -> dict[str, int]:
    """The highest key of every table with an ``id`` (django_session has none and is not written)."""
    return {
        t: conn.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{t}"').fetchone()[0]
        for t in tables(conn) if "id" in columns(conn, t)
    }


def table_order(name: str) -> tuple:
    """Records first, each followed by its names and links (the order Kirok writes them)."""
    owners = [t for t in RECORD_TABLES if name.startswith(t)]
    owner = max(owners, key=len) if owners else "~"
    return (RECORD_TABLES.index(owner) if owner in RECORD_TABLES else 99, name != owner, name)


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000, help="N persons and N acts (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None, help="where the workspaces go (default: a new folder in benchmarks/out/work)")
    parser.add_argument("--keep", action="store_true", help="keep the two databases afterwards")
    parser.add_argument("--profile", metavar="FILE", help="run Kirok under cProfile (FILE.prof) or py-spy (FILE.svg / FILE.json); times are then not comparable")
    args = parser.parse_args()

    mach = common.machine()
    files = common.demo_files(args.persons, args.seed)
    counts = common.line_counts(files)
    (common.OUT / "work").mkdir(parents=True, exist_ok=True)
    work = args.workdir or Path(tempfile.mkdtemp(prefix=f"sqlite-{args.persons}-", dir=common.OUT / "work"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        # One freshly initialized workspace, copied twice: both sides start from the same bytes.
        template = work / "template"
        common.log("kirok init (template workspace)")
        common.run([common.KIROK, "init"], common.kirok_env(template))
        checkpoint(template / DB)
        kirok_home = work / "kirok"
        shutil.copytree(template, kirok_home)
        raw_db = work / "raw.sqlite3"
        shutil.copyfile(template / DB, raw_db)
        with sqlite3.connect(template / DB) as conn:
            before = max_ids(conn)

        common.log(f"Kirok: kirok import {' '.join(f.name for f in files)} (load average {common.load()})")
        run = common.timed_child(common.kirok_import_cmd(files, args.profile), common.kirok_env(kirok_home))
        common.log(f"Kirok: {run.seconds:.1f} s, max RSS {common.mib(run.max_rss)}")
        if args.profile:
            common.print_profile(args.profile)

        src = connect(kirok_home / DB)
        after = max_ids(src)
        grown = sorted((t for t in after if after[t] > before.get(t, 0)), key=table_order)
        domain = [t for t in grown if t not in common.HISTORY_TABLES]
        history = [t for t in grown if t in common.HISTORY_TABLES]
        kirok_rows = {t: src.execute(f'SELECT COUNT(*) FROM "{t}" WHERE id > ?', (before.get(t, 0),)).fetchone()[0] for t in domain}
        history_rows = {t: src.execute(f'SELECT COUNT(*) FROM "{t}" WHERE id > ?', (before.get(t, 0),)).fetchone()[0] for t in history}
        assert kirok_rows.get("records_person") == args.persons, kirok_rows
        assert kirok_rows.get("records_act") == args.persons, kirok_rows

        common.log(f"raw: executemany of {sum(kirok_rows.values()):,} rows into {len(domain)} tables (load average {common.load()})")
        dst = connect(raw_db)
        parts: dict[str, float] = {}
        cpu = 0.0
        dst.execute("BEGIN IMMEDIATE")
        for table in domain:
            cols = columns(src, table)
            names = ", ".join(f'"{c}"' for c in cols)
            rows = src.execute(f'SELECT {names} FROM "{table}" WHERE id > ? ORDER BY id', (before.get(table, 0),)).fetchall()
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(cols))})'
            started, cpu_started = time.perf_counter(), time.process_time()
            dst.executemany(sql, rows)
            parts[table] = time.perf_counter() - started
            cpu += time.process_time() - cpu_started
            del rows
        started, cpu_started = time.perf_counter(), time.process_time()
        dst.execute("COMMIT")
        parts["COMMIT"] = time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        raw_seconds = sum(parts.values())
        for table, n in kirok_rows.items():
            got = dst.execute(f'SELECT COUNT(*) FROM "{table}" WHERE id > ?', (before.get(table, 0),)).fetchone()[0]
            assert got == n, (table, got, n)
        src.close()
        dst.close()

        command = f".venv/bin/python benchmarks/import_sqlite.py --persons {args.persons}" + (f" --seed {args.seed}" if args.seed != 1 else "")
        common.report(
            title="SQLite import", persons=args.persons, files=counts, kirok=run, kirok_rows=kirok_rows,
            history_rows=history_rows, baseline_name="sqlite3 executemany", baseline_seconds=raw_seconds,
            baseline_parts=parts, mach=mach, command=command, baseline_cpu=cpu,
            extra={"sqlite": sqlite3.sqlite_version, "profiled": bool(args.profile),
                   "db_bytes": (kirok_home / DB).stat().st_size, "raw_db_bytes": raw_db.stat().st_size},
        )
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
