"""What no linkage method could tell apart in the synthetic Korean set, and where Kirok's misses are.

    .venv/bin/python benchmarks/linkage_ceiling.py                       # 20,000 persons, seed 11
    .venv/bin/python benchmarks/linkage_ceiling.py --persons 20000 --seed 7 --errors

The records are those of ``benchmarks/linkage_korean.py`` (``kirok.linkage.synthetic``, same
seed, same persons). Figures, against the generator's truth:

* **bare records**: records that hold nothing but a name, a sex and a source (no birth year, no
  place of origin), and the true pairs with such a side;
* **ambiguous true pairs** (the ceiling): a true pair (a, b) for which a record c of *another*
  person agrees with a wherever b does — c shares a name key with a (the same name in any script
  or system), and shares a's written form, birth year, place of origin and province whenever b
  does, and no known field of c contradicts a. Whatever a method reads from a's record, c's
  person fits it as well as b's: the method can link a to b only by guessing, and a guess costs
  as many wrong pairs as right ones;
* **the ceiling of pairwise F1** those pairs leave: every other true pair found and no wrong
  one, the ambiguous ones guessed at even odds (half right, half a wrong pair each);
* with ``--errors``: Kirok's pairwise F1 within clusters beside the ceiling (the ratio), and its pairs (``features.table``, ``scoring.score``, the clusters of
  ``linkage_korean.greedy_clusters``, as ``linkage_korean.py`` runs them) grouped by the levels of
  name, birth year and origin, with how many pairs each group holds, the share of them that is
  one person, the mean predicted probability and the true pairs missed — a group whose share of
  one person is below one half is missed by any rule that scores the group alike.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kirok.config.settings")

import common  # noqa: E402


def ceiling(records, rows) -> dict:
    """The bare records and the ambiguous true pairs (module docstring)."""
    truth = defaultdict(list)
    for i, r in enumerate(records):
        truth[r.person].append(i)
    true_pairs = [(a, b) for ids in truth.values() for a, b in itertools.combinations(sorted(ids), 2)]
    sets = [{c: set(r[c]) for c in ("name_exact", "name_keys", "birth", "origin")} for r in rows]
    by_key = defaultdict(list)
    for i, s in enumerate(sets):
        for h in s["name_keys"]:
            by_key[h].append(i)

    def bare(i: int) -> bool:
        return not sets[i]["birth"] and not sets[i]["origin"] and rows[i]["province"] is None

    def contradicts(a: int, c: int) -> bool:
        x, y = sets[a], sets[c]
        return (bool(x["birth"] and y["birth"]) and not x["birth"] & y["birth"]
                or bool(x["origin"] and y["origin"]) and not x["origin"] & y["origin"]
                or rows[a]["province"] is not None and rows[c]["province"] is not None and rows[a]["province"] != rows[c]["province"]
                or bool(records[a].sex and records[c].sex) and records[a].sex != records[c].sex)

    def as_well(a: int, b: int, c: int) -> bool:
        x, y, z = sets[a], sets[b], sets[c]
        if contradicts(a, c):
            return False
        for column in ("name_exact", "birth", "origin"):
            if x[column] & y[column] and not x[column] & z[column]:
                return False
        province = rows[a]["province"]
        return not (province is not None and province == rows[b]["province"] and province != rows[c]["province"])

    def ambiguous(a: int, b: int) -> bool:
        me = records[a].person
        return any(records[c].person != me and as_well(a, b, c)
                   for h in sets[a]["name_keys"] & sets[b]["name_keys"] for c in by_key[h])

    bare_pairs = [(a, b) for a, b in true_pairs if bare(a) or bare(b)]
    found = [(a, b) for a, b in true_pairs if ambiguous(a, b) or ambiguous(b, a)]
    n = len(true_pairs)
    return {
        "records": len(records), "true_pairs": n,
        "bare_records": sum(1 for i in range(len(rows)) if bare(i)),
        "true_pairs_with_a_bare_side": len(bare_pairs),
        "ambiguous_true_pairs": len(found), "ambiguous_share": round(len(found) / n, 4),
        "ambiguous_with_a_bare_side": sum(1 for p in found if bare(p[0]) or bare(p[1])),
        # every other true pair found and no wrong one, the ambiguous ones guessed at even odds:
        # half of them right, the other half a wrong pair each
        "pairwise_f1_ceiling": round(1 - len(found) / (2 * n), 4),
    }


def errors(records, rows, threshold: float = 0.5, top: int = 15) -> dict:
    """Kirok's scored pairs by the levels of name, birth year and origin (module docstring)."""
    from linkage_korean import greedy_clusters, prf, within

    from kirok.linkage.scoring import score
    from kirok.linkage.settings import current

    truth = defaultdict(list)
    for i, r in enumerate(records):
        truth[r.person].append(i)
    true_pairs = {(a, b) for ids in truth.values() for a, b in itertools.combinations(sorted(ids), 2)}
    scored, _model = score(rows, threshold=0.001, explain=0.001)
    settings = current()
    inside = within(greedy_clusters(scored, lambda s: s.probability >= threshold, settings.conflict_below, len(records),
                                    settings.cluster_mean))
    groups: dict[tuple, list] = defaultdict(lambda: [0, 0, 0.0, 0])
    for s in scored:
        key = tuple(s.fields[f]["level"] for f in ("name", "birth_year", "origin"))
        one = (s.left, s.right) in true_pairs
        g = groups[key]
        g[0] += 1
        g[1] += one
        g[2] += s.probability
        g[3] += one and (s.left, s.right) not in inside
    missed = true_pairs - inside
    scored_pairs = {(s.left, s.right) for s in scored}
    rows_out = [{"levels": "/".join(k), "pairs": n, "one_person": round(t / n, 3), "mean_probability": round(p / n, 3), "missed": m}
                for k, (n, t, p, m) in sorted(groups.items(), key=lambda item: -item[1][3])[:top]]
    return {"pairwise_within_clusters": prf(inside, true_pairs), "missed": len(missed), "missed_not_scored_above_0.001": len(missed - scored_pairs),
            "wrong_within_clusters": len(inside - true_pairs), "groups_by_missed": rows_out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--errors", action="store_true", help="also score with Kirok and group its pairs by level")
    args = parser.parse_args()

    import django

    django.setup()
    from kirok.linkage.features import Hasher, table
    from kirok.linkage.synthetic import Generator

    records = Generator(args.seed).records(args.persons)
    lists = {name: i for i, name in enumerate(sorted({r.list for r in records}))}
    features = table((r.facts(i, lists[r.list]) for i, r in enumerate(records)), Hasher(os.urandom(32)))
    rows = features.to_pylist()
    result = {"figure": "linkage_ceiling", "persons": args.persons, "seed": args.seed, **ceiling(records, rows)}
    common.log(f"ceiling: {result}")
    if args.errors:
        result["kirok_errors"] = errors(records, features)
        result["ratio_kirok_f1_to_ceiling"] = round(result["kirok_errors"]["pairwise_within_clusters"]["f1"] / result["pairwise_f1_ceiling"], 4)
    common.save_result(f"linkage_ceiling-{args.persons}-seed{args.seed}", result)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
