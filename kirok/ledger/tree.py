"""Making proofs: which subtree hashes RFC 6962's PATH and PROOF need, and where they are stored.

Checking proofs is the verifier's business (``verifier.py``); this is the other side. Every hash
a proof needs is the head of a left-balanced range of leaves, and every such range is a few
*complete* subtrees (2^level leaves starting at a multiple of 2^level). Kirok stores the hash of
every complete subtree once, when it completes, so a proof for any size costs O(log n) lookups of
stored hashes and no hashing of leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice

from .verifier import fold_right, node_hash, root_of

Span = tuple[int, int]  # leaves [start, end)
Subtree = tuple[int, int]  # (level, index): leaves [index·2^level, (index+1)·2^level)


def _split(n: int) -> int:
    """The largest power of two smaller than n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def complete_subtrees(start: int, end: int) -> list[Subtree]:
    """The complete subtrees that make up the left-balanced range [start, end), largest first."""
    out = []
    while start < end:
        level = (end - start).bit_length() - 1
        out.append((level, start >> level))
        start += 1 << level
    return out


def inclusion_spans(index: int, size: int) -> list[Span]:
    """RFC 6962 PATH(index, D[0:size]) as leaf ranges, bottom-up."""
    spans = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            spans.append((start + k, end))
            end = start + k
        else:
            spans.append((start, start + k))
            start, m = start + k, m - k
    return spans[::-1]


def consistency_spans(old: int, new: int) -> list[Span]:
    """RFC 6962 PROOF(old, D[0:new]) as leaf ranges, bottom-up; empty when old is 0 or new."""
    if old == 0 or old == new:
        return []
    spans = []
    start, end, m, whole = 0, new, old, True
    while end - start != m:
        k = _split(end - start)
        if m <= k:
            spans.append((start + k, end))
            end = start + k
        else:
            spans.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        spans.append((start, end))
    return spans[::-1]


def resolve(spans: Sequence[Span], lookup: Callable[[set[Subtree]], dict[Subtree, bytes]]) -> list[bytes]:
    """The hashes of the ranges, with every stored hash they need fetched in one ``lookup``."""
    parts = [complete_subtrees(s, e) for s, e in spans]
    found = lookup({t for p in parts for t in p})
    return [fold_right([found[t] for t in p]) for p in parts]


def stored_index(level: int, index: int) -> int:
    """Position of a complete subtree's hash in the order hashes complete while leaves are
    appended (the numbering of Go's sumdb ``tlog.StoredHashIndex``): leaves 0, 1, then their
    parent 2, leaves 3, 4, then 5, then 6 = level 2… Ordering stored nodes by it replays appends."""
    n = index
    for _ in range(level):
        n = 2 * n + 1
    i = 0
    while n:
        i += n
        n >>= 1
    return i + level


def leaf_position(n: int) -> int:
    """``stored_index(0, n)``, in closed form; the nodes leaf n completes follow it directly,
    level 1 at +1, level 2 at +2…"""
    return 2 * n - n.bit_count()


def completed_by(count: int, h: bytes, stack: list[bytes]) -> Iterable[tuple[int, int, bytes]]:
    """Append leaf number ``count`` (hash ``h``) to a tree whose right-edge complete subtrees are
    ``stack``; yields each interior (level, index, hash) that the leaf completes, bottom-up, and
    leaves the new right edge in ``stack``."""
    level, n = 0, count
    while n & 1:
        h = node_hash(stack.pop(), h)
        level, n = level + 1, n >> 1
        yield level, n, h
    stack.append(h)


def inclusion_from_stream(leaf_hashes: Iterable[bytes], index: int, size: int) -> list[bytes]:
    """PATH for leaf ``index`` of ``size`` leaves read once, in order, in O(log n) memory: the
    path's ranges and the leaf itself tile the tree, so each range's head is streamed in turn."""
    spans = inclusion_spans(index, size)
    heads = {}
    leaves = iter(leaf_hashes)
    at = 0
    for start, end in sorted(spans):
        if at < start:  # the proven leaf itself
            next(leaves)
        heads[(start, end)] = root_of(islice(leaves, end - start))
        at = end
    return [heads[span] for span in spans]
