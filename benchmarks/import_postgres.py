"""Import of N persons with names plus N acts from JSON Lines into PostgreSQL, beside raw `COPY`.

    .venv/bin/python benchmarks/import_postgres.py --persons 200000
    .venv/bin/python benchmarks/import_postgres.py --server postgres://postgres@127.0.0.1:5432

The same figure as ``import_sqlite.py``, on PostgreSQL:

1. the same demo files (place, person, event, act: N persons, N acts, N/3 events);
2. **Kirok**: a template database migrated and loaded by `kirok init`, two copies of it
   (``CREATE DATABASE … TEMPLATE``), then the wall time and peak RSS of the Kirok process running
   ``kirok import --no-progress FILES`` against the first (the server's own memory is not in it);
3. **raw**: the rows Kirok wrote into the domain tables (every table that grew except
   ``records_version`` and ``records_changeset``) are read table by table (not timed, as text)
   and written with psycopg ``COPY … FROM STDIN`` (``write_row``) into the same tables of the
   second copy, in one transaction; timed: the ``COPY`` statements and the ``COMMIT``.

The three databases are dropped afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

RECORD_TABLES = ("records_place", "records_person", "records_event", "records_act")


def table_order(name: str) -> tuple:
    owners = [t for t in RECORD_TABLES if name.startswith(t)]
    owner = max(owners, key=len) if owners else "~"
    return (RECORD_TABLES.index(owner) if owner in RECORD_TABLES else 99, name != owner, name)


def id_tables(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id' "
        "ORDER BY table_name"
    )]


def max_ids(conn: psycopg.Connection) -> dict[str, int]:
    return {
        t: conn.execute(sql.SQL("SELECT COALESCE(MAX(id), 0) FROM {}").format(sql.Identifier(t))).fetchone()[0]
        for t in id_tables(conn)
    }


def count_since(conn, table: str, since: int) -> int:
    return conn.execute(sql.SQL("SELECT COUNT(*) FROM {} WHERE id > %s").format(sql.Identifier(table)), (since,)).fetchone()[0]


def columns(conn, table: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
        "ORDER BY ordinal_position", (table,)
    )]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000, help="N persons and N acts (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server", default=os.environ.get("KIROK_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
                        help="PostgreSQL server URL without a database (default postgres://postgres@127.0.0.1:5432)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--profile", metavar="FILE", help="run Kirok under cProfile (FILE.prof) or py-spy (FILE.svg / FILE.json)")
    args = parser.parse_args()

    mach = common.machine()
    files = common.demo_files(args.persons, args.seed)
    counts = common.line_counts(files)
    prefix = f"kirok_bench_{args.persons}_{os.getpid()}"
    tpl, kdb, rdb = f"{prefix}_tpl", f"{prefix}_kirok", f"{prefix}_raw"
    url = args.server.rstrip("/")
    admin = psycopg.connect(f"{url}/postgres", autocommit=True)
    mach.extra = {
        "postgres": admin.execute("SHOW server_version").fetchone()[0],
        **{k: admin.execute(f"SHOW {k}").fetchone()[0] for k in ("shared_buffers", "synchronous_commit", "fsync", "max_wal_size")},
    }
    (common.OUT / "work").mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix=f"pg-{args.persons}-", dir=common.OUT / "work"))
    created: list[str] = []
    try:
        for name in (tpl,):
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            created.append(name)
        common.log(f"kirok init (template database {tpl})")
        common.run([common.KIROK, "init"], common.kirok_env(home, f"{url}/{tpl}"))
        for name in (kdb, rdb):
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(tpl)))
            created.append(name)
        with psycopg.connect(f"{url}/{tpl}") as conn:
            before = max_ids(conn)

        common.log(f"Kirok: kirok import {' '.join(f.name for f in files)} into {kdb} (load average {common.load()})")
        run = common.timed_child(common.kirok_import_cmd(files, args.profile), common.kirok_env(home, f"{url}/{kdb}"))
        common.log(f"Kirok: {run.seconds:.1f} s, max RSS {common.mib(run.max_rss)}")
        if args.profile:
            common.print_profile(args.profile)

        src = psycopg.connect(f"{url}/{kdb}", autocommit=True)
        after = max_ids(src)
        grown = sorted((t for t in after if after[t] > before.get(t, 0)), key=table_order)
        domain = [t for t in grown if t not in common.HISTORY_TABLES]
        history = [t for t in grown if t in common.HISTORY_TABLES]
        kirok_rows = {t: count_since(src, t, before.get(t, 0)) for t in domain}
        history_rows = {t: count_since(src, t, before.get(t, 0)) for t in history}
        assert kirok_rows.get("records_person") == args.persons, kirok_rows
        assert kirok_rows.get("records_act") == args.persons, kirok_rows
        src.execute("VACUUM ANALYZE")  # not timed; settles the source before it is read

        common.log(f"raw: COPY of {sum(kirok_rows.values()):,} rows into {len(domain)} tables (load average {common.load()})")
        dst = psycopg.connect(f"{url}/{rdb}")
        parts: dict[str, float] = {}
        cur = dst.cursor()
        cur.execute("SELECT 1")  # opens the transaction
        for table in domain:
            cols = columns(src, table)
            select = sql.SQL("SELECT {} FROM {} WHERE id > %s ORDER BY id").format(
                sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in cols), sql.Identifier(table)
            )
            rows = src.execute(select, (before.get(table, 0),)).fetchall()
            copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, cols))
            )
            started = time.perf_counter()
            with cur.copy(copy) as cp:
                for row in rows:
                    cp.write_row(row)
            parts[table] = time.perf_counter() - started
            del rows
        started = time.perf_counter()
        dst.commit()
        parts["COMMIT"] = time.perf_counter() - started
        raw_seconds = sum(parts.values())
        for table, n in kirok_rows.items():
            got = count_since(dst, table, before.get(table, 0))
            assert got == n, (table, got, n)
        dst.commit()
        sizes = {name: admin.execute("SELECT pg_database_size(%s)", (name,)).fetchone()[0] for name in (kdb, rdb)}
        src.close()
        dst.close()

        command = f".venv/bin/python benchmarks/import_postgres.py --persons {args.persons}" + (f" --seed {args.seed}" if args.seed != 1 else "")
        common.report(
            title="PostgreSQL import", persons=args.persons, files=counts, kirok=run, kirok_rows=kirok_rows,
            history_rows=history_rows, baseline_name="psycopg COPY", baseline_seconds=raw_seconds,
            baseline_parts=parts, mach=mach, command=command,
            extra={"profiled": bool(args.profile), "db_bytes": sizes[kdb], "raw_db_bytes": sizes[rdb]},
        )
    finally:
        if not args.keep:
            for name in reversed(created):
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            shutil.rmtree(home, ignore_errors=True)
        admin.close()


if __name__ == "__main__":
    main()
