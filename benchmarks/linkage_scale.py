"""Linkage at scale: N synthetic person records deduplicated by Kirok's pipeline, time and memory.

    nice -n 10 .venv/bin/python benchmarks/linkage_scale.py --records 100000
    nice -n 10 .venv/bin/python benchmarks/linkage_scale.py --records 1000000   # issue 7's figure

The records come from ``kirok.linkage.synthetic`` (as in ``linkage_korean.py``): enough fictional
persons for N records, drawn with ``--seed``, the first N records of the shuffled draw kept. The
pipeline is the one ``kirok link run`` runs, called directly rather than through a workspace
(importing a million persons would dominate the figure; ``benchmarks/import_*.py`` measure that):

1. **features** — ``features.table`` on a stream of ``Facts`` (keyed hashes, rarity marked over
   the collection);
2. **scoring** — ``scoring.score`` (blocking capped to a budget of pairs per record, u and the
   rare-name m fitted on the collection, Splink's prediction in chunks) with the floor a run
   with automatic merging uses (``services.CONFLICT_FLOOR``: the pairs below ``conflict_below``
   are the conflicts clustering needs), each pair explained from the review threshold up;
3. **clusters** — ``clusters.greedy`` over the pairs at ``--threshold`` (0.5), conflicts below
   ``conflict_below`` and average linkage at ``cluster_mean``, as an automatic-merge run joins
   clusters.

Printed per stage: wall time, CPU time (this process's threads and its workers), and the peak
resident memory of the process in that stage (VmHWM,
reset before each stage through /proc/self/clear_refs; DuckDB's threads are in the process).
Quality against the generator's truth: blocking recall (true pairs sharing a key after the cap),
pairwise precision/recall/F1 of the scored pairs and of the pairs within clusters.

The baseline, in the same run: DuckDB's own self-join on the same capped blocking keys,
counting the distinct candidate pairs — the floor any blocked linkage pays before comparing a
single field. Kirok's scoring time is reported as a ratio to it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kirok.config.settings")

import common  # noqa: E402
from linkage_korean import greedy_clusters, prf, within  # noqa: E402

PERSONS_PER_RECORD = 0.38  # the generator draws 2.64 records per person on average (noise.yaml)


class Peak:
    """The peak memory and CPU time of one stage: this process's VmHWM (reset before the stage through
    /proc/self/clear_refs; DuckDB's threads are in it) and the sum of PSS over this process and
    its children (the feature workers), sampled twice a second; the larger of the two."""

    def __enter__(self):
        self._cpu = cpu_seconds()
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass
        self._tree = 0
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def _sample(self) -> None:
        while not self._done.wait(0.5):
            self._tree = max(self._tree, common._memory(common._tree(os.getpid()))[0])

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._sampler.join()
        with open("/proc/self/status") as f:
            own = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
        self.bytes = max(own, self._tree)
        self.cpu = cpu_seconds() - self._cpu


def cpu_seconds() -> float:
    """User and system time of this process (all its threads) and of its reaped children (the
    feature workers, once their pool has closed): less sensitive to other load than wall time."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def baseline(rows, settings) -> tuple[int, float]:
    """Distinct pairs sharing a capped blocking key, counted by DuckDB's self-join (same memory
    limit, same spill folder rule as scoring), and its wall time."""
    from kirok.linkage import scoring

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kirok-linkage-") as spill:
        con = scoring.connect(settings, spill)
        con.register("b", rows.select(["unique_id", "block"]))
        con.execute("CREATE TABLE k AS SELECT unique_id AS id, unnest(block) AS k FROM b")
        pairs = con.sql("SELECT count(*) FROM (SELECT DISTINCT a.id, c.id FROM k a JOIN k c ON a.k = c.k AND a.id < c.id)").fetchall()[0][0]
        con.close()
    return pairs, time.monotonic() - started


def blocking_recall(rows, true_pairs: list[tuple[int, int]]) -> float:
    """Share of the true pairs whose two records share a capped blocking key."""
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    con.register("b", rows.select(["unique_id", "block"]))
    con.register("t", pa.table({"l": [a for a, _ in true_pairs], "r": [b for _, b in true_pairs]}))
    found = con.sql("SELECT count(*) FROM t JOIN b x ON x.unique_id = t.l JOIN b y ON y.unique_id = t.r "
                    "WHERE list_has_any(x.block, y.block)").fetchall()[0][0]
    con.close()
    return found / len(true_pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--no-baseline", action="store_true", help="skip DuckDB's self-join")
    args = parser.parse_args()

    import django

    django.setup()
    from collections import defaultdict

    from kirok.linkage import features, scoring, services
    from kirok.linkage.settings import current
    from kirok.linkage.synthetic import Generator

    settings = current()
    load_before = os.getloadavg()
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    started = time.monotonic()
    records = Generator(args.seed).records(int(args.records * PERSONS_PER_RECORD) + 10)[:args.records]
    lists = {name: i for i, name in enumerate(sorted({r.list for r in records}))}
    truth = defaultdict(list)
    for i, r in enumerate(records):
        truth[r.person].append(i)
    true_pairs = [(a, b) for ids in truth.values() for a, b in itertools.combinations(sorted(ids), 2)]
    common.log(f"{len(records):,} records of {len(truth):,} persons, {len(true_pairs):,} true pairs "
               f"(generated in {time.monotonic() - started:.0f} s, not timed)")
    del truth
    stages: dict[str, dict] = {}

    with Peak() as peak:
        started = time.monotonic()
        rows = features.table((r.facts(i, lists[r.list]) for i, r in enumerate(records)), features.Hasher(os.urandom(32)),
                              workers=settings.feature_workers)
        stages["features"] = {"s": time.monotonic() - started}
    stages["features"] |= {"peak_mib": peak.bytes >> 20, "cpu_s": round(peak.cpu, 1)}
    n = len(records)
    del records
    common.log(f"features {stages['features']}")

    capped, blocking = scoring.capped(rows, settings)
    recall = blocking_recall(capped, true_pairs)
    del capped  # scoring caps its own copy; the baseline caps again after it
    common.log(f"blocking: cap {blocking.cap} records a key, {blocking.pairs:,} pairs counted per key; recall {recall:.4f}")

    with Peak() as peak:
        started = time.monotonic()
        scored, model = scoring.score(rows, settings=settings, threshold=services.CONFLICT_FLOOR, explain=settings.review_threshold)
        stages["scoring"] = {"s": time.monotonic() - started}
    stages["scoring"] |= {"peak_mib": peak.bytes >> 20, "cpu_s": round(peak.cpu, 1)}
    common.log(f"scoring {stages['scoring']}: {len(scored):,} pairs at or above {services.CONFLICT_FLOOR}")

    with Peak() as peak:
        started = time.monotonic()
        predicted = greedy_clusters(scored, lambda s: s.probability >= args.threshold, settings.conflict_below, n, settings.cluster_mean)
        stages["clusters"] = {"s": time.monotonic() - started}
    stages["clusters"] |= {"peak_mib": peak.bytes >> 20, "cpu_s": round(peak.cpu, 1)}
    common.log(f"clusters {stages['clusters']}")

    true_set = set(true_pairs)
    quality = {
        "blocking_recall": round(recall, 4),
        "pairwise_scored": prf({(s.left, s.right) for s in scored if s.probability >= args.threshold}, true_set),
        "pairwise_within_clusters": prf(within(predicted), true_set),
    }
    common.log(f"quality {quality}")
    pipeline_s = sum(stage["s"] for stage in stages.values())
    result = {
        "figure": "linkage_scale", "when": when, "records": n, "seed": args.seed, "threshold": args.threshold,
        "kirok": {
            "stages": {k: v | {"s": round(v["s"], 1)} for k, v in stages.items()},
            "total_s": round(pipeline_s, 1), "block_cap": blocking.cap, "block_pairs_per_key": blocking.pairs,
            "chunks": scoring.chunks(blocking), "pairs_kept": len(scored), "model": model.trained,
        },
        "quality": quality,
        # the stages' peaks: ru_maxrss is reset with VmHWM (clear_refs), so it holds the last stage's only
        "peak_mib": max(stage["peak_mib"] for stage in stages.values()),
    }
    if not args.no_baseline:
        pairs, baseline_s = baseline(scoring.capped(rows, settings)[0], settings)
        result["baseline_duckdb_self_join"] = {"distinct_pairs": pairs, "s": round(baseline_s, 1)}
        result["ratio_scoring_to_baseline"] = round(stages["scoring"]["s"] / baseline_s, 2)
        result["ratio_total_to_baseline"] = round(pipeline_s / baseline_s, 2)
        common.log(f"baseline: {pairs:,} distinct blocked pairs in {baseline_s:.1f} s")
    result["load_average"] = [round(x, 2) for x in load_before] + [round(x, 2) for x in os.getloadavg()]
    common.save_result(f"linkage_scale-{n}-seed{args.seed}", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
