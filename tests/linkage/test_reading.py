"""A romanized name that reads as no Korean syllables is taken for a misspelling; every spelling
Kirok itself gives a Hangul name reads as Korean, in every system."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kirok.korean import person_variants
from kirok.linkage.reading import compute_syllables, misspelt, readable, syllables

SYLLABLES = st.integers(0xAC00, 0xD7A3).map(chr)


def test_slips_of_the_pen_read_as_no_korean_name():
    for slip in ("Gim Seokbni", "Son Yl Ung", "Choe Kmu Hyong", "Yunn Kon Sok", "Ch'oe Yans-ja"):
        assert not readable(slip), slip
    for name in ("Kim Jong-un", "Kim Chŏng-ŭn", "Gim Jeong-eun", "Jeongbon Gim", "Ri Myong Su", "Lee Myung-soo", "김영로", "리 명수"):
        assert readable(name), name
    assert misspelt(["Kim Jong-un", "Gim Seokbni"]) and not misspelt(["Kim Jong-un", "김정은", ""])


@settings(max_examples=60, deadline=None)
@given(surname=st.sampled_from("김리박최정강조윤장임한오서신권황안송류홍"), given_name=st.lists(SYLLABLES, min_size=1, max_size=2))
def test_every_spelling_of_a_hangul_name_reads_as_korean(surname, given_name):
    for variant in person_variants(surname + "".join(given_name)):
        assert readable(variant), variant


def test_the_shipped_syllable_table_is_what_the_romanizations_give_now():
    assert syllables() == compute_syllables(), "regenerate kirok/data/linkage/romanized_syllables.txt with reading.write_syllables()"
