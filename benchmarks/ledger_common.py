"""Shared parts of the ledger benchmarks: a fresh workspace, Django in this process, results.

Run by hand, never in CI. Each ``ledger_*.py`` script measures one figure beside a baseline in
the same run and prints the ratio; results are saved as JSON in benchmarks/out/results/.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import common

DB = "kirok.sqlite3"


def workspace(name: str) -> Path:
    """A new workspace made by `kirok init` in benchmarks/out/work (removed by ``cleanup``)."""
    (common.OUT / "work").mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=common.OUT / "work")) / "home"
    common.log(f"kirok init {home}")
    common.run([common.KIROK, "init"], common.kirok_env(home))
    return home


def setup_django(home: Path) -> None:
    """Django in this process, on the benchmark's own SQLite workspace."""
    for key in [k for k in os.environ if k.startswith("KIROK_")]:
        del os.environ[key]
    os.environ["KIROK_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kirok.config.settings"
    import django

    django.setup()


def cleanup(home: Path) -> None:
    shutil.rmtree(home.parent, ignore_errors=True)


def best_of(runs: int, fn) -> float:
    """The fastest of ``runs`` timings of fn() (the machine is shared; the minimum is the least disturbed)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def table_sql(path: Path, table: str) -> list[str]:
    """The CREATE statements of a table and its indexes, to make the baseline's twin of it."""
    with sqlite3.connect(path) as conn:
        return [sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
                                               "ORDER BY type DESC", (table,))]


def save(title: str, result: dict) -> None:
    mach = common.machine()
    result = {"title": title, **result, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": asdict(mach), "sqlite": sqlite3.sqlite_version}
    print(f"machine: {mach.nproc} CPUs ({mach.cpu}); load average now {common.load()}; code {mach.commit}")
    results = common.OUT / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{title}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"saved {path.relative_to(common.ROOT)}")


def child(cmd: list[str], home: Path) -> common.ChildRun:
    return common.timed_child(cmd, common.kirok_env(home))


__all__ = ["DB", "best_of", "child", "cleanup", "save", "setup_django", "subprocess", "table_sql", "workspace"]
