"""What the import's writer asks of protection, once per chunk: compartments for new sources,
events and persons, blind-index tokens, and keeping stored envelopes of unchanged values."""

from __future__ import annotations

from . import blind, compartments
from .sealing import Sealer


class ImportProtection:
    def __init__(self, sealer: Sealer | None = None):
        self._sealer = sealer

    @property
    def sealer(self) -> Sealer:
        if self._sealer is None:
            self._sealer = Sealer()
        return self._sealer

    def created(self, record_type: str, pks: range, decoded: list) -> None:
        """New records: into the import's compartments, and their tokens into the blind index."""
        compartments.assign_range(record_type, pks.start, pks.stop)
        if decoded and decoded[0].blind is not None:
            blind.insert_new(record_type, pks.start, pks.stop, [(pk, d.blind) for pk, d in zip(pks, decoded) if d.blind])

    def updated(self, record_type: str, pairs: list[tuple[int, object]]) -> None:
        blind.replace(record_type, [(pk, d.blind) for pk, d in pairs if d.blind is not None])

    def seals(self, record_type: str) -> bool:
        """Whether rows of this type have protected values to compare with the stored ones."""
        return bool(self.sealer.plans[record_type])

    def reuse(self, decoded, stored: dict) -> None:
        self.sealer.reuse(decoded, stored)

    def rebind(self, decoded, uid: str) -> None:
        self.sealer.rebind(decoded, uid)
