"""Index build rate beside Kiwi's own tokenize-only throughput, over the same excerpts, same run.

    .venv/bin/python benchmarks/search_build.py                  # 300,000 excerpts
    .venv/bin/python benchmarks/search_build.py --size 20000 --measure 5000

Makes ``--size`` synthetic fictional excerpts (``kirok.search.synthetic``; mixed Korean and
English, 100–1,000 characters). On the first ``--measure`` of them it times, one after the other:
(1) Kiwi tokenize-only (``Kiwi.tokenize`` over the texts, same worker count, model loaded before
timing); (2) Kirok's index build of the same texts — analysis (folding, Kiwi with the user
dictionary, lemmas), cross-script keys, name keys, document and facet rows, FTS5 — written in
transactions of 500 documents. The ratio of the two rates is the figure (goal >= 0.5). Then it
builds the rest of the index (timed too) and the raw FTS5 ``trigram`` baseline over the same text,
which ``search_latency.py`` and ``search_relevance.py`` use. Results: JSON in benchmarks/out/results/.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import search_common  # noqa: E402

GOAL = 0.5
BATCH = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--measure", type=int, default=20_000, help="excerpts timed beside Kiwi")
    parser.add_argument("--seed", type=int, default=search_common.SEED)
    parser.add_argument("--workers", type=int, default=2, help="Kiwi worker threads on both sides")
    args = parser.parse_args()
    os.environ["KIROK_KIWI_WORKERS"] = str(args.workers)
    home = search_common.setup_django(args.size, args.seed)

    from django.db import connection, transaction

    from kirok.korean.morphology import analyzer
    from kirok.search import backends, indexing
    from kirok.search.documents import Doc
    from kirok.search.models import Document
    from kirok.search.synthetic import Corpus

    mach = common.machine()
    corpus = Corpus(args.size, args.seed)
    if Document.objects.exists():
        sys.exit(f"{home} already holds an index; delete the folder to build again")
    common.log(f"generating {args.size:,} excerpts")
    excerpts = list(corpus)
    measured = excerpts[: args.measure]
    chars = sum(len(e.text) for e in measured)

    from kiwipiepy import Kiwi

    kiwi = Kiwi(num_workers=args.workers)
    kiwi.tokenize("준비")
    analyzer().tokenize("준비")  # both models loaded before timing
    common.log(f"Kiwi tokenize-only over {len(measured):,} excerpts ({chars:,} characters)")
    started = time.perf_counter()
    for _ in kiwi.tokenize(e.text for e in measured):
        pass
    kiwi_seconds = time.perf_counter() - started
    del kiwi

    backend = backends.current()

    def build(part) -> None:
        docs = [
            Doc("information", e.n + 1, str(uuid.UUID(int=e.n + 1)), e.external_id, "", [e.text],
                facets={("province", p, "", None) for p in e.places if p.startswith("KP-")} | {("violation", t, "", None) for t in e.topics})
            for e in part
        ]
        with transaction.atomic():
            indexing.write(backend, docs)

    common.log(f"Kirok index build over the same {len(measured):,} excerpts")
    started = time.perf_counter()
    for i in range(0, len(measured), BATCH):
        build(measured[i : i + BATCH])
    kirok_seconds = time.perf_counter() - started
    kiwi_rate, kirok_rate = chars / kiwi_seconds, chars / kirok_seconds
    ratio = kirok_rate / kiwi_rate
    print(f"Kiwi tokenize-only  {kiwi_seconds:8.1f} s  {kiwi_rate:10,.0f} chars/s")
    print(f"Kirok index build   {kirok_seconds:8.1f} s  {kirok_rate:10,.0f} chars/s   ratio {ratio:.3f} (goal >= {GOAL}: {common.verdict(ratio >= GOAL)})")

    rest = excerpts[args.measure :]
    rest_chars = sum(len(e.text) for e in rest)
    common.log(f"building the rest of the index: {len(rest):,} excerpts")
    started = time.perf_counter()
    for i in range(0, len(rest), BATCH):
        build(rest[i : i + BATCH])
        if i % 20_000 == 0:
            common.log(f"  {args.measure + i:,} / {args.size:,}")
    rest_seconds = time.perf_counter() - started
    with connection.cursor() as cur:
        backend.compact(cur)

    common.log("raw FTS5 trigram baseline over the same text")
    path = search_common.baseline_path(args.size, args.seed)
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(text, ext UNINDEXED, tokenize='trigram')")
    started = time.perf_counter()
    with con:
        con.executemany("INSERT INTO t(text, ext) VALUES (?, ?)", ((e.text, e.external_id) for e in excerpts))
    trigram_seconds = time.perf_counter() - started
    con.close()
    all_chars = chars + rest_chars
    print(f"rest of the index   {rest_seconds:8.1f} s  {rest_chars / max(rest_seconds, 1e-9):10,.0f} chars/s  ({len(rest):,} excerpts)")
    print(f"trigram baseline    {trigram_seconds:8.1f} s  {all_chars / trigram_seconds:10,.0f} chars/s  ({len(excerpts):,} excerpts)")
    mach.load_after = common.load()
    print(f"machine: {mach.nproc} CPUs, load average before {mach.load_before}, after {mach.load_after}; code {mach.commit}")
    saved = search_common.save("search_build", {
        "size": args.size, "measured": len(measured), "measured_chars": chars, "workers": args.workers,
        "kiwi_seconds": round(kiwi_seconds, 2), "kiwi_chars_per_s": round(kiwi_rate), "kirok_seconds": round(kirok_seconds, 2),
        "kirok_chars_per_s": round(kirok_rate), "ratio": round(ratio, 4), "goal_met": ratio >= GOAL,
        "rest_seconds": round(rest_seconds, 1), "rest_chars": rest_chars, "total_chars": all_chars,
        "trigram_seconds": round(trigram_seconds, 1), "command": " ".join(sys.argv), "machine": vars(mach),
    })
    print(f"saved {saved}")


if __name__ == "__main__":
    main()
