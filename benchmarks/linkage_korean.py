"""Linkage of synthetic Korean person records: Kirok beside Splink with a plain Jaro-Winkler name.

    .venv/bin/python benchmarks/linkage_korean.py                       # 20,000 fictional persons
    .venv/bin/python benchmarks/linkage_korean.py --persons 2000 --seed 3

The records come from ``kirok.linkage.synthetic`` (kirok/data/linkage/noise.yaml): each fictional
person 1–6 times, in Hangul (DPRK or ROK spelling), RR, MR, the DPRK system or a conventional
spelling, with spacing, Western order, typos, birth-year noise, missing values and true namesakes.
The m-probabilities in kirok/data/linkage/settings.yaml were set on seed 7 (3,000 persons); the
default seed here (11) is a different draw.

Figures, both pipelines in the same run, on the same records:

* blocking recall: of the true pairs, the share that blocking lets through to scoring;
* pairwise precision, recall and F1 at the threshold (match probability ≥ 0.5): scored pairs;
* pairwise precision, recall and F1 within Kirok's clusters: every pair inside a cluster (what
  ``kirok link export-clusters`` gives an answer key), a pair joined through a third record
  included, a pair across a conflict left out;
* cluster F1: Kirok's clusters (best pair first, never across a pair scored below
  ``conflict_below``; kirok/linkage/clusters.py) and, for comparison, plain connected components
  of the pairs at the threshold; each true person's records form a cluster, and a predicted
  cluster counts when it equals a true cluster exactly; the baseline's clusters are Splink's
  connected components;
* Kirok's automatic-merge rule (names never alone): pairs above the threshold that a field other
  than the name supports;
* time (features, scoring) and peak memory of the process.

The baseline is Splink with its documented building blocks on the plaintext: the name lower-cased
(NFKC, case-folded) compared with Jaro-Winkler at 0.92 and 0.8, birth year exact / within 1 / 3,
sex, origin and province exact; blocking on the exact name, on birth year and sex, and on the
first three letters with the birth year; u by random sampling, m by expectation maximisation.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kirok.config.settings")

import common  # noqa: E402


def clusters(pairs, n: int) -> list[frozenset[int]]:
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    groups = defaultdict(set)
    for i in range(n):
        groups[root(i)].add(i)
    return [frozenset(g) for g in groups.values()]


def prf(found: set, true: set) -> dict:
    tp = len(found & true)
    p = tp / len(found) if found else 0.0
    r = tp / len(true) if true else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "pairs": len(found)}


def greedy_clusters(scored, keep, conflict_below: float, n: int, mean: float = 0.0) -> list[frozenset[int]]:
    """Kirok's clusters: best pair first, never across a conflict, and only clusters whose pairs
    across match on average (``mean``; kirok/linkage/clusters.py)."""
    from kirok.linkage.clusters import greedy

    conflicts = [(s.left, s.right) for s in scored if s.probability < conflict_below]
    probability = {(s.left, s.right): s.probability for s in scored if s.probability >= conflict_below}  # clusters.greedy: a conflict never counts in a mean
    roots, _joins = greedy([(s.left, s.right) for s in scored if keep(s)], conflicts, probability=probability, mean=mean)
    groups = defaultdict(set)
    for i in range(n):
        groups[roots.get(i, i)].add(i)
    return [frozenset(g) for g in groups.values()]


def within(predicted: list[frozenset[int]]) -> set[tuple[int, int]]:
    """Every pair inside a predicted cluster: what a reviewer confirming the cluster confirms, and
    what an answer key scoring ``kirok link export-clusters`` counts."""
    return {pair for c in predicted for pair in itertools.combinations(sorted(c), 2)}


def figures(pairs: set, true_pairs: set, true_clusters: set, n: int, predicted: list | None = None) -> dict:
    predicted = predicted if predicted is not None else clusters(pairs, n)
    exact = sum(1 for c in predicted if c in true_clusters)
    cp, cr = exact / len(predicted), exact / len(true_clusters)
    out = {"pairwise": prf(pairs, true_pairs)}
    out["cluster"] = {"precision": round(cp, 4), "recall": round(cr, 4), "f1": round(2 * cp * cr / (cp + cr), 4) if cp + cr else 0.0}
    return out


def blocking_recall(rows, true_pairs) -> tuple[float, int]:
    """Share of true pairs that share a blocking key, and the distinct pairs blocking makes
    (``rows``: the features table, capped as scoring caps it)."""
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    con.register("b", rows.select(["unique_id", "block"]).rename_columns(["id", "block"]))
    con.execute("CREATE TABLE k AS SELECT id, unnest(block) AS k FROM b")
    con.execute("CREATE TABLE p AS SELECT DISTINCT a.id AS l, c.id AS r FROM k a JOIN k c ON a.k = c.k AND a.id < c.id")
    con.register("t", pa.Table.from_pylist([{"l": a, "r": b} for a, b in true_pairs]))
    found = con.sql("SELECT count(*) FROM t JOIN p USING (l, r)").fetchall()[0][0]
    total = con.sql("SELECT count(*) FROM p").fetchall()[0][0]
    return found / len(true_pairs), total


def baseline(records, lists, threshold: float, true_pairs: set) -> tuple[set, dict]:
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())

    table = pa.Table.from_pylist([{
        "unique_id": i, "name": norm(r.name), "birth_year": r.birth[0] if r.birth[0] == r.birth[1] else None,
        "sex": r.sex, "origin": min(r.origin) if r.origin else None, "province": r.province, "source": lists[r.list],
    } for i, r in enumerate(records)])
    rules = [block_on("name"), block_on("birth_year", "sex"), block_on("substr(name, 1, 3)", "birth_year")]
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.92, 0.8]),
            cl.CustomComparison(output_column_name="birth_year", comparison_levels=[
                {"sql_condition": "birth_year_l IS NULL OR birth_year_r IS NULL", "label_for_charts": "null", "is_null_level": True},
                {"sql_condition": "birth_year_l = birth_year_r", "label_for_charts": "exact"},
                {"sql_condition": "abs(birth_year_l - birth_year_r) <= 1", "label_for_charts": "within 1"},
                {"sql_condition": "abs(birth_year_l - birth_year_r) <= 3", "label_for_charts": "within 3"},
                {"sql_condition": "ELSE", "label_for_charts": "else"},
            ]),
            cl.ExactMatch("sex"), cl.ExactMatch("origin"), cl.ExactMatch("province"), cl.ExactMatch("source"),
        ],
    )
    db = DuckDBAPI()
    linker = Linker(db.register(table), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match([block_on("name", "birth_year")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=19481210)
    for rule in (block_on("name"), block_on("birth_year", "sex")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    blocked = linker.inference.predict(threshold_match_probability=0.0).as_pandas_dataframe()
    pairs_all = {tuple(sorted((int(a), int(b)))) for a, b in zip(blocked.unique_id_l, blocked.unique_id_r)}
    above = blocked[blocked.match_probability >= threshold]
    pairs = {tuple(sorted((int(a), int(b)))) for a, b in zip(above.unique_id_l, above.unique_id_r)}
    return pairs, {"blocking_recall": round(len(pairs_all & true_pairs) / len(true_pairs), 4), "blocked_pairs": len(pairs_all)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args()

    import django

    django.setup()
    from kirok.linkage.features import Hasher, table as feature_table
    from kirok.linkage.scoring import capped, evidence_beside_name, score
    from kirok.linkage.settings import current
    from kirok.linkage.synthetic import Generator

    load_before = os.getloadavg()
    records = Generator(args.seed).records(args.persons)
    lists = {name: i for i, name in enumerate(sorted({r.list for r in records}))}
    truth = defaultdict(list)
    for i, r in enumerate(records):
        truth[r.person].append(i)
    true_pairs = {(a, b) for ids in truth.values() for a, b in itertools.combinations(sorted(ids), 2)}
    true_clusters = {frozenset(ids) for ids in truth.values()}
    common.log(f"{len(records):,} records of {args.persons:,} persons; {len(true_pairs):,} true pairs")

    started = time.monotonic()
    hasher = Hasher(os.urandom(32))
    rows = feature_table((r.facts(i, lists[r.list]) for i, r in enumerate(records)), hasher)
    features_s = time.monotonic() - started
    recall, blocked = blocking_recall(capped(rows, current())[0], true_pairs)
    common.log(f"Kirok features {features_s:.1f} s; blocking recall {recall:.4f} over {blocked:,} pairs")
    started = time.monotonic()
    scored, model = score(rows, threshold=0.001)
    score_s = time.monotonic() - started
    n, floor, mean = len(records), current().conflict_below, current().cluster_mean
    above = [s for s in scored if s.probability >= args.threshold]
    kirok_clusters = greedy_clusters(scored, lambda s: s.probability >= args.threshold, floor, n, mean)
    kirok = figures({(s.left, s.right) for s in above}, true_pairs, true_clusters, n, kirok_clusters)
    kirok["pairwise_within_clusters"] = prf(within(kirok_clusters), true_pairs)
    kirok["cluster_connected_components"] = figures({(s.left, s.right) for s in above}, true_pairs, true_clusters, n)["cluster"]
    alone = lambda s: s.probability >= args.threshold and evidence_beside_name(s)  # noqa: E731
    kirok_auto = figures({(s.left, s.right) for s in above if evidence_beside_name(s)}, true_pairs, true_clusters, n,
                         greedy_clusters(scored, alone, floor, n, mean))
    common.log(f"Kirok scoring {score_s:.1f} s: {kirok}")

    started = time.monotonic()
    base_pairs, base_blocking = baseline(records, lists, args.threshold, true_pairs)
    base_s = time.monotonic() - started
    base = figures(base_pairs, true_pairs, true_clusters, len(records))
    common.log(f"Splink + Jaro-Winkler {base_s:.1f} s: {base} {base_blocking}")

    result = {
        "figure": "linkage_korean", "persons": args.persons, "records": len(records), "true_pairs": len(true_pairs),
        "seed": args.seed, "threshold": args.threshold,
        "kirok": {"blocking_recall": round(recall, 4), "blocked_pairs": blocked, **kirok, "names_never_alone": kirok_auto,
                  "features_s": round(features_s, 1), "score_s": round(score_s, 1), "model": model.trained},
        "splink_jaro_winkler": {**base_blocking, **base, "s": round(base_s, 1)},
        "f1_ratio": round(kirok["pairwise"]["f1"] / base["pairwise"]["f1"], 3) if base["pairwise"]["f1"] else None,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(x, 2) for x in load_before] + [round(x, 2) for x in os.getloadavg()],
    }
    common.save_result(f"linkage_korean-{args.persons}-seed{args.seed}", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
