"""Plain queries for the ledger's hot paths (appends, proofs, verify, the changeset hook).

A proof must take well under a millisecond and ``verify`` reads millions of rows: there, the
ORM's own work per query and per row is most of the cost, and these rows need none of it.
Columns and tables are quoted; values are always parameters.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db import connection

BATCH = 5000


class Expression(str):
    """A column written as SQL (e.g. ``as_text("time")``), which ``select`` and ``batches`` take
    as it is instead of quoting it as a column name."""


def as_text(column: str) -> Expression:
    """The column's stored value as text, with no type declared: SQLite then hands it back as
    stored, without the converter Django registers for the declared type (for a datetime, a
    Python function per row that ``verify`` can do without)."""
    return Expression(f"CAST({connection.ops.quote_name(column)} AS TEXT)")


def _sql(model, columns: Sequence[str], where: str, order: Sequence[str] = ()) -> str:
    quote = connection.ops.quote_name
    selected = ", ".join(c if isinstance(c, Expression) else quote(c) for c in columns)
    sql = f"SELECT {selected} FROM {quote(model._meta.db_table)} WHERE {where}"
    return sql + (f" ORDER BY {', '.join(quote(c) for c in order)}" if order else "")


def column_in(column: str, values: Sequence) -> str:
    return f"{connection.ops.quote_name(column)} IN ({', '.join(['%s'] * len(values))})"


def column_is(column: str, op: str = "=") -> str:
    return f"{connection.ops.quote_name(column)} {op} %s"


def select(model, columns: Sequence[str], where: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(_sql(model, columns, where), params)
        return cur.fetchall()


def column_between(column: str) -> str:
    return f"{connection.ops.quote_name(column)} BETWEEN %s AND %s"


def batches(model, columns: Sequence[str], where: str, params: Sequence, order: Sequence[str], size: int = BATCH) -> Iterator[list[tuple]]:
    """Rows in ``order``, ``size`` at a time, through a server-side cursor on PostgreSQL."""
    with connection.chunked_cursor() as cur:
        cur.execute(_sql(model, columns, where, order), params)
        while batch := cur.fetchmany(size):
            yield batch


def insert_many(model, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
                        f"VALUES ({', '.join(['%s'] * len(columns))})", rows)
