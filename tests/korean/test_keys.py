"""Matching keys across scripts: what must meet, what must stay apart, and the gazetteer."""

from __future__ import annotations

import itertools
import unicodedata

import pytest

from kirok.korean import data, keys, person_variants, place_variants
from kirok.korean.names import surnames
from kirok.types.text import script_of

SAME = [
    ["Yodok", "Yoduk", "Yodŏk", "Yodeok", "요덕", "YODOK"],
    ["Chongjin", "청진", "Ch'ŏngjin", "Cheongjin", "Chŏngjin"],
    ["Ri Myong Su", "Lee Myung-soo", "리명수", "이명수", "Rhee Myung-soo", "Yi Myŏng-su", "Myung-soo Lee",
     "Lee, Myung-soo", "리 명수", "I Myeongsu", "Ri Myong-su", "Lee Myeongsu", "Ree Myungsoo"],
    ["Kim Jong-un", "김정은", "Kim Jŏng-ŭn", "Gim Jeong-eun", "Kim Jong Un", "Kim Chŏng-ŭn", "Jong-un Kim"],
    ["Kim Jong-il", "김정일", "Kim Jŏng-il", "Gim Jeong-il", "Kim Jong Il", "Kim Chong-il"],
    ["Ryanggang-do", "량강도", "양강도", "Yanggang-do", "Ryanggang", "Yanggang Province"],
    ["Kwalliso", "kwan-li-so", "관리소", "gwalliso", "Kwanriso"],
    ["Tongnip", "Dokrip", "독립", "Dongnip"],
    ["Choe Ryong Hae", "최룡해", "최용해", "Choi Yong-hae", "Ch'oe Yong-hae"],
    ["Pak Tong Gu", "박동구", "Park Dong-gu", "Bak Donggu", "Pak Tong-gu"],
    ["Jang Song Thaek", "장성택", "Chang Sŏng-t'aek", "Jang Sung-taek", "Jang Seong-taek"],
]


@pytest.mark.parametrize("group", SAME, ids=[g[0] for g in SAME])
def test_spellings_of_one_name_share_a_key(group):
    for a, b in itertools.combinations(group, 2):
        assert keys(a) & keys(b), f"{a!r} and {b!r} share no key: {sorted(keys(a))} / {sorted(keys(b))}"


def test_namesakes_with_a_shared_generation_syllable_stay_apart():
    """Kim Jong Il and Kim Jong Un are different people: no key in common, in any spelling."""
    il, un = SAME[4], SAME[3]
    for a in il:
        for b in un:
            assert not keys(a, "person") & keys(b, "person"), (a, b)


def test_nfd_input_gives_the_same_keys():
    for text in ("리명수", "요덕", "량강도 혜산시"):
        assert keys(unicodedata.normalize("NFD", text)) == keys(text)


def test_every_surname_spelling_finds_the_hangul_surname():
    for surname in surnames().values():
        for hangul in surname.hangul():
            target = keys(hangul + "명수", "person")
            for latin in surname.latin():
                for name in (f"{latin} Myong Su", f"{latin} Myong-su", f"{latin} Myongsu", f"Myung-soo {latin}"):
                    assert keys(name, "person") & target, (hangul, name)


@pytest.mark.parametrize("given", ["Myong Su", "Myong-su", "Myongsu", "Myung-soo", "Myungsoo", "Myeong-su", "Myŏng-su", "MYONG SU"])
def test_given_name_spacing_and_hyphens(given):
    assert keys(f"Ri {given}", "person") & keys("리명수", "person")


def test_kinds():
    assert not any(k.startswith("n:") for k in keys("리명수", "place"))
    assert keys("량강도", "place") & keys("Ryanggang", "place")
    assert not keys("김영동", "person") & keys("김영", "person")  # 동 is part of this name, not a unit
    with pytest.raises(ValueError, match="unknown kind"):
        keys("청진", "city")


def test_text_in_other_scripts_still_has_an_exact_key():
    assert keys("北韓") == {"x:北韓"}
    assert keys("   ") == set()


def _division_spellings():
    for row in data.divisions():
        yield row["iso_code"], [row["name_dprk"], row["name_rok"]], [row["mr"], row["rr"], row["dprk"]]


# Latin variants in facilities.yaml that are not spellings of the Hangul name: designations by
# number (Camp 14, Kwan-li-so No. 14) and Chayang-ri, whose Hangul is not in the data.
NOT_A_SPELLING = {"Chayang-ri"}


def _facility_spellings():
    for facility in data.facilities():
        hangul = [v for v in facility["variants"] if script_of(v) == "Hang"]
        latin = [*facility["romanizations"].values()] + [
            v for v in facility["variants"]
            if script_of(v) == "Latn" and not any(ch.isdigit() for ch in v) and v not in NOT_A_SPELLING
        ]
        yield facility["key"], hangul, latin


PLACES = [*_division_spellings(), *_facility_spellings()]


@pytest.mark.parametrize(("place", "hangul", "latin"), PLACES, ids=[p[0] for p in PLACES])
def test_every_gazetteer_spelling_finds_its_place(place, hangul, latin):
    target = set().union(*(keys(h, "place") for h in hangul))
    for spelling in latin:
        assert keys(spelling, "place") & target, (place, spelling)
    for h in hangul:  # and every generated variant finds it back
        for variant in place_variants(h):
            assert keys(variant, "place") & target, (place, variant)


def test_no_two_gazetteer_places_share_a_key():
    """Precision on the gazetteer: the keys of distinct places (all their spellings) are disjoint."""
    keysets = {place: set().union(*(keys(s, "place") for s in hangul + latin)) for place, hangul, latin in PLACES}
    for a, b in itertools.combinations(keysets, 2):
        assert not keysets[a] & keysets[b], (a, b, keysets[a] & keysets[b])


@pytest.mark.parametrize("name", ["리명수", "김련희", "남궁민", "최룡해", "박동구", "황보철", "로영남", "류경희"])
def test_every_person_variant_finds_the_name(name):
    target = keys(name, "person")
    for variant in person_variants(name):
        assert keys(variant, "person") & target, (name, variant)
