"""The interface every search backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class IndexRow:
    """A document's indexed columns, as stored in ``search_document``."""

    doc_id: int
    terms: str
    keys: str
    names: str
    blind: str


class Backend(ABC):
    """SQLite FTS5 and PostgreSQL implement every abstract method; an OpenSearch backend would too
    (docs/search.md)."""

    name = ""
    # How the search statement joins its hits to ``search_document`` (alias ``d``).
    documents = "search_document d"

    @abstractmethod
    def schema(self) -> list[str]:
        """SQL that creates the backend's structures (run by the app's migration)."""

    @abstractmethod
    def drop_schema(self) -> list[str]:
        """SQL that removes them (the migration's reverse)."""

    @abstractmethod
    def add(self, cursor, rows: list[IndexRow]) -> None:
        """Index documents just inserted."""

    @abstractmethod
    def remove(self, cursor, rows: list[IndexRow]) -> None:
        """Unindex documents about to be deleted (with their stored columns)."""

    def compact(self, cursor) -> None:
        """Rewrite the index so that removed tokens leave the database file (after a purge)."""

    @abstractmethod
    def clear(self, cursor) -> None:
        """Empty the index (before a full rebuild)."""

    @abstractmethod
    def match(self, expr, boost=None) -> tuple[str, list]:
        """SQL selecting ``doc_id, score`` (higher is better) of documents matching ``expr``; a
        document that also matches ``boost`` (the persons a query names whole) ranks above every
        one that does not, and by its own score among those that do."""
