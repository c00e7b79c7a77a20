"""The evidence layer's errors. Each message says what failed, where, and what to do about it."""

from __future__ import annotations


class EvidenceError(ValueError):
    """A request the vault refuses (an unknown code, a missing file, a bad capture record)."""


class AppendOnly(PermissionError):
    """An attempt to change or delete an item or a custody event: both are written once."""


class BlobMissing(LookupError):
    """A blob the register expects is not in the vault."""


class BlobConflict(RuntimeError):
    """A blob stored under a SHA-256 differs from new bytes with that SHA-256: the stored one is damaged."""
