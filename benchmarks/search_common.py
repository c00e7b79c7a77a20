"""Shared parts of the search benchmarks: the synthetic corpus, the Kirok index and the raw FTS5
trigram baseline over the same text, each in its own SQLite file under benchmarks/out/.

``search_build.py`` makes both (timing them); ``search_latency.py`` and ``search_relevance.py``
use what it made. The corpus is ``kirok.search.synthetic.Corpus`` (fictional excerpts with
ground truth); the excerpts are indexed as open text of information records (``syn:<n>``).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

SEED = 6


def folder(size: int, seed: int = SEED) -> Path:
    return common.OUT / f"search-{size}-seed{seed}"


def setup_django(size: int, seed: int = SEED) -> Path:
    """Django on the benchmark's own workspace (SQLite), migrated; returns the folder."""
    home = folder(size, seed)
    home.mkdir(parents=True, exist_ok=True)
    for key in [k for k in os.environ if k.startswith("KIROK_") and k not in ("KIROK_KIWI_WORKERS",)]:
        del os.environ[key]
    os.environ["KIROK_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kirok.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from kirok.workspace import Workspace

    Workspace.from_env().ensure()
    call_command("migrate", verbosity=0)
    return home


def baseline_path(size: int, seed: int = SEED) -> Path:
    return folder(size, seed) / "trigram.sqlite3"


def baseline_query(con: sqlite3.Connection, text: str, limit: int = 10) -> list[str]:
    """The raw trigram baseline: every whitespace-separated word of the query as a substring
    (MATCH for words of 3+ characters, LIKE for shorter ones, which trigram cannot MATCH),
    all required, ranked by BM25."""
    words = [w.replace('"', "") for w in text.split() if w.replace('"', "")]
    long_words = [w for w in words if len(w) >= 3]
    short = [w for w in words if len(w) < 3]
    where, params = [], []
    if long_words:
        where.append("t MATCH ?")
        params.append(" AND ".join(f'"{w}"' for w in long_words))
    for w in short:
        where.append("t.text LIKE ?")
        params.append(f"%{w}%")
    if not where:
        return []
    order = "ORDER BY bm25(t)" if long_words else ""
    rows = con.execute(f"SELECT ext FROM t WHERE {' AND '.join(where)} {order} LIMIT ?", [*params, limit]).fetchall()
    return [r[0] for r in rows]


def save(name: str, result: dict) -> Path:
    return common.save_result(f"{name}-{time.strftime('%Y%m%d-%H%M%S')}", result)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
