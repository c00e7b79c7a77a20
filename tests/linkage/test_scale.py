"""What lets a run scale to a million records without changing what it finds: features built in
batches, blocking capped to a budget of pairs per record, prediction in chunks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kirok.linkage import features, scoring
from kirok.linkage.features import Hasher
from kirok.linkage.settings import current
from kirok.linkage.synthetic import Generator


@pytest.fixture(scope="module")
def facts() -> list[features.Facts]:
    records = Generator(5).records(300)
    return [r.facts(i, i % 4) for i, r in enumerate(records)]


def test_batches_and_worker_processes_do_not_change_the_rows(facts):
    """Rarity is judged over the whole collection, however many rows go to Arrow at a time and
    whichever process derives them."""
    hasher = Hasher(b"k" * 32)
    whole = features.table(facts, hasher, batch=len(facts) + 1)
    assert features.table(iter(facts), hasher, batch=7).equals(whole)
    assert features.table(iter(facts), hasher, batch=50, workers=2).equals(whole)
    assert whole.to_pylist() == features.rows(facts, hasher)
    assert any(r["name_common"] for r in whole.to_pylist()) and any(r["typo_rare"] for r in whole.to_pylist())


def test_the_cap_falls_to_the_budget_of_pairs_per_record():
    """Keys of 2, 3 and 10 records make 1 + 3 + 45 pairs: on 10 records a budget of 5 pairs per
    record takes all three (the cap stays at max_block), one of 4 stops below the key of 10."""
    counts = np.array([2, 3, 10, 3])
    settings = dataclasses.replace(current(), max_block=500, block_pairs_per_record=6)
    assert scoring.block_cap(counts, 10, settings) == scoring.Blocking(500, 1 + 3 + 3 + 45)
    tight = dataclasses.replace(settings, block_pairs_per_record=4)
    assert scoring.block_cap(counts, 10, tight) == scoring.Blocking(3, 7)
    assert scoring.block_cap(counts, 10, dataclasses.replace(settings, max_block=5)) == scoring.Blocking(5, 7)
    assert scoring.block_cap(counts, 10, dataclasses.replace(settings, block_pairs_per_record=0.01)) == scoring.Blocking(1, 0)


def test_capping_drops_only_the_crowded_keys(facts):
    rows = features.table(facts, Hasher(b"k" * 32))
    settings = dataclasses.replace(current(), max_block=6, block_pairs_per_record=1e9)
    capped, blocking = scoring.capped(rows, settings)
    counts: dict[int, int] = {}
    for keys in rows.column("block").to_pylist():
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
    assert blocking.cap == 6 and any(n > 6 for n in counts.values())
    for before, after in zip(rows.column("block").to_pylist(), capped.column("block").to_pylist()):
        assert after == [k for k in before if counts[k] <= 6]
    assert capped.drop_columns(["block"]).equals(rows.drop_columns(["block"]))


def test_prediction_in_chunks_finds_the_same_pairs_with_the_same_scores(facts, monkeypatch):
    rows = features.table(facts, Hasher(b"k" * 32))
    whole, model = scoring.score(rows, threshold=0.001)
    monkeypatch.setattr(scoring, "CHUNK_PAIRS", 500)
    assert scoring.chunks(scoring.capped(rows, current())[1]) > 3
    parts, _model = scoring.score(rows, threshold=0.001)
    assert len(whole) > 100
    assert [(s.left, s.right, s.weight) for s in parts] == [(s.left, s.right, s.weight) for s in whole]
    assert [s.probability for s in parts] == pytest.approx([s.probability for s in whole])
    assert model.trained[0].startswith("blocking: keys of at most")


def test_pairs_below_the_review_threshold_come_without_their_explanation(facts):
    """A run keeps them only as conflicts; the stored candidates keep every field's reason."""
    rows = features.table(facts, Hasher(b"k" * 32))
    scored, _model = scoring.score(rows, threshold=0.001, explain=0.2)
    assert any(s.probability < 0.2 for s in scored)
    for s in scored:
        assert bool(s.fields) == (s.probability >= 0.2)
        assert not s.fields or set(s.fields) == {c.field for c in current().comparisons}


def test_each_fields_level_read_back_from_its_weight_is_the_one_its_sql_gives(facts):
    """Prediction carries no list column of the records (memory at a million): the explanation's
    level is read from the field's weight. It must name the level the level tests give, pair by
    pair, as the SQL of each comparison (``_gamma``) computes it on the same rows."""
    import duckdb
    import pyarrow as pa

    rows = features.table(facts, Hasher(b"k" * 32))
    scored, _model = scoring.score(rows, threshold=0.001, explain=0.001)
    con = duckdb.connect()
    con.register("t", rows)
    con.register("p", pa.table({"l": [s.left for s in scored], "r": [s.right for s in scored]}))
    cols = scoring._COLUMNS
    gammas = ", ".join(f"{scoring._gamma(c)} AS {c.field}" for c in current().comparisons)
    found = con.execute(f"""SELECT p.l, p.r, {gammas} FROM p
        JOIN (SELECT {', '.join(f'{c} AS {c}_l' for c in cols)} FROM t) x ON x.unique_id_l = p.l
        JOIN (SELECT {', '.join(f'{c} AS {c}_r' for c in cols)} FROM t) y ON y.unique_id_r = p.r""").fetchall()
    fields = [c.field for c in current().comparisons]
    expected = {(row[0], row[1]): dict(zip(fields, row[2:])) for row in found}
    assert len(expected) == len(scored) > 100
    levels = {(s.left, s.right): {f: s.fields[f]["level"] for f in fields} for s in scored}
    assert levels == expected
    assert len({lv for pair in levels.values() for lv in pair.values()}) > 10
