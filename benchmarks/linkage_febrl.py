"""FEBRL smoke test: Splink (the engine under Kirok's linkage) beside recordlinkage's ECM classifier.

    .venv/bin/python benchmarks/linkage_febrl.py

FEBRL3 (5,000 records, deduplication) and FEBRL4 (5,000 + 5,000 records, linkage) ship with the
``recordlinkage`` package (offline). Both pipelines in the same run, on the same records; FEBRL is
nearly saturated, so this only shows that the engine and the way Kirok drives it (u by random
sampling, a deterministic prior, EM) are sound on a public set. Kirok's Korean name keys do not
apply to FEBRL's English names and are measured by linkage_korean.py.

* Splink, documented building blocks: Jaro-Winkler on given name and surname, Levenshtein on
  street, suburb and date of birth, exact on postcode, state and social-security id; blocking on
  given name, surname, date of birth and postcode; threshold match probability 0.5.
* recordlinkage: the same blocking, the same comparisons as 0/1 features (string thresholds
  0.85), ECM classifier (its documented unsupervised default).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

STRINGS = ("given_name", "surname", "address_1", "suburb")
EXACT = ("postcode", "state", "soc_sec_id")


def prf(found: set, true: set) -> dict:
    tp = len(found & true)
    p, r = (tp / len(found) if found else 0.0), (tp / len(true) if true else 0.0)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def splink_pairs(frames: list, link: bool) -> tuple[set, float]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.monotonic()
    db = DuckDBAPI()
    tables = [db.register(f.reset_index().rename(columns={"rec_id": "unique_id"}).fillna("")) for f in frames]
    rules = [block_on("given_name"), block_on("surname"), block_on("date_of_birth"), block_on("postcode")]
    settings = SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.9, 0.7]), cl.JaroWinklerAtThresholds("surname", [0.9, 0.7]),
            cl.LevenshteinAtThresholds("address_1", [2]), cl.LevenshteinAtThresholds("suburb", [2]),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            *(cl.ExactMatch(c) for c in EXACT),
        ],
    )
    linker = Linker(tables, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match([block_on("soc_sec_id", "date_of_birth")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=19481210)
    for rule in (block_on("date_of_birth"), block_on("given_name", "surname")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    found = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    pairs = {tuple(sorted((a, b))) if not link else (a, b) for a, b in zip(found.unique_id_l, found.unique_id_r)}
    return pairs, time.monotonic() - started


def ecm_pairs(frames: list, link: bool) -> tuple[set, float]:
    import recordlinkage

    started = time.monotonic()
    indexers = []
    for column in ("given_name", "surname", "date_of_birth", "postcode"):
        indexer = recordlinkage.Index()
        indexer.block(column)
        indexers.append(indexer.index(*frames))
    candidates = indexers[0]
    for more in indexers[1:]:
        candidates = candidates.union(more)
    compare = recordlinkage.Compare()
    for column in STRINGS:
        compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
    compare.string("date_of_birth", "date_of_birth", method="levenshtein", threshold=0.85, label="date_of_birth")
    for column in EXACT:
        compare.exact(column, column, label=column)
    features = compare.compute(candidates, *frames)
    found = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    pairs = {tuple(sorted(p)) if not link else tuple(p) for p in found}
    return pairs, time.monotonic() - started


def main() -> None:
    from recordlinkage.datasets import load_febrl3, load_febrl4

    load_before = os.getloadavg()
    results = {}
    df, links = load_febrl3(return_links=True)
    true3 = {tuple(sorted(p)) for p in links}
    a, b, links4 = load_febrl4(return_links=True)
    true4 = {tuple(p) for p in links4}
    for name, frames, link, true in (("febrl3_dedup", [df], False, true3), ("febrl4_link", [a, b], True, true4)):
        for engine, run in (("splink", splink_pairs), ("recordlinkage_ecm", ecm_pairs)):
            pairs, seconds = run(frames, link)
            results.setdefault(name, {})[engine] = {**prf(pairs, true), "s": round(seconds, 2)}
            common.log(f"{name} {engine}: {results[name][engine]}")
    results["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    results["load_average"] = [round(x, 2) for x in load_before] + [round(x, 2) for x in os.getloadavg()]
    common.save_result("linkage_febrl", results)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
