"""Ranking: a record that names the person a query names whole comes before records that only
share words with the name, in whatever script either is written; several words are one name
only as a whole (a word of them alone does not make a match)."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction

from kirok.protection.principal import Principal
from kirok.search import backends, indexing
from kirok.search.documents import Doc
from kirok.search.services import search

pytestmark = pytest.mark.django_db
OPERATOR = Principal.console("test")
TEXTS = {  # fictional persons
    "hangul": "오철철은 청진에서 고문을 당했다.",
    "latin": "Oh Cheol Cheol was executed at Changpyong.",
    "namesakes": "Ouh Cheol Man was detained at Onsong. Ouh Cheol Su was tortured at Onsong. Cheol Man and Cheol Su are brothers.",
    "other": "Ouh Kwang-kyung was executed at Myonggan. Cheol Cheol is a nickname.",
    "yodok-detained": "박광정은 요덕에서 구금되었다.",
    "yodok-food": "리순희는 요덕에서 식량을 받지 못해 굶주렸다.",
    "yodok-latin": "Choy Nam-mi was forcibly repatriated and sent to Yoduk.",
}


@pytest.fixture
def indexed(db):
    with transaction.atomic():
        indexing.write(backends.current(), [
            Doc("information", n, str(uuid.UUID(int=n)), name, "", [text]) for n, (name, text) in enumerate(TEXTS.items(), start=1)
        ])


def ranked(text: str) -> list[str]:
    results = search(text, user=OPERATOR, limit=10, facets=False, snippets=False)
    assert not results.error, results.error
    return [hit.external_id for hit in results.hits]


def test_the_person_named_whole_ranks_first_in_either_script(indexed):
    for query in ("Ouh Cheol Cheol", "ouh cheol cheol", "오철철", "Oh Chol Chol"):
        assert set(ranked(query)[:2]) == {"hangul", "latin"}, query


def test_several_words_are_one_name_only_together(indexed):
    assert ranked("Yoduk 식량") == ["yodok-food"]
    assert set(ranked("Yoduk")) == {"yodok-detained", "yodok-food", "yodok-latin"}
    assert "namesakes" not in ranked("Ouh Cheol Cheol NOT Onsong")
