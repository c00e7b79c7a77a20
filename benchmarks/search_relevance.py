"""Relevance: recall@10 and nDCG@10 on labelled queries, Kirok beside a raw FTS5 trigram index.

    .venv/bin/python benchmarks/search_relevance.py             # 300,000 excerpts, 200 queries
    .venv/bin/python benchmarks/search_relevance.py --size 50000

The queries and their relevant excerpts come from the synthetic generator's ground truth
(``kirok.search.synthetic``): an excerpt is relevant when it mentions every person, place and
violation the query names, in whatever script, spelling or inflection it uses. Four kinds, a
quarter each: a person written in another script or romanization than one of their excerpts
(Hangul for an English excerpt, a romanization for a Korean one), a place likewise, and a place
with a violation word in Korean (구금) or English (tortured). recall@10 = relevant in the top 10 /
min(10, relevant); nDCG@10 with binary gains. Goal: recall@10 >= 0.9 and above the baseline.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import search_common  # noqa: E402

GOAL = 0.9


def scores(ranked: list[str], relevant: set[str]) -> tuple[float, float]:
    if not relevant:
        return 1.0, 1.0
    ideal = min(10, len(relevant))
    hits = [1 if r in relevant else 0 for r in ranked[:10]]
    recall = sum(hits) / ideal
    dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
    idcg = sum(1 / math.log2(i + 2) for i in range(ideal))
    return recall, dcg / idcg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=search_common.SEED)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    search_common.setup_django(args.size, args.seed)

    from kirok.protection.principal import Principal
    from kirok.search.services import search
    from kirok.search.synthetic import Corpus

    mach = common.machine()
    corpus = Corpus(args.size, args.seed)
    queries = corpus.queries(args.queries)
    common.log(f"judging {len(queries)} queries against {args.size:,} excerpts (ground truth)")
    relevant: dict[int, set[str]] = defaultdict(set)
    for ex in corpus:
        for i, q in enumerate(queries):
            if q.matches(ex):
                relevant[i].add(ex.external_id)
    operator = Principal.console("benchmark")
    con = sqlite3.connect(search_common.baseline_path(args.size, args.seed))
    per_kind: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for i, q in enumerate(queries):
        kirok = [h.external_id for h in search(q.text, user=operator, limit=10, facets=False, snippets=False).hits]
        base = search_common.baseline_query(con, q.text)
        for name, ranked in (("kirok", kirok), ("trigram", base)):
            per_kind[(name, q.kind)].append(scores(ranked, relevant[i]))
            per_kind[(name, "all")].append(scores(ranked, relevant[i]))
    result = {"size": args.size, "queries": len(queries), "command": " ".join(sys.argv), "machine": vars(mach)}
    kinds = ["all", *sorted({q.kind for q in queries})]
    print(f"{'kind':<16} {'n':>4}  {'Kirok recall@10':>16} {'nDCG@10':>8}   {'trigram recall@10':>18} {'nDCG@10':>8}")
    for kind in kinds:
        k, b = per_kind[("kirok", kind)], per_kind[("trigram", kind)]
        row = {
            "n": len(k), "kirok_recall": sum(r for r, _ in k) / len(k), "kirok_ndcg": sum(n for _, n in k) / len(k),
            "trigram_recall": sum(r for r, _ in b) / len(b), "trigram_ndcg": sum(n for _, n in b) / len(b),
        }
        result[kind] = {key: round(v, 4) for key, v in row.items()}
        print(f"{kind:<16} {len(k):>4}  {row['kirok_recall']:16.3f} {row['kirok_ndcg']:8.3f}   {row['trigram_recall']:18.3f} {row['trigram_ndcg']:8.3f}")
    overall = result["all"]
    met = overall["kirok_recall"] >= GOAL and overall["kirok_recall"] > overall["trigram_recall"]
    mach.load_after = common.load()
    print(f"goal recall@10 >= {GOAL} and above the baseline: {common.verdict(met)}  (load average {mach.load_before} → {mach.load_after})")
    result["goal_met"] = met
    print(f"saved {search_common.save('search_relevance', result)}")


if __name__ == "__main__":
    main()
