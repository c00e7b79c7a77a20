"""DPRK → ROK folding: the initial-sound rule by jamo arithmetic and the table of word spellings."""

from __future__ import annotations

import unicodedata

import pytest

from kirok.korean import data, fold, fold_word
from kirok.korean.hangul import BASE, LAST, compose, decompose, initial_sound_rule
from kirok.korean.orthography import word_table


@pytest.mark.parametrize(("dprk", "rok"), [
    ("리명수", "이명수"),
    ("로동단련대에서", "노동단련대에서"),
    ("량강도 혜산시", "양강도 혜산시"),
    ("라선특별시", "나선특별시"),
    ("녀성", "여성"),
    ("료리", "요리"),
    ("류경", "유경"),
    ("례절", "예절"),
    ("뇨소", "요소"),
    ("룡천", "용천"),
    ("력사", "역사"),
    ("조선로동당 중앙위원회", "조선노동당 중앙위원회"),  # inside a compound: the table
    ("조선민주녀성동맹", "조선민주여성동맹"),
    ("로씨야와 쏘련", "러시아와 소련"),
    ("되였다", "되었다"),
    ("한나산", "한라산"),
    ("《로동신문》", "《노동신문》"),  # after punctuation a word starts
    ("Ri 리", "Ri 이"),
])
def test_dprk_spellings_fold_to_rok(dprk, rok):
    assert fold(dprk) == rok
    assert fold(rok) == rok


@pytest.mark.parametrize("text", [
    "관리소",  # 리 inside a word is not word-initial
    "전거리",
    "3리",  # after a digit: a unit, not a new word
    "러시아",  # ㄹ before ㅓ is never Sino-Korean: a loanword ROK spelling keeps
    "레닌",
    "안녕",
    "Kim Jong Un",
    "",
])
def test_what_does_not_fold(text):
    assert fold(text) == text


def test_nfd_input_folds_like_nfc():
    assert fold(unicodedata.normalize("NFD", "리명수 로동자")) == "이명수 노동자"


def test_fold_word_applies_the_rule_to_a_cut_out_given_name():
    assert fold_word("련희") == "연희"
    assert fold("련희") == "연희"
    assert fold("김련희") == "김련희"  # inside the full name 련 is not word-initial
    assert fold_word("") == ""


def test_initial_sound_rule_changes_only_the_initial_of_every_syllable():
    changed = 0
    for code in range(BASE, LAST + 1):
        ch = chr(code)
        initial, medial, final = decompose(ch)
        out = initial_sound_rule(ch)
        o_initial, o_medial, o_final = decompose(out)
        assert (o_medial, o_final) == (medial, final)
        assert compose(initial, medial, final) == ch
        if out != ch:
            changed += 1
            assert initial in (2, 5)  # ㄴ or ㄹ
            assert o_initial in (2, 11)  # ㄴ or ㅇ
            assert initial_sound_rule(out) == out
    # ㄹ with 12 medials and ㄴ with 5, each with 28 finals.
    assert changed == (12 + 5) * 28


def test_word_table_is_safe_to_apply_anywhere():
    table = word_table()
    assert len(table) >= 40
    for dprk, rok in table.items():
        assert dprk != rok
        for other in table:
            assert other not in rok, f"ROK form {rok} contains the DPRK form {other}: folding would not be idempotent"
    sources = data.orthography()["sources"]
    for entry in data.orthography()["words"]:
        assert entry["source"] in sources, entry
        assert entry["kind"] in ("compound", "saisiot", "spelling", "loanword"), entry


def test_a_broken_table_entry_is_named(monkeypatch):
    monkeypatch.setattr(data, "orthography", lambda: {"words": [{"dprk": "로동", "rok": "로동"}]})
    word_table.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"orthography.yaml: words\[1\]"):
            word_table()
    finally:
        word_table.cache_clear()
