"""Clusters from scored pairs without chaining strangers together.

Plain connected components join A and C whenever A ~ B and B ~ C pass the threshold, even when
A and C are plainly different people (namesakes born forty years apart, each a little like B).
``greedy`` takes the pairs best first and joins two clusters only when no pair across them is a
known conflict: a pair scored below ``conflict_below`` (the model's evidence says different) or
judged different by a reviewer. On the synthetic benchmark it scores as components do
(docs/benchmarks.md); what it is for is the rule that a "different" holds for automatic merges too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping


def greedy(pairs: Iterable[tuple[int, int]], conflicts: Iterable[tuple[int, int]],
           fixed: Iterable[tuple[int, int]] = (), *, probability: Mapping[tuple[int, int], float] | None = None,
           mean: float = 0.0) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """``pairs`` best first, after the ``fixed`` ones (merges in force, joined whatever the
    conflicts). Returns member -> cluster root (the smallest member) for every record in a
    cluster of two or more, and the pairs of ``pairs`` that joined two clusters.

    With ``probability`` (pair, smaller id first -> match probability; a pair not in it counts
    as 0), two clusters are joined only when the mean probability of the pairs across them is at
    least ``mean`` (average linkage): one good pair does not pull a record into a cluster whose
    other members it does not resemble. Why: on the synthetic benchmark most wrong pairs are a
    name within one letter or a common name and nothing else, each linking one record to one
    member of another person's cluster; the members it does not resemble outvote it (pairwise F1
    within clusters 0.951 against 0.934 for the scored pairs, seed 7, 5,000 persons).

    A pair among ``conflicts`` never counts in a mean (two clusters with a conflict across are
    not joined, whatever the mean), so ``probability`` need not hold the conflicts: at a million
    records they are seven in ten of the scored pairs."""
    apart: dict[int, set[int]] = defaultdict(set)
    for a, b in conflicts:
        apart[a].add(b)
        apart[b].add(a)
    root: dict[int, int] = {}
    members: dict[int, set[int]] = {}
    joins: list[tuple[int, int]] = []
    for a, b, forced in [*((x, y, True) for x, y in fixed), *((x, y, False) for x, y in pairs)]:
        ra, rb = root.get(a, a), root.get(b, b)
        if ra == rb:
            continue
        one, other = members.get(ra, {a}), members.get(rb, {b})
        small, large = (one, other) if len(one) <= len(other) else (other, one)
        if not forced and any(apart[x] & large for x in small if x in apart):
            continue
        if not forced and probability is not None and _mean(small, large, probability) < mean:
            continue
        if not forced:
            joins.append((a, b))
        new_root = min(ra, rb)
        joined = one | other
        for x in joined:
            root[x] = new_root
        members.pop(ra, None)
        members.pop(rb, None)
        members[new_root] = joined
    return root, joins


def _mean(one: set[int], other: set[int], probability: Mapping[tuple[int, int], float]) -> float:
    total = sum(probability.get((x, y) if x < y else (y, x), 0.0) for x in one for y in other)
    return total / (len(one) * len(other))
