"""Query latency, p50 and p95 over a fixed set of 200 queries, beside a raw FTS5 trigram index.

    .venv/bin/python benchmarks/search_build.py                 # once: the index and the baseline
    .venv/bin/python benchmarks/search_latency.py               # 300,000 excerpts
    .venv/bin/python benchmarks/search_latency.py --size 50000

The queries are the labelled set of ``search_relevance.py`` (persons in another spelling than the
text, places in another script, place + violation in Korean or English), made by
``kirok.search.synthetic``. Kirok's side is the service the page, the API and the CLI call,
``kirok.search.services.search`` as the console operator: parse, plan (Kiwi, keys), match, rank,
count the total, count every facet, and cut highlighted snippets for the 10 hits shown; the same
without facets is reported too. The baseline is a raw ``sqlite3`` query of the trigram table
(``search_common.baseline_query``: top 10 by BM25). Each query runs once to warm caches, then
``--repeat`` times. Goal: p95 <= 50 ms.

Besides wall-clock time, each row reports the process's CPU time per query (``time.process_time``:
Python and SQLite both run in this process), which a busy shared machine inflates far less than
wall-clock time: compare before/after figures at the same load, or by CPU time.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import search_common  # noqa: E402

GOAL_P95_MS = 50


def timings(run, queries, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each timed run."""
    wall, cpu = [], []
    for q in queries:
        run(q)
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            run(q)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=search_common.SEED)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    search_common.setup_django(args.size, args.seed)

    from kirok.protection.principal import Principal
    from kirok.search.models import Document
    from kirok.search.services import search
    from kirok.search.synthetic import Corpus

    docs = Document.objects.count()
    if docs < args.size:
        sys.exit(f"the index holds {docs:,} documents; run benchmarks/search_build.py --size {args.size} first")
    mach = common.machine()
    queries = [q.text for q in Corpus(args.size, args.seed).queries(args.queries)]
    operator = Principal.console("benchmark")
    search("준비", user=operator)  # Kiwi loaded before timing
    con = sqlite3.connect(search_common.baseline_path(args.size, args.seed))
    rows = {
        "Kirok search (hits, total, facets, snippets)": timings(lambda q: search(q, user=operator, limit=10), queries, args.repeat),
        "Kirok search without facets": timings(lambda q: search(q, user=operator, limit=10, facets=False), queries, args.repeat),
        "raw FTS5 trigram, top 10": timings(lambda q: search_common.baseline_query(con, q), queries, args.repeat),
    }
    mach.load_after = common.load()
    result = {"size": args.size, "queries": len(queries), "repeat": args.repeat, "command": " ".join(sys.argv), "machine": vars(mach)}
    for name, (values, cpu) in rows.items():
        p50, p95 = search_common.percentile(values, 50), search_common.percentile(values, 95)
        c50, c95 = search_common.percentile(cpu, 50), search_common.percentile(cpu, 95)
        print(f"{name:<46} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {max(values):7.1f} ms   CPU p50 {c50:6.1f} ms  p95 {c95:6.1f} ms")
        result[name] = {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "max_ms": round(max(values), 2),
                        "cpu_p50_ms": round(c50, 2), "cpu_p95_ms": round(c95, 2)}
    p95 = result["Kirok search (hits, total, facets, snippets)"]["p95_ms"]
    print(f"goal p95 <= {GOAL_P95_MS} ms: {common.verdict(p95 <= GOAL_P95_MS)}  ({docs:,} documents; load average before {mach.load_before}, after {mach.load_after})")
    result["goal_met"] = p95 <= GOAL_P95_MS
    print(f"saved {search_common.save('search_latency', result)}")


if __name__ == "__main__":
    main()
