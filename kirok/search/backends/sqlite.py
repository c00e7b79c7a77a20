"""SQLite FTS5: an external-content table over ``search_document``'s term columns.

Terms are pre-analysed by Kirok (Kiwi, folding, keys), so FTS5 only splits on spaces: the
``unicode61`` tokenizer with diacritics kept. Prefix indexes of 1–3 characters make ``prefix*``
queries index lookups. Ranking is BM25 with the key column weighted below the
terms and whole names above them.
"""

from __future__ import annotations

from kirok.search.query import All, AndNot, Any_, Seq, Tok

from .base import Backend, IndexRow

TABLE = "search_fts"
WEIGHTS = (1.0, 0.4, 3.0, 1.0)  # terms, keys, names, blind
BOOST = 1000.0  # above any BM25 score these columns give (tens at most)


class SQLiteBackend(Backend):
    name = "sqlite"
    # SQLite looks a rowid up in the table even when an index holds every column asked for; told
    # to use the narrow index, a place named in 25,000 of 300,000 excerpts is searched in 45 ms
    # instead of 55 at the 95th percentile (docs/benchmarks.md, "Search").
    documents = "search_document d INDEXED BY search_document_hit"

    def schema(self) -> list[str]:
        return [
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(terms, keys, names, blind, content='search_document', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='1 2 3')"
        ]

    def drop_schema(self) -> list[str]:
        return [f"DROP TABLE IF EXISTS {TABLE}"]

    def add(self, cursor, rows: list[IndexRow]) -> None:
        cursor.executemany(
            f"INSERT INTO {TABLE}(rowid, terms, keys, names, blind) VALUES (%s, %s, %s, %s, %s)",
            [(r.doc_id, r.terms, r.keys, r.names, r.blind) for r in rows],
        )

    def remove(self, cursor, rows: list[IndexRow]) -> None:
        cursor.executemany(
            f"INSERT INTO {TABLE}({TABLE}, rowid, terms, keys, names, blind) VALUES ('delete', %s, %s, %s, %s, %s)",
            [(r.doc_id, r.terms, r.keys, r.names, r.blind) for r in rows],
        )

    def compact(self, cursor) -> None:
        """FTS5 marks deleted entries and drops them only when segments merge: ``optimize``
        merges them all now, so (with ``secure_delete``) the old tokens leave the file."""
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")

    def clear(self, cursor) -> None:
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('delete-all')")

    def match(self, expr, boost=None) -> tuple[str, list]:
        weights = ", ".join(map(str, WEIGHTS))
        score = f"-bm25({TABLE}, {weights})"
        if boost is None:
            return f"SELECT rowid AS doc_id, {score} AS score FROM {TABLE} WHERE {TABLE} MATCH %s", [render(expr)]
        # The boosted documents are found once (a rare name key's posting list), not per hit.
        return (
            f"SELECT rowid AS doc_id, {score} + CASE WHEN rowid IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s) "
            f"THEN {BOOST} ELSE 0 END AS score FROM {TABLE} WHERE {TABLE} MATCH %s",
            [render(boost), render(expr)],
        )


def render(expr) -> str:
    """The FTS5 query string of a planned expression (tokens are letters and digits only)."""
    if isinstance(expr, Tok):
        return f'{expr.column} : "{expr.token}"' + (" *" if expr.prefix else "")
    if isinstance(expr, Seq):
        return f'{expr.column} : "{" ".join(expr.tokens)}"'
    if isinstance(expr, All):
        return "(" + " AND ".join(render(i) for i in expr.items) + ")"
    if isinstance(expr, Any_):
        return "(" + " OR ".join(render(i) for i in expr.items) + ")"
    if isinstance(expr, AndNot):
        return "(" + render(expr.positive) + "".join(f" NOT {render(n)}" for n in expr.negatives) + ")"
    raise TypeError(f"cannot render {expr!r}")
