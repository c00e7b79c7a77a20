"""Search terms from Kiwi with Kirok's user dictionary of North Korean terms."""

from __future__ import annotations

import pytest

from kirok.korean import data, fold, tokens, tokens_many
from kirok.korean.morphology import user_dictionary


def test_inflected_verbs_give_their_noun():
    assert tokens("그는 구금되었다.") == ["구금"]
    assert tokens("강제송환되었다") == ["강제송환"]


def test_dprk_and_rok_spellings_give_the_same_terms():
    assert tokens("로동단련대에서") == tokens("노동단련대에서") == ["노동단련대"]
    assert tokens("조선로동당 중앙위원회") == tokens("조선노동당 중앙위원회")
    assert tokens("녀성 로동자들이 되였다") == tokens("여성 노동자들이 되었다")
    assert tokens("량강도 혜산시") == tokens("양강도 혜산시")


@pytest.mark.parametrize("term", ["국가보위성", "보위원", "로동단련대", "관리소", "교화소", "집결소", "인민보안성", "사회안전성"])
def test_north_korean_terms_stay_whole(term):
    assert tokens(term) == [fold(term)]
    assert tokens(f"{term}에서") == [fold(term)]


def test_generated_rows_come_from_the_reference_data():
    forms = {form for form, _, _ in user_dictionary()}
    assert {"요덕", "청진", "양강도", "양강", "나선특별시", "조선노동당", "국가안전보위부", "노동교양대"} <= forms
    for row in data.divisions():
        assert fold(row["name_dprk"]) in forms
    assert all(form == fold(form) for form in forms)
    assert tokens("요덕에서 청진으로") == ["요덕", "청진"]


def test_latin_words_are_lower_case_terms():
    assert tokens("Kim Jong Un visited 청진") == ["kim", "jong", "un", "visited", "청진"]


def test_the_batch_gives_what_one_by_one_gives():
    texts = ["로동단련대에서 6개월", "", "Camp 15 요덕", "그는 구금되었다.", "국가보위성 보위원이 조사했다"] * 20
    assert list(tokens_many(texts)) == [tokens(t) for t in texts]


def test_a_broken_user_dictionary_line_is_named(tmp_path, monkeypatch):
    (tmp_path / "user_dictionary.tsv").write_text("# comment\n보위원\tNNG\t0\n관리소 NNG\n", encoding="utf-8")
    monkeypatch.setattr(data, "KOREAN", tmp_path)
    with pytest.raises(ValueError, match=r"user_dictionary.tsv:3: expected 'form<TAB>tag"):
        user_dictionary()
    (tmp_path / "user_dictionary.tsv").write_text("보위원\tNNG\tmany\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"user_dictionary.tsv:1: score 'many' is not a number"):
        user_dictionary()
