"""Romanization in RR, MR and the DPRK system: the published examples and the gazetteer's own."""

from __future__ import annotations

import pytest

from kirok.korean import data, plain, romanize, romanize_name, romanize_place
from kirok.types.text import script_of


# (Hangul, RR, MR, DPRK). RR examples are those of the 2000 notice (Silla, Jongno, Wangsimni,
# Byeollae, Baengma, Dongnip, gachi, joko, Mukho, Nakdonggang, Hallasan); MR follows the 1939
# tables (Pusan, Taegu, Han'gŭl, P'yŏngyang); DPRK forms as in its press (Chongjin, Kaechon).
CASES = [
    ("신라", "silla", "silla", "silla"),
    ("종로", "jongno", "chongno", "jongno"),
    ("왕십리", "wangsimni", "wangsimni", "wangsimni"),
    ("별내", "byeollae", "pyŏllae", "pyollae"),
    ("백마", "baengma", "paengma", "paengma"),
    ("독립", "dongnip", "tongnip", "tongnip"),
    ("같이", "gachi", "kach'i", "kachi"),
    ("굳이", "guji", "kuji", "kuji"),
    ("좋고", "joko", "chok'o", "jokho"),
    ("묵호", "mukho", "mukho", "mukho"),
    ("낙동강", "nakdonggang", "naktonggang", "naktonggang"),
    ("한라산", "hallasan", "hallasan", "hallasan"),
    ("강릉", "gangneung", "kangnŭng", "kangnung"),
    ("압록강", "amnokgang", "amnokkang", "amnokkang"),
    ("부산", "busan", "pusan", "pusan"),
    ("대구", "daegu", "taegu", "taegu"),
    ("한글", "hangeul", "han'gŭl", "hangul"),
    ("평양", "pyeongyang", "p'yŏngyang", "phyongyang"),
    ("청진", "cheongjin", "ch'ŏngjin", "chongjin"),
    ("신의주", "sinuiju", "sinŭiju", "sinuiju"),
    ("함경북도", "hamgyeongbukdo", "hamgyŏngbukto", "hamgyongbukto"),
    ("량강도", "ryanggangdo", "ryanggangdo", "ryanggangdo"),
    ("개천", "gaecheon", "kaech'ŏn", "kaechon"),
    ("창평", "changpyeong", "ch'angp'yŏng", "changphyong"),
    ("쉬", "swi", "shwi", "swi"),
]


@pytest.mark.parametrize(("hangul", "rr", "mr", "dprk"), CASES)
def test_published_examples(hangul, rr, mr, dprk):
    assert romanize(hangul, "rr") == rr
    assert romanize(hangul, "mr") == mr
    assert romanize(hangul, "dprk") == dprk
    assert romanize(hangul, "mr", diacritics=False) == plain(mr)


def test_other_text_passes_through_and_nfd_is_read():
    import unicodedata

    assert romanize("요덕 제15호, Camp 15", "mr") == "yodŏk che15ho, Camp 15"
    assert romanize(unicodedata.normalize("NFD", "청진"), "rr") == "cheongjin"


def test_unknown_system_is_named():
    with pytest.raises(ValueError, match="unknown romanization system 'yale'"):
        romanize("청진", "yale")


@pytest.mark.parametrize(("name", "system", "expected"), [
    ("리명수", "dprk", "Ri Myong Su"),
    ("리명수", "mr", "Yi Myŏng-su"),
    ("리명수", "rr", "I Myeongsu"),
    ("김대중", "mr", "Kim Tae-jung"),  # voiced inside the given name
    ("박동구", "dprk", "Pak Tong Gu"),  # DPRK: syllables apart, first voiceless
    ("김계관", "dprk", "Kim Kye Gwan"),
    ("최룡해", "dprk", "Choe Ryong Hae"),
    ("최룡해", "rr", "Choe Yonghae"),  # RR spells the ROK form
    ("한복남", "rr", "Han Boknam"),  # RR: no sound change inside a given name
    ("김정은", "mr", "Kim Chŏng-ŭn"),
    ("김정은", "dprk", "Kim Jong Un"),
    ("남궁민", "rr", "Namgung Min"),
])
def test_person_names(name, system, expected):
    assert romanize_name(name, system) == expected


def test_a_one_syllable_string_is_not_a_name():
    with pytest.raises(ValueError, match="not a Hangul name"):
        romanize_name("김", "rr")


@pytest.mark.parametrize(("name", "rr", "mr", "dprk"), [
    ("함경북도", "Hamgyeongbuk-do", "Hamgyŏng-bukto", "Hamgyong-bukto"),
    ("평안남도", "Pyeongannam-do", "P'yŏngan-namdo", "Phyongan-namdo"),
    ("강원도", "Gangwon-do", "Kangwŏn-do", "Kangwon-do"),
    ("량강도", "Ryanggang-do", "Ryanggang-do", "Ryanggang-do"),
    ("전거리", "Jeongeo-ri", "Chŏn'gŏ-ri", "Jongo-ri"),
    ("요덕", "Yodeok", "Yodŏk", "Yodok"),
])
def test_place_names(name, rr, mr, dprk):
    assert romanize_place(name, "rr") == rr
    assert romanize_place(name, "mr") == mr
    assert romanize_place(name, "dprk") == dprk


def test_facility_romanizations_in_the_gazetteer_are_reproduced():
    for facility in data.facilities():
        place = next(v for v in facility["variants"] if script_of(v) == "Hang")
        for system, expected in facility["romanizations"].items():
            assert romanize_place(place, system) == expected, (facility["key"], system)


def test_division_romanizations_in_the_gazetteer_are_reproduced():
    from kirok.korean.keys import without_suffix

    for row in data.divisions():
        forms = {row["name_dprk"], row["name_rok"]}
        forms |= {s for f in forms if (s := without_suffix(f))}
        for system in ("rr", "mr"):
            made = {romanize_place(f, system) for f in forms}
            assert row[system] in made, (row["iso_code"], system, made)
