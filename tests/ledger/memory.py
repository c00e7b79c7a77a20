"""A small tree held in memory: proofs made the plain way, to check the stored and streamed ones."""

from __future__ import annotations

from collections.abc import Iterable

from kirok.ledger.tree import Subtree, consistency_spans, inclusion_spans, resolve
from kirok.ledger.verifier import leaf_hash, node_hash


class MemoryTree:
    """Every level of the tree as lists."""

    def __init__(self, leaf_data: Iterable[bytes]):
        self.levels: list[list[bytes]] = [[leaf_hash(d) for d in leaf_data]]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def lookup(self, wanted: set[Subtree]) -> dict[Subtree, bytes]:
        return {(level, index): self.levels[level][index] for level, index in wanted}

    def inclusion(self, index: int) -> list[bytes]:
        return resolve(inclusion_spans(index, self.size), self.lookup)

    def consistency(self, old: int) -> list[bytes]:
        return resolve(consistency_spans(old, self.size), self.lookup)
