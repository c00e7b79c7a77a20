"""Search backends behind one small interface, chosen by ``KIROK_SEARCH_BACKEND``.

A backend keeps the full-text structure over the ``terms``, ``keys``, ``names`` and ``blind`` columns of
``search.Document`` and answers a planned query (``kirok.search.query``) with SQL that selects
``(doc_id, score)``; the service joins that with documents, filters, facets and access rules,
which are plain SQL shared by every backend. Two ship:

* ``sqlite`` — an FTS5 table (external content over ``search_document``), BM25 ranking;
* ``postgresql`` — a ``tsvector`` column (terms weight A, keys B, blind tokens C, names D)
  with a GIN index, ``ts_rank`` ranking.

The default is the one that matches the database. docs/search.md designs an OpenSearch backend
(Nori) behind the same interface.
"""

from __future__ import annotations

import os

from django.db import connection

from .base import Backend, IndexRow


def for_vendor(vendor: str) -> Backend:
    if vendor == "sqlite":
        from .sqlite import SQLiteBackend

        return SQLiteBackend()
    if vendor == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend()
    raise ValueError(f"no search backend for the {vendor} database; Kirok searches on SQLite and PostgreSQL")


def current() -> Backend:
    """The backend for this process: ``KIROK_SEARCH_BACKEND`` (sqlite, postgresql) or the database's."""
    name = os.environ.get("KIROK_SEARCH_BACKEND", "").strip().lower() or connection.vendor
    if name in ("postgres", "pg"):
        name = "postgresql"
    if name != connection.vendor:
        raise ValueError(
            f"KIROK_SEARCH_BACKEND={name} but the database is {connection.vendor}: the index lives in the "
            f"database, so the backend must match it (unset KIROK_SEARCH_BACKEND to use {connection.vendor})"
        )
    return for_vendor(name)


__all__ = ["Backend", "IndexRow", "current", "for_vendor"]
