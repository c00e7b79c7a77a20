"""Normalized forms of names for the blind index: what meets what, and nothing crashes."""

from __future__ import annotations

import unicodedata

from hypothesis import given, strategies as st

from kirok.protection.blind import forms, token


def meet(a: str, b: str) -> bool:
    return bool(forms(a) & forms(b))


def test_dprk_and_rok_spellings_meet():
    assert meet("리명수", "이명수")
    assert meet("로동단련대", "노동단련대")
    assert meet("량강도", "양강도")
    assert meet("리 명 수", "이명수")
    assert not meet("김정일", "김정은")


def test_romanized_surnames_and_spacing_meet():
    assert meet("Ri Myong Su", "Lee Myong-su")
    assert meet("Ri Myong Su", "RI MYONG SU")
    assert meet("Pak Chol", "Park Chol")
    assert meet("Myong-su Ri", "Myong Su Lee")
    assert meet("Ch'oe Song", "Choe Song") and meet("Kim Chŏl", "Kim Chol")
    assert not meet("Kim Jong Il", "Kim Jong Un")


def test_nfd_input_gives_the_nfc_forms():
    assert forms(unicodedata.normalize("NFD", "리명수")) == forms("리명수")


def test_tokens_are_keyed_and_domain_separated():
    k1, k2 = b"1" * 32, b"2" * 32
    assert token(k1, "person", "names.full_name", "이명수") != token(k2, "person", "names.full_name", "이명수")
    assert token(k1, "person", "names.full_name", "이명수") != token(k1, "person", "names.given_name", "이명수")
    assert len(token(k1, "person", "names.full_name", "이명수")) == 32


@given(st.text(max_size=40))
def test_forms_of_any_text_are_nfc_folded_and_stable(text):
    found = forms(text)
    assert all(f and f == unicodedata.normalize("NFC", f) and " " not in f for f in found)
    assert forms(unicodedata.normalize("NFC", text)) == forms(unicodedata.normalize("NFD", text)) or not found
