"""The query language: parsing, planning, and rendering for every backend; fuzzed."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings, strategies as st

from kirok.search.backends import postgres, sqlite
from kirok.search.query import And, Not, Or, Phrase, QueryError, Word, parse, plan


def test_parse_words_phrases_prefixes_operators_and_filters():
    parsed = parse('구금 "보위원 조사" 로동* (a OR b) -c province:KP-09 from:1998 to:2001-03 type:event')
    assert parsed.tree == And((Word("구금"), Phrase("보위원 조사"), Word("로동", prefix=True), Or((Word("a"), Word("b"))), Not(Word("c"))))
    assert parsed.filters == {"province": ["KP-09"], "date_from": [date(1998, 1, 1)], "date_to": [date(2001, 3, 31)], "type": ["event"]}
    assert parse("unknown:thing").tree == Word("unknown:thing")


def test_plans_render_the_same_question_for_both_backends():
    planned = plan(parse('"로동단련대 구금" Yodok NOT 청진 로동*').tree, protected=False)
    fts = sqlite.render(planned.expr)
    tsq = postgres.render(planned.expr)
    assert 'terms : "노동단련대 구금"' in fts and "'노동단련대':A <-> '구금':A" in tsq
    assert 'keys : "yotok"' in fts and "'yotok':B" in tsq and 'names : "yotok"' in fts and "'yotok':D" in tsq
    assert 'terms : "노동" *' in fts and "'노동':*A" in tsq
    assert " NOT " in fts and " & !" in tsq
    assert "blind" not in fts  # not for a user who may not see protected values
    protected = sqlite.render(plan(parse("Yodok").tree, protected=True).expr)
    assert "blind : " in protected


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab 구금"()*-:ORANDNOT로 Yŏ\'-')), max_size=40))
def test_any_text_parses_and_plans_or_says_why(text):
    parsed = parse(text)
    try:
        planned = plan(parsed.tree, protected=True)
    except QueryError as exc:
        assert str(exc)
        return
    for render in (sqlite.render, postgres.render):
        assert render(planned.expr)
