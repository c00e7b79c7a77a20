"""SQLite and PostgreSQL give the same results on the same data.

The suite runs on one database at a time, so the other side runs in-process: the documents the
current backend indexed are copied into an FTS5 table in an in-memory SQLite database, and every
query's plan is rendered for both (FTS5 there, the current backend here). On PostgreSQL this
compares tsvector/GIN with FTS5; on SQLite, the external-content index with a fresh one. The
synthetic generator's ground truth checks that what both find is what was meant.
"""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from django.db import connection, transaction

from kirok.search import backends, indexing
from kirok.search.backends import sqlite as fts5
from kirok.search.documents import Doc
from kirok.search.models import Document
from kirok.search.query import parse, plan
from kirok.search.synthetic import Corpus

pytestmark = pytest.mark.django_db
EXTRA = ['"강제로동에 동원되였다"', "구금 NOT 고문", "로동*", "Yodok OR 요덕", "(처형 OR executed) -청진", "Chong* 구금", '"was detained"']


@pytest.fixture
def corpus(db):
    corpus = Corpus(400, seed=11)
    excerpts = list(corpus)
    with transaction.atomic():
        indexing.write(backends.current(), [
            Doc("information", e.n + 1, str(uuid.UUID(int=e.n + 1)), e.external_id, "", [e.text]) for e in excerpts
        ])
    return corpus, excerpts


def fts5_copy() -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    schema = fts5.SQLiteBackend().schema()[0].replace(", content='search_document', content_rowid='id'", "")
    con.execute(schema)
    con.executemany(
        f"INSERT INTO {fts5.TABLE}(rowid, terms, keys, names, blind) VALUES (?, ?, ?, ?, ?)",
        Document.objects.values_list("id", "terms", "keys", "names", "blind"),
    )
    return con


def matched_here(expr) -> set[int]:
    sql, params = backends.current().match(expr)
    with connection.cursor() as cur:
        cur.execute(f"SELECT doc_id FROM ({sql}) m", params)
        return {row[0] for row in cur.fetchall()}


def matched_in_sqlite(con, expr) -> set[int]:
    sql, params = fts5.SQLiteBackend().match(expr)
    return {row[0] for row in con.execute(f"SELECT doc_id FROM ({sql}) m".replace("%s", "?"), params)}


def test_both_backends_find_the_same_documents(corpus):
    corpus, excerpts = corpus
    con = fts5_copy()
    queries = [q.text for q in corpus.queries(60, excerpts)] + EXTRA
    compared = 0
    for text in queries:
        for protected in (False, True):
            expr = plan(parse(text).tree, protected=protected).expr
            here, there = matched_here(expr), matched_in_sqlite(con, expr)
            assert here == there, (text, protected, connection.vendor)
            compared += bool(here)
    assert compared > len(queries)  # most queries find something: the comparison is not of empty sets


def test_what_they_find_is_what_was_meant(corpus):
    corpus, excerpts = corpus
    by_id = dict(Document.objects.values_list("id", "external_id"))
    found_relevant = relevant_total = 0
    for q in corpus.queries(60, excerpts):
        if q.kind != "place":
            continue
        relevant = {e.external_id for e in excerpts if q.matches(e)}
        found = {by_id[i] for i in matched_here(plan(parse(q.text).tree, protected=False).expr)}
        assert found & relevant, q.text
        found_relevant += len(found & relevant)
        relevant_total += len(relevant)
    assert found_relevant / relevant_total >= 0.9
