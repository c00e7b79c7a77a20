"""PostgreSQL: a ``tsvector`` column on ``search_document`` with a GIN index.

The vector is written by Kirok as a ``tsvector`` literal, not by ``to_tsvector``: the terms are
already analysed (Kiwi, folding, keys), and PostgreSQL's own parser would split or drop Hangul
depending on the server's locale. Terms carry weight A at their positions 1…8,000, their keys
weight B at positions 8,001… (PostgreSQL merges equal positions of one lexeme, keeping only the
higher weight, so the columns may not share positions), blind tokens weight C at the last
position. Queries are ``tsquery`` literals with the weight of the column each token belongs to, so the
same plan asks the same question as on SQLite. Chosen over ``pg_trgm``: trigrams cannot use
Kiwi's lemmas (구금되었다 → 구금) or the cross-script keys, and measured no faster (docs/search.md).
"""

from __future__ import annotations

from kirok.search.query import BLIND, KEYS, NAMES, TERMS, All, AndNot, Any_, Seq, Tok

from .base import Backend, IndexRow

WEIGHT = {TERMS: "A", KEYS: "B", BLIND: "C", NAMES: "D"}
RANK_WEIGHTS = "{1.0, 0.5, 0.2, 0.5}"  # D (names), C (blind), B (keys), A (terms); ts_rank takes at most 1
BOOST = 10.0  # above any ts_rank (at most 1 with these weights)
KEY_OFFSET = 8000
BLIND_POSITION = 16383


class PostgresBackend(Backend):
    name = "postgresql"

    def schema(self) -> list[str]:
        return [
            "ALTER TABLE search_document ADD COLUMN vector tsvector",
            "CREATE INDEX search_document_vector ON search_document USING GIN (vector)",
        ]

    def drop_schema(self) -> list[str]:
        return ["DROP INDEX IF EXISTS search_document_vector", "ALTER TABLE search_document DROP COLUMN IF EXISTS vector"]

    def add(self, cursor, rows: list[IndexRow]) -> None:
        cursor.executemany(
            "UPDATE search_document SET vector = %s::tsvector WHERE id = %s", [(vector(r), r.doc_id) for r in rows]
        )

    def remove(self, cursor, rows: list[IndexRow]) -> None:
        """Nothing to do: the vector goes with its row."""

    def clear(self, cursor) -> None:
        """Nothing to do: the vectors go with their rows."""

    def match(self, expr, boost=None) -> tuple[str, list]:
        score = f"ts_rank('{RANK_WEIGHTS}', d.vector, q.q, 1)"
        if boost is None:
            return f"SELECT d.id AS doc_id, {score} AS score FROM search_document d, (SELECT %s::tsquery AS q) q WHERE d.vector @@ q.q", [render(expr)]
        return (
            f"SELECT d.id AS doc_id, {score} + CASE WHEN d.vector @@ q.b THEN {BOOST} ELSE 0 END AS score "
            "FROM search_document d, (SELECT %s::tsquery AS q, %s::tsquery AS b) q WHERE d.vector @@ q.q",
            [render(expr), render(boost)],
        )


def vector(row: IndexRow) -> str:
    """The tsvector literal of a document: 'lexeme':1A,5A,1B … (positions from 1)."""
    positions: dict[str, list[str]] = {}
    for column, text, offset in ((TERMS, row.terms, 0), (KEYS, row.keys, KEY_OFFSET)):
        weight = WEIGHT[column]
        for n, token in enumerate(text.split(), start=1 + offset):
            positions.setdefault(token, []).append(f"{n}{weight}")
    for token in row.blind.split():
        positions.setdefault(token, []).append(f"{BLIND_POSITION}C")
    for token in dict.fromkeys(row.names.split()):
        positions.setdefault(token, []).append(f"{BLIND_POSITION}D")
    return " ".join(f"'{token}':{','.join(p[:256])}" for token, p in positions.items())


def render(expr) -> str:
    """The tsquery literal of a planned expression."""
    if isinstance(expr, Tok):
        return f"'{expr.token}':{'*' if expr.prefix else ''}{WEIGHT[expr.column]}"
    if isinstance(expr, Seq):
        weight = WEIGHT[expr.column]
        return "(" + " <-> ".join(f"'{t}':{weight}" for t in expr.tokens) + ")"
    if isinstance(expr, All):
        return "(" + " & ".join(render(i) for i in expr.items) + ")"
    if isinstance(expr, Any_):
        return "(" + " | ".join(render(i) for i in expr.items) + ")"
    if isinstance(expr, AndNot):
        return "(" + render(expr.positive) + "".join(f" & !{render(n)}" for n in expr.negatives) + ")"
    raise TypeError(f"cannot render {expr!r}")
