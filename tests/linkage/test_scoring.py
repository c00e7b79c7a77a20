"""Scoring rules that hold whatever the model learns: names never merge alone; clusters respect
conflicts; the settings file is checked."""

from __future__ import annotations

import pytest

from kirok.linkage import scoring
from kirok.linkage.clusters import greedy
from kirok.linkage.settings import SettingsError, current, load


def scored(**weights) -> scoring.Scored:
    fields = {f: {"level": "x", "weight": w} for f, w in weights.items()}
    return scoring.Scored(1, 2, sum(weights.values()), 0.999, fields)


def test_names_alone_never_merge():
    import dataclasses

    on = dataclasses.replace(current(), auto_accept=0.9)
    assert not scoring.auto_merge(scored(name=25.0, sex=0.9, source=0.3), on)
    assert not scoring.auto_merge(scored(name=25.0, birth_year=-3.0), on)
    assert scoring.auto_merge(scored(name=12.0, birth_year=5.5), on)
    assert scoring.auto_merge(scored(name=12.0, origin=6.0), on)
    assert not scoring.auto_merge(scored(name=12.0, birth_year=5.5), current())  # off as shipped


def test_greedy_clusters_never_join_across_a_conflict():
    # 1 ~ 2 and 2 ~ 3 pass, but 1 and 3 conflict: 3 stays out; 4 ~ 5 joins
    roots, joins = greedy([(1, 2), (2, 3), (4, 5)], conflicts=[(1, 3)])
    assert roots == {1: 1, 2: 1, 4: 4, 5: 4} and joins == [(1, 2), (4, 5)]
    # a merge in force stands even where the model sees a conflict, and others may join it
    roots, joins = greedy([(2, 3)], conflicts=[(1, 3)], fixed=[(1, 3)])
    assert roots == {1: 1, 3: 1, 2: 1} and joins == [(2, 3)]
    # but not across a conflict with any of its members
    roots, joins = greedy([(1, 2)], conflicts=[(2, 3)], fixed=[(1, 3)])
    assert roots == {1: 1, 3: 1} and joins == []


def test_every_level_test_has_sql_and_every_field_a_null_rule():
    settings = current()
    for comparison in settings.comparisons:
        assert comparison.field in scoring.NULLS
        for level in comparison.levels:
            assert level.test in scoring.TESTS and level.label
    sql = scoring.splink_settings(settings, 0.001)
    assert [c["output_column_name"] for c in sql["comparisons"]] == [c.field for c in settings.comparisons]


def test_a_broken_settings_file_names_the_key(tmp_path):
    text = (load.__globals__["SETTINGS_FILE"]).read_text(encoding="utf-8")
    bad = tmp_path / "settings.yaml"
    bad.write_text(text.replace("test: typo,", "test: tyop,"), encoding="utf-8")
    with pytest.raises(SettingsError, match="unknown test 'tyop'"):
        load(bad)
    bad.write_text(text.replace("evidence_fields: [birth_year, origin, places, units]", "evidence_fields: [name]"), encoding="utf-8")
    with pytest.raises(SettingsError, match="evidence"):
        load(bad)


def test_u_is_measured_on_pairs_another_field_shows_apart():
    """Twenty persons three years apart and from twenty places, each twice under a name of their
    own: every random pair sharing a name is one person, so u of "same rare name" is the floor
    among the pairs whose places of origin differ (not the share of all pairs that agree, 20 in
    780); u of the birth year is measured among pairs whose names differ."""
    import duckdb
    import pyarrow as pa

    from kirok.linkage.features import Facts, Hasher, rows

    names = ["김정은", "리명수", "박철", "최영희", "정순옥", "강명철", "조은별", "윤세진", "장길수", "임춘향",
             "한석봉", "오달수", "서태웅", "신기루", "권태식", "황보람", "안중근", "송하늘", "류경민", "홍길동"]
    facts = [Facts(pk=2 * i + k, names=[name], birth=(1940 + 3 * i, 1940 + 3 * i), sex="female", origin={f"p:{i}"}, province=i)
             for i, name in enumerate(names) for k in range(2)]
    con = duckdb.connect()
    con.register("people", pa.Table.from_pylist(rows(facts, Hasher(b"k" * 32)), schema=scoring.SCHEMA))
    u = scoring._u_apart(con, "people", current(), len(facts))
    different_names = 40 * 39 // 2 - 20  # also the pairs from two places
    assert u[("name", "exact_rare")] == pytest.approx(0.5 / different_names)
    assert u[("birth_year", "birth_near3")] == pytest.approx(19 * 4 / different_names)  # neighbours, 3 years apart
    assert u[("birth_year", "birth_exact")] == pytest.approx(0.5 / different_names)


def test_m_of_rare_and_common_names_is_split_as_the_collection_splits_it():
    """Forty persons, each twice with one birth year and place: the pairs alike on name, year and
    place carry rare names (bar readings of a name that other names share), so m of the rare
    level takes nearly all of the settings' m of a name written alike, which the two levels
    still sum to; with too few such pairs the settings stand."""
    import duckdb
    import pyarrow as pa

    from kirok.linkage.features import Facts, Hasher, rows

    surnames, given = "김리박최정강조윤", "철수영희민준"
    facts = [Facts(pk=2 * i + k, names=[surnames[i % 8] + given[i // 8] + "남"], birth=(1930 + 2 * i, 1930 + 2 * i),
                   origin={f"p:{i}"}, province=i % 9) for i in range(40) for k in range(2)]
    settings = current()
    name = settings.comparison("name")
    m = {level.test: level.m for level in name.levels}
    con = duckdb.connect()
    con.register("people", pa.Table.from_pylist(rows(facts, Hasher(b"k" * 32)), schema=scoring.SCHEMA))
    split = scoring._m_rare(con, "people", settings)
    written = m["exact_rare"] + m["exact_few"] + m["exact"]
    assert split[("name", "exact_rare")] >= 0.9 * written > m["exact_rare"]
    assert split[("name", "exact_rare")] + split[("name", "exact_few")] + split[("name", "exact")] == pytest.approx(written)
    assert all(split[("name", test)] >= 0.02 * written / 1.04 for test in ("exact_few", "exact"))  # a floor of 2 % each
    con.register("few", pa.Table.from_pylist(rows(facts[:20], Hasher(b"k" * 32)), schema=scoring.SCHEMA))
    assert scoring._m_rare(con, "few", settings) == {}


def test_u_of_rare_names_is_counted_over_every_pair_when_pairs_are_sampled(monkeypatch):
    """Two namesakes from two places born a year apart share a rare name: four record pairs in
    all, which a small sample of random pairs may well miss. Their u is counted, not sampled."""
    import duckdb
    import pyarrow as pa

    from kirok.linkage.features import Facts, Hasher, rows

    names = ["김정은", "리명수", "박철", "최영희", "정순옥", "강명철", "조은별", "윤세진", "장길수", "임춘향",
             "한석봉", "오달수", "서태웅", "신기루", "권태식", "황보람", "안중근", "송하늘", "류경민", "홍길동", "김정은"]
    facts = [Facts(pk=2 * i + k, names=[name], birth=(1940 + 3 * i if i < 20 else 1941,) * 2, sex="male", origin={f"p:{i}"}, province=i)
             for i, name in enumerate(names) for k in range(2)]
    con = duckdb.connect()
    con.register("people", pa.Table.from_pylist(rows(facts, Hasher(b"k" * 32)), schema=scoring.SCHEMA))
    monkeypatch.setattr(scoring, "U_PAIRS", 400)  # fewer than the 861 pairs: sampled
    u = scoring._u_apart(con, "people", current(), len(facts))
    apart = 42 * 41 // 2 - 21  # pairs from two places
    assert u[("name", "exact_rare")] == pytest.approx(4 / apart, rel=0.15)


def test_average_linkage_keeps_a_record_out_of_a_cluster_it_resembles_in_one_member_only():
    """1, 2 and 3 are one person (all pairs 0.99); 4 is like 3 alone (0.9) and nothing like 1 or 2:
    the mean across is 0.3, so 4 stays out; with no mean required it would join."""
    probability = {(1, 2): 0.99, (1, 3): 0.99, (2, 3): 0.99, (3, 4): 0.9}
    pairs = sorted(probability, key=probability.get, reverse=True)
    roots, joins = greedy(pairs, conflicts=[], probability=probability, mean=0.45)
    assert roots == {1: 1, 2: 1, 3: 1} and (3, 4) not in joins
    roots, _joins = greedy(pairs, conflicts=[])
    assert roots[4] == 1
    # two records alike on average join: 5 ~ 6 at 0.6 alone
    roots, joins = greedy([(5, 6)], conflicts=[], probability={(5, 6): 0.6}, mean=0.45)
    assert joins == [(5, 6)]


def name_levels(*names: str) -> dict[tuple[int, int], str]:
    """The name level of every pair of one-name persons (numbered from 1), as the SQL gives it."""
    import duckdb
    import pyarrow as pa

    from kirok.linkage.features import Facts, Hasher, rows

    facts = [Facts(pk=i, names=[name]) for i, name in enumerate(names, start=1)]
    con = duckdb.connect()
    con.register("people", pa.Table.from_pylist(rows(facts, Hasher(b"k" * 32)), schema=scoring.SCHEMA))
    cols = ", ".join(f"a.{c} AS {c}_l, b.{c} AS {c}_r" for c in scoring._COLUMNS)
    return dict(((a, b), g) for a, b, g in con.execute(
        f"SELECT unique_id_l, unique_id_r, {scoring._gamma(current().comparison('name'))} "
        f"FROM (SELECT {cols} FROM people a JOIN people b ON a.unique_id < b.unique_id)").fetchall())


def test_a_name_one_letter_off_that_reads_as_no_korean_name_is_its_own_level():
    """Choe Km-hyong is a slip for Choe Kum-hyong: the pair is within one letter and one side
    is no Korean name; Choe Kum-hyong and Choe Kum-hyon are both names, one letter apart."""
    levels = name_levels("Choe Kum-hyong", "Choe Km-hyong", "Choe Kum-hyon", "Choe Kmi-hwan", "Choe Myong-su")
    name = current().comparison("name")
    assert levels[(1, 2)] in ("typo_rare_misspelt", "typo_misspelt")
    assert levels[(1, 3)] in ("typo_rare", "typo")
    # further apart than one letter: the surname alone, but one side misspelt says more than that
    assert levels[(1, 4)] == levels[(2, 3)] == "surname_misspelt" and levels[(1, 5)] == "surname"
    m = {level.test: level.m for level in name.levels}
    assert [level.test for level in name.levels].index("typo_rare_misspelt") < [level.test for level in name.levels].index("typo_rare")
    assert m["typo_rare_misspelt"] > 0 and m["typo_misspelt"] > 0


def test_the_shared_hash_test_agrees_with_list_has_any_on_empty_lists_and_under_not():
    import duckdb

    con = duckdb.connect()
    lists = [[], [1], [1, 2, 3], [3, 4], [5], [2, 9, 11, 40]]
    con.execute("CREATE TABLE p (a_l BIGINT[], a_r BIGINT[])")
    con.executemany("INSERT INTO p VALUES (?, ?)", [(x, y) for x in lists for y in lists])
    share = scoring._any("a")
    rows = con.execute(f"SELECT a_l, a_r, {share}, NOT {share}, list_has_any(a_l, a_r) FROM p").fetchall()
    assert len(rows) == 36
    for left, right, shares, not_shares, expected in rows:
        assert shares is expected and not_shares is (not expected), (left, right)
    # Splink finds the columns a level needs outside lambdas only: both sides must be named there
    from splink.internals.parse_sql import get_columns_used_from_sql

    assert set(get_columns_used_from_sql(scoring._any("birth", "birth1"), "duckdb")) == {"birth_l", "birth1_r"}


def test_a_given_name_alike_with_a_slip_in_the_surname_is_its_own_level():
    """Cohe Iljeong (a slip in Choe) and Choe Iljeong share no name key, only the given name; so
    do Pak Iljeong and Choe Iljeong, two persons' real names. Kim Jong-un and Kim Jong-il share
    the surname, not the given name, and stay at the surname level."""
    levels = name_levels("Choe Iljeong", "Cohe Iljeong", "Pak Iljeong", "Kim Jong-un", "Kim Jong-il", "최일정")
    assert levels[(1, 2)] == levels[(2, 6)] == "given_misspelt"
    assert levels[(1, 3)] == levels[(3, 6)] == "given"
    assert levels[(4, 5)] == "surname" and levels[(1, 4)] == "else"
    assert levels[(1, 6)] in ("keys", "keys_rare")
    m = {level.test: level.m for level in current().comparison("name").levels}
    assert m["given_misspelt"] > 0 and m["given"] > 0


def test_clusters_are_the_same_when_the_means_leave_out_the_conflicts():
    """Runs hand clustering the probabilities of the pairs above the conflict line only (the
    conflicts are most of the scored pairs at scale): a conflict across two clusters keeps them
    apart before any mean is taken, so the clusters do not change."""
    import random

    rng = random.Random(3)
    scored = {}
    for _ in range(400):
        a, b = sorted(rng.sample(range(60), 2))
        scored[(a, b)] = rng.choice([rng.random() * 0.05, rng.random()])
    best = sorted((p for p in scored if scored[p] >= 0.5), key=lambda p: -scored[p])
    conflicts = [p for p, v in scored.items() if v < 0.05]
    whole = greedy(best, conflicts, probability=scored, mean=0.45)
    above = greedy(best, conflicts, probability={p: v for p, v in scored.items() if v >= 0.05}, mean=0.45)
    assert whole == above and len(whole[1]) > 5
