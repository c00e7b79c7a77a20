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
