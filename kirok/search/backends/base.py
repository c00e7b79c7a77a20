"""The interface every search backend implements."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndexRow:
    """A document's indexed columns, as stored in ``search_document``."""

    doc_id: int
    terms: str
    keys: str
    names: str
    blind: str


class Backend:
    name = ""

    def schema(self) -> list[str]:
        """SQL that creates the backend's structures (run by the app's migration)."""
        raise NotImplementedError

    def drop_schema(self) -> list[str]:
        raise NotImplementedError

    def add(self, cursor, rows: list[IndexRow]) -> None:
        """Index documents just inserted."""
        raise NotImplementedError

    def remove(self, cursor, rows: list[IndexRow]) -> None:
        """Unindex documents about to be deleted (with their stored columns)."""
        raise NotImplementedError

    def compact(self, cursor) -> None:
        """Rewrite the index so that removed tokens leave the database file (after a purge)."""

    def clear(self, cursor) -> None:
        """Empty the index (before a full rebuild)."""
        raise NotImplementedError

    def match(self, expr) -> tuple[str, list]:
        """SQL selecting ``doc_id, score`` (higher is better) of documents matching ``expr``."""
        raise NotImplementedError
