"""The name layer as linkage uses it: which spellings meet, which stay apart, and what is hashed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kirok.linkage.features import RARE_RECORDS, Facts, Hasher, blocking_keys, name_keys, row, rows, typo_keys, year_tokens

KIM_JONG_UN = ["김정은", "Kim Jong-un", "Kim Jŏng-ŭn", "Gim Jeong-eun", "Kim Jong Un", "KIM Jong Un", "Jong-un Kim"]
KIM_JONG_IL = ["김정일", "Kim Jong-il", "Kim Chŏng-il", "Gim Jeong-il", "Kim Jong Il"]


def shared(a: str, b: str, kind: str) -> set[str]:
    return name_keys([a])[kind] & name_keys([b])[kind]


@pytest.mark.parametrize("spelling", KIM_JONG_UN[1:])
def test_every_spelling_of_kim_jong_un_meets_the_hangul(spelling):
    assert shared("김정은", spelling, "keys")


@pytest.mark.parametrize("a", KIM_JONG_UN)
@pytest.mark.parametrize("b", KIM_JONG_IL)
def test_kim_jong_il_stays_apart_from_kim_jong_un(a, b):
    """Brothers' names share surname and generation syllable: only the surname may meet."""
    assert not shared(a, b, "keys")
    assert not shared(a, b, "typo")
    assert not shared(a, b, "exact")
    assert shared(a, b, "surname") == {"김"}


@pytest.mark.parametrize("spelling", ["리명수", "이명수", "Ri Myong Su", "Lee Myung-soo", "Yi Myŏng-su", "Rhee Myungsoo", "I Myeongsu"])
def test_dprk_and_rok_orthography_and_surname_spellings_fold(spelling):
    assert shared("리명수", spelling, "keys")


def test_written_forms_meet_only_when_written_alike():
    assert shared("리명수", "이명수", "exact")  # the initial-sound rule is spelling, not a new name
    assert shared("Ri Myong-su", "ri myong su", "exact")
    assert not shared("리명수", "Ri Myong Su", "exact")


@pytest.mark.parametrize("typo", ["Kim Jomg Un", "Kim Jong Unn", "Kim Jnog Un", "Kim Jon Un", "Kin Jong Un"])
def test_a_typo_still_finds_its_pair_through_a_blocking_key(typo):
    """One wrong letter: the typo key or, failing that, the name with the birth year."""
    a, b = name_keys(["김정은"]), name_keys([typo])
    assert blocking_keys(a, 1984, 1984) & blocking_keys(b, 1984, 1984)


def test_the_typo_key_is_one_deletion():
    assert typo_keys({"n:김:coqon"}) == {"n:김~coqon", "n:김~oqon", "n:김~cqon", "n:김~coon", "n:김~coqn", "n:김~coqo"}
    assert typo_keys({"n:김:il"}) == {"n:김~il"}  # short skeletons are not cut
    assert typo_keys({"x:金正恩"}) == set()


def test_birth_years_as_sets_of_years():
    assert year_tokens(1960, 1961) == {"y:1960", "y:1961"}
    assert year_tokens(1960, 1960, 1) == {"y:1959", "y:1960", "y:1961"}
    assert year_tokens(None, None) == set()
    assert year_tokens(1900, 1990) == set()  # "born in the 20th century" is no evidence


def test_the_row_holds_no_plaintext_and_hashes_with_the_key():
    facts = Facts(pk=7, names=["리명수", "Ri Myong Su"], birth=(1961, 1961), sex="male", source=3)
    one, other = row(facts, Hasher(b"k" * 32)), row(facts, Hasher(b"j" * 32))
    text = repr(one)
    for secret in ("명수", "Myong", "myoq", "1961"):
        assert secret not in text
    assert one["name_keys"] and one["name_keys"] != other["name_keys"]
    assert all(isinstance(h, int) and -(2**63) <= h < 2**63 for h in one["name_typo"])
    assert one["sex"] == "male" and one["source"] == 3


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=30))
def test_any_text_gives_keys_without_error(text):
    keys = name_keys([text])
    assert set(keys) == {"exact", "keys", "typo", "surname", "given"}
    assert all(isinstance(k, str) for group in keys.values() for k in group)


def test_a_name_seen_on_one_person_is_rare_and_one_on_several_is_common():
    """Rarity counts persons, not records: one person written seven times (birth years within a
    year) has a rare name; two records born forty years apart are two persons; undated records
    count as one person only when there are few of them."""
    hasher = Hasher(b"k" * 32)
    spellings = ["김정은", "Kim Jong-un", "Kim Jŏng-ŭn", "Gim Jeong-eun", "金 jong un", "Kim Jong Un", "김 정은"]
    one = [Facts(pk=i, names=[n], birth=(1984 - i % 2, 1984 - i % 2)) for i, n in enumerate(spellings)]
    two = [Facts(pk=20, names=["박철수"], birth=(1940, 1940)), Facts(pk=21, names=["박철수"], birth=(1980, 1980))]
    undated = [Facts(pk=30 + i, names=["Kim Chol"]) for i in range(RARE_RECORDS + 1)]
    found = rows([*one, *two, *undated], hasher)
    assert all(not r["name_common"] and r["name_keys"] for r in found[:7])
    assert all(r["name_common"] for r in found[7:])
    for r in found:
        assert set(r["name_common"]) <= {*r["name_exact"], *r["name_keys"]} and set(r["typo_rare"]) <= set(r["name_typo"])
    assert found[0]["typo_rare"] and not found[-1]["typo_rare"]
    # two persons (1940, 1980) bear 박철수: common, but "few" (``FEW``); five undated Kim Chol
    # records may be up to two persons (at most 2 × RARE_RECORDS undated records)
    assert all(not r["name_many"] for r in found[:9]) and all(not r["name_many"] for r in found[9:])
    three = [Facts(pk=40 + i, names=["박철수"], birth=(y, y)) for i, y in enumerate((1940, 1960, 1980))]
    assert all(r["name_many"] and set(r["name_many"]) <= set(r["name_common"]) for r in rows(three, hasher))
    crowd = [Facts(pk=50 + i, names=["Kim Chol"]) for i in range(2 * RARE_RECORDS + 1)]
    assert all(r["name_many"] for r in rows(crowd, hasher))
    # typo keys likewise: rare ones are few ones, and those of three persons neither
    for r in [*found, *rows(three, hasher)]:
        assert set(r["typo_rare"]) <= set(r["typo_few"]) <= set(r["name_typo"])
    assert found[7]["typo_few"] and not found[7]["typo_rare"] and not rows(three, hasher)[0]["typo_few"]


def test_a_hangul_syllable_few_names_use_marks_a_slip(monkeypatch):
    """A slip in Hangul changes a jamo and leaves a syllable (김정음 for 김정은), which reads as
    Korean; it is marked misspelt when the syllable is on few records of the collection (at
    most 2 here), as a romanized name that reads as no Korean syllables is — once the
    collection has enough Hangul names for a syllable's rarity to mean something."""
    from kirok.linkage import features
    from kirok.linkage.features import Facts, Hasher, odd, rows

    names = ["김정은"] * 3 + ["박철수"] * 3 + ["김정음", "Kim Jong-un", "Kmi Jong-un"]
    facts = [Facts(pk=i, names=[n]) for i, n in enumerate(names)]
    assert [r["misspelt"] for r in rows(facts, Hasher(b"k" * 32))] == [False] * 8 + [True]  # 7 Hangul names: too few
    monkeypatch.setattr(features, "ODD_LEAST", 5)
    assert [r["misspelt"] for r in rows(facts, Hasher(b"k" * 32))] == [False] * 6 + [True, False, True]
    assert odd([[1, 2], [1, 2], [1, 2], [1, 3], [], [4, 1]], least=5).tolist() == [False, False, False, True, False, True]
    assert not odd([[1, 2], [1, 2], [1, 2], [1, 3], [], [4, 1]], least=6).any()
    assert odd([]).tolist() == [] and odd([[], []], least=0).tolist() == [False, False]
