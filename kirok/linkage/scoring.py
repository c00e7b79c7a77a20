"""Candidates and Fellegi–Sunter scores, with Splink on DuckDB, over keyed hashes only.

``score(rows)`` takes the rows of ``kirok.linkage.features.rows`` (ids, codes and 64-bit keyed
hashes: no name, no birth year), lets Splink block, learn and predict, and returns every pair at
or above the review threshold with its match weight, its probability and the weight each field
gave it — the explanation a reviewer reads. DuckDB runs in memory; whatever it spills to its
temporary folder under memory pressure is hashes too.

How the model is fitted (docs/linkage.md): u-probabilities from random pairs of the collection
that another field shows to be two persons (``_u_apart``);
the prior probability of a match from a deterministic rule (a shared name key and birth year)
and its assumed recall; m-probabilities from the settings file, refined by expectation
maximisation on large collections and by reviewers' judgements when there are enough of them.
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pyarrow as pa

from kirok.linkage import features
from kirok.linkage.features import SCHEMA
from kirok.linkage.settings import Settings, current

logger = logging.getLogger(__name__)


def _any(column: str, other: str | None = None) -> str:
    """Whether the two records' lists share a hash. Written as a membership test per element
    rather than DuckDB's ``list_has_any``, which builds a hash set for every pair: on 2 million
    pairs of 0–20 hashes the test took 0.15 µs a pair against 0.55 (typo keys, the longest lists,
    were two thirds of scoring at 100,000 records). An empty list gives false, not NULL. The
    right column is named outside the lambda too (its length, a cheap guard): Splink reads the
    columns a level needs from its SQL and skips those inside lambdas."""
    right = f"{other or column}_r"
    return f"(len({right}) > 0 AND coalesce(list_bool_or(list_transform({column}_l, lambda h: list_contains({right}, h))), false))"


def _empty(*columns: str) -> str:
    return " OR ".join(f"len({c}_l) = 0 OR len({c}_r) = 0" for c in columns)


# The SQL of each level test a settings file may name (DuckDB dialect, Splink's _l/_r columns).
TESTS = {
    # a rare name: shared, and none of the hashes the two share is common (features.rare_names)
    "exact_rare": f"{_any('name_exact')} AND NOT {_any('name_common')}",
    # a name few persons seem to bear (two, ``features.FEW``): none of the hashes shared is on more
    "exact_few": f"{_any('name_exact')} AND NOT {_any('name_many')}",
    "exact": _any("name_exact"),
    "keys_rare": f"{_any('name_keys')} AND NOT {_any('name_common')}",
    "keys_few": f"{_any('name_keys')} AND NOT {_any('name_many')}",
    "keys": _any("name_keys"),
    # within one letter, and one side reads as no Korean name: a slip of the pen (reading.py)
    # the flag first: DuckDB tests a CASE's conditions left to right on the rows still in question,
    # and few records are misspelt (the typo keys, 16 a record, are the costliest test)
    "typo_rare_misspelt": f"(misspelt_l OR misspelt_r) AND {_any('typo_rare')}",
    "typo_misspelt": f"(misspelt_l OR misspelt_r) AND {_any('name_typo')}",
    "typo_rare": _any("typo_rare"),
    "typo_few": _any("typo_few"),
    "typo": _any("name_typo"),
    "surname_misspelt": f"(misspelt_l OR misspelt_r) AND {_any('surname')}",
    "surname": _any("surname"),
    # the given name alike, the surnames not: a slip in the surname (Cohe for Choe), when a side is
    # misspelt; two persons of one given name otherwise
    "given_misspelt": f"(misspelt_l OR misspelt_r) AND {_any('given')}",
    "given": _any("given"),
    "birth_exact": _any("birth"),
    "birth_near1": _any("birth", "birth1"),
    "birth_near3": _any("birth", "birth3"),
    "sex_same": "sex_l = sex_r",
    "origin_same": _any("origin"),
    "origin_conflict": "len(origin_l) > 0 AND len(origin_r) > 0",  # both places known, and not the same
    "origin_province": "province_l = province_r",
    "places_shared": _any("places"),
    "units_shared": _any("units"),
    "source_same": "source_l = source_r",
    "else": "ELSE",
}
TF_LEVELS: tuple[str, ...] = ()
# When a field says nothing: a null level, weight 0.
NULLS = {
    "name": _empty("name_exact"),
    "birth_year": _empty("birth"),
    "sex": "sex_l IS NULL OR sex_r IS NULL",
    "origin": "province_l IS NULL OR province_r IS NULL",
    "places": _empty("places"),
    "units": _empty("units"),
    "source": "source_l IS NULL OR source_r IS NULL",
}

@dataclass(slots=True)
class Scored:
    """One candidate pair: record keys (smaller first), the score and its explanation."""

    left: int
    right: int
    weight: float
    probability: float
    fields: Mapping[str, dict] = field(default_factory=dict)  # field -> {"level": test, "weight": log2 Bayes factor}; empty below ``explain``


# The explanation of a pair below ``explain``: one shared, read-only empty mapping rather than an
# empty dict per pair (64 bytes each; a million records keep some 7 million such pairs).
UNEXPLAINED: Mapping[str, dict] = MappingProxyType({})


@dataclass
class Model:
    """What a run learnt: the prior and every level's m and u (kept with the run, for the record)."""

    prior: float
    levels: dict[str, list[dict]]
    trained: list[str]


def splink_settings(settings: Settings, prior: float, u_values: dict | None = None, m_values: dict | None = None) -> dict:
    from splink import block_on

    comparisons = []
    for c in settings.comparisons:
        levels = [{"sql_condition": NULLS[c.field], "label_for_charts": "null", "is_null_level": True}]
        for level in c.levels:
            m = (m_values or {}).get((c.field, level.test), level.m)
            entry = {"sql_condition": TESTS[level.test], "label_for_charts": level.test, "m_probability": m}
            if u_values and (c.field, level.test) in u_values:
                entry["u_probability"] = u_values[(c.field, level.test)]
            if level.test in TF_LEVELS:  # a rare name agreeing says more than a common one
                entry |= {"tf_adjustment_column": "name1", "tf_adjustment_weight": 1.0, "disable_tf_exact_match_detection": True}
            levels.append(entry)
        comparisons.append({"output_column_name": c.field, "comparison_levels": levels})
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [block_on("block", arrays_to_explode=["block"])],
        "comparisons": comparisons,
        # the list columns of both records are not carried through prediction (at a million records
        # they were most of what DuckDB spilled); a pair's level is read back from its weight
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
    }


@dataclass(frozen=True)
class Blocking:
    """What blocking let through: the cap on a key's records, and the pairs it may make (pairs
    of records sharing a key, counted once per key they share: an upper bound of the distinct
    pairs, and what the blocking join does)."""

    cap: int
    pairs: int


def block_cap(counts: np.ndarray, records: int, settings: Settings) -> Blocking:
    """The largest cap (at most ``max_block``) at which keys of that many records or fewer make
    at most ``block_pairs_per_record`` pairs per record (``counts``: the records of each key).

    Why: the pairs of a key grow as the square of its records, and on a larger collection more
    keys grow large (every Kim born in 1960, then every Kim Yong-ho). A fixed cap lets the pairs
    grow faster than the records; a budget per record keeps scoring linear. Keys above the cap
    are the crowded ones, whose pairs mostly meet through their other keys (a rare given name, a
    typo key of the whole name): at 20,000 persons the budget leaves the cap at ``max_block``."""
    sizes, keys = np.unique(counts, return_counts=True)
    pairs = np.cumsum(keys * (sizes * (sizes - 1) // 2))
    allowed = (sizes <= settings.max_block) & (pairs <= settings.block_pairs_per_record * records)
    if not allowed.any():
        return Blocking(1, 0)
    last = np.flatnonzero(allowed)[-1]
    budget_bound = last + 1 < len(sizes) and sizes[last + 1] <= settings.max_block
    cap = int(sizes[last]) if budget_bound else settings.max_block
    return Blocking(cap, int(pairs[last]))


def capped(rows: pa.Table, settings: Settings) -> tuple[pa.Table, Blocking]:
    """``rows`` without the blocking keys shared by more records than ``block_cap`` allows (they
    would compare every Kim born in 1960 with every other); the pairs they held still meet
    through their other keys."""
    values, parents = features.flat(rows, "block")
    _keys, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    blocking = block_cap(counts, len(rows), settings)
    keep = counts[inverse] <= blocking.cap
    if keep.all():
        return rows, blocking
    column = features.lists(values, parents, keep, len(rows))
    return rows.set_column(SCHEMA.get_field_index("block"), "block", column), blocking


CHUNK_PAIRS = 25_000_000  # blocked pairs (counted per shared key) scored at a time: Splink's chunks


def chunks(blocking: Blocking) -> int:
    """How many parts Splink's prediction is cut into (``num_chunks_left``), so that one part's
    blocked pairs, which DuckDB materialises before scoring, stay near ``CHUNK_PAIRS``."""
    return max(1, math.ceil(blocking.pairs / CHUNK_PAIRS))


def connect(settings: Settings, spill: str):
    """An in-memory DuckDB held to ``duckdb_memory_limit``, spilling to ``spill`` beyond it
    (keyed hashes and ids only: nothing it writes there is plaintext)."""
    import duckdb

    return duckdb.connect(":memory:", config={
        "memory_limit": settings.duckdb_memory_limit, "temp_directory": spill, "preserve_insertion_order": False,
    })


def _prior(con, table: str, settings: Settings, n: int) -> float:
    """Share of all pairs that a shared name key and birth year join, divided by the rule's
    assumed recall: Splink's deterministic estimate, computed on exploded hashes (an equi-join)
    rather than a list comparison over every pair."""
    if n < 2:
        return settings.prior
    found = con.execute(f"""
        WITH k AS (SELECT unique_id, unnest(name_keys) AS nk, y FROM
                   (SELECT unique_id, name_keys, unnest(birth) AS y FROM {table}))
        SELECT count(*) FROM (SELECT DISTINCT a.unique_id, b.unique_id FROM k a JOIN k b
               ON a.nk = b.nk AND a.y = b.y AND a.unique_id < b.unique_id)
    """).fetchall()[0][0]
    if not found:
        return settings.prior
    share = found / (n * (n - 1) / 2) / settings.deterministic_recall
    return min(max(share, 1e-9), 0.5)


def score(rows: pa.Table | list[dict], *, settings: Settings | None = None, labels: list[tuple[int, int, bool]] = (),
          threshold: float | None = None, explain: float | None = None, progress=None) -> tuple[list[Scored], Model]:
    """Score the candidate pairs among ``rows`` (``features.table``, or its rows as dicts) and
    return those at or above ``threshold``. ``labels``: reviewers' judgements (left, right,
    same?) to learn m from, used when there are ``labels_min`` of them. Pairs below ``explain``
    (default: the review threshold) come without their per-field explanation: a run keeps them
    only as conflicts, and a million records give millions of them.

    Memory stays bounded whatever the collection's size: DuckDB is held to
    ``duckdb_memory_limit`` and spills to a temporary folder; blocking is capped to a budget of
    pairs per record (``block_cap``); prediction runs in parts (``chunks``), each filtered to the
    threshold before it is kept, so no table of all blocked pairs is ever built."""
    from splink import DuckDBAPI, Linker, block_on

    settings = settings or current()
    logging.getLogger("splink").setLevel(logging.ERROR)  # its warnings go to the run's report instead
    threshold = settings.review_threshold if threshold is None else threshold
    explain = settings.review_threshold if explain is None else explain
    step = progress or (lambda label, done, total: None)
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=SCHEMA)
    table, blocking = capped(table, settings)
    n = len(table)
    with tempfile.TemporaryDirectory(prefix="kirok-linkage-") as spill:
        con = connect(settings, spill)
        try:
            con.register("kirok_people", table)
            prior = _prior(con, "kirok_people", settings, n)
            step("fit", 1, 4)
            db = DuckDBAPI(connection=con)
            linker = Linker(db.register(table), splink_settings(settings, prior), log_level=None)
            trained = [f"blocking: keys of at most {blocking.cap} records"]
            if n >= 50:
                u_values = _u_apart(con, "kirok_people", settings, n)
                m_values = _m_rare(con, "kirok_people", settings)
                linker = Linker(db.register(table), splink_settings(settings, prior, u_values, m_values), log_level=None)
                trained.append("u: random pairs that another field shows apart")
                if m_values:
                    trained.append("m: rare and common names split on pairs that birth year and origin show alike")
            step("fit", 2, 4)
            if settings.em_min_records is not None and n >= settings.em_min_records:
                # Splink's EM cannot block on exploded lists: one scalar name key, then birth year and sex.
                for rule in (block_on("name1"), block_on("year1", "sex", "province")):
                    linker.training.estimate_parameters_using_expectation_maximisation(rule, record_sample_proportion=1.0)
                trained.append("m: expectation maximisation")
            if len(labels) >= settings.labels_min:
                con.register("kirok_labels", pa.Table.from_pylist([
                    {"source_dataset_l": "kirok_people", "unique_id_l": a, "source_dataset_r": "kirok_people", "unique_id_r": b,
                     "clerical_match_score": 1.0 if same else 0.0} for a, b, same in labels
                ]))
                linker.training.estimate_m_from_pairwise_labels("kirok_labels")
                trained.append(f"m: {len(labels)} judgements")
            step("fit", 3, 4)
            predicted = linker.inference.predict(threshold_match_probability=threshold, num_chunks_left=chunks(blocking))
            out = list(_scored(con, predicted.physical_name, settings, explain, _by_weight(linker)))
            step("fit", 4, 4)
            model = Model(prior, _levels(linker), trained)
        finally:
            con.close()
    out.sort(key=lambda s: (-s.weight, s.left, s.right))
    return out, model


def _by_weight(linker) -> dict[str, dict[float, str]]:
    """Each field's levels by their match weight (the null level's is 0), as prediction writes it
    into ``mw_<field>``: a pair's level is read back from its weight, so that prediction need not
    carry every list column of both records to output the level (Splink 5 writes ``gamma_``
    columns only with the matching columns). Two levels of a field with the same m and u weigh the
    same and are told as the first of them; a level that weighs exactly 0 is told as null."""
    found: dict[str, dict[float, str]] = {}
    for comparison in linker._settings_obj.comparisons:
        weights: dict[float, str] = {}
        for level in comparison.comparison_levels:
            weight = 0.0 if level.is_null_level else float(level._match_weight)
            weights.setdefault(_weight_key(weight), "null" if level.is_null_level else level.label_for_charts)
        found[comparison.output_column_name] = weights
    return found


def _weight_key(weight: float) -> float:
    return round(weight, 9)


def _scored(con, predictions: str, settings: Settings, explain: float, by_weight: dict[str, dict[float, str]]) -> Iterator[Scored]:
    """The predicted pairs, read a batch at a time, each with the level and weight of every field
    when its probability is at least ``explain``."""
    fields = [c.field for c in settings.comparisons]
    columns = ", ".join(["unique_id_l", "unique_id_r", "match_weight", "match_probability", *(f"mw_{f}" for f in fields)])
    for batch in con.sql(f"SELECT {columns} FROM {predictions}").to_arrow_reader(100_000):
        for d in batch.to_pylist():
            left, right = sorted((int(d["unique_id_l"]), int(d["unique_id_r"])))
            probability = float(d["match_probability"])
            explanation = {
                f: {"level": by_weight[f][_weight_key(float(d[f"mw_{f}"]))], "weight": round(float(d[f"mw_{f}"]), 3)}
                for f in fields
            } if probability >= explain else UNEXPLAINED
            yield Scored(left, right, round(float(d["match_weight"]), 3), probability, explanation)


# Name levels split by rarity, and the list column whose shared hash makes a pair "alike".
RARE_SPLITS = {("exact_rare", "exact_few", "exact"): "name_keys", ("keys_rare", "keys_few", "keys"): "name_keys",
               ("typo_rare", "typo_few", "typo"): "name_typo", ("typo_rare_misspelt", "typo_misspelt"): "name_typo"}
RARE_SPLIT_MIN = 30  # alike pairs needed at a split's levels before the collection's own split is used
U_PAIRS = 2_000_000  # random pairs drawn to estimate u (all pairs, when there are fewer)
# The levels of another field that mark a pair as two persons, to measure a field's u on. Names:
# origins apart (rare names are judged by birth years); birth years: names apart; others: births.
APART = {
    "name": ("origin", ("origin_conflict", "else")),
    "birth_year": ("name", ("else",)),
}
APART_DEFAULT = ("birth_year", ("else",))


def _gamma(comparison) -> str:
    """The SQL giving a pair's level in ``comparison``: its test name, or 'null'."""
    whens = [f"WHEN {NULLS[comparison.field]} THEN 'null'"]
    whens += [f"WHEN {TESTS[level.test]} THEN '{level.test}'" for level in comparison.levels if level.test != "else"]
    return f"CASE {' '.join(whens)} ELSE 'else' END"


def _m_rare(con, table: str, settings: Settings) -> dict[tuple[str, str], float]:
    """m of the rare and common name levels, split as this collection splits them.

    Why: what share of one person's record pairs carry a rare name depends on the collection (the
    larger it is, the more names are shared, the fewer rare), so the settings file's m, measured
    on 3,000 persons, would overstate m of the rare levels on 20,000 and understate the common
    ones. Their sum (a same written name, rare or not) does not depend on it and stays as set.
    The split is read on pairs that share a name key or typo key, a birth year and a place of
    origin: almost all one person's, and whether their name is rare depends on whether someone
    else bears it, not on the pair."""
    name = next((c for c in settings.comparisons if c.name_field), None)
    if name is None:
        return {}
    tests = {level.test: level for level in name.levels}
    gamma = _gamma(name)
    found: dict[tuple[str, str], float] = {}
    for split, column in RARE_SPLITS.items():
        split = tuple(test for test in split if test in tests)
        if len(split) < 2:
            continue
        counts = dict(con.execute(f"""
            WITH k AS (SELECT unique_id, unnest({column}) AS nk, y FROM (SELECT unique_id, {column}, unnest(birth) AS y FROM {table})),
                 p AS (SELECT DISTINCT a.unique_id AS l, b.unique_id AS r FROM k a JOIN k b
                       ON a.nk = b.nk AND a.y = b.y AND a.unique_id < b.unique_id)
            SELECT g, count(*) FROM (
                SELECT {gamma} AS g FROM p
                JOIN (SELECT {', '.join(f'{c} AS {c}_l' for c in _COLUMNS)} FROM {table}) x ON x.unique_id_l = p.l
                JOIN (SELECT {', '.join(f'{c} AS {c}_r' for c in _COLUMNS)} FROM {table}) y ON y.unique_id_r = p.r
                WHERE {TESTS['origin_same']}) GROUP BY g
        """).fetchall())
        seen = sum(counts.get(test, 0) for test in split)
        if seen < RARE_SPLIT_MIN:
            continue
        total = sum(tests[test].m for test in split)
        shares = [max(counts.get(test, 0) / seen, 0.02) for test in split]  # no level below 2 % of the sum
        for test, share in zip(split, shares):
            found[("name", test)] = total * share / sum(shares)
    return found


_COLUMNS = [f.name for f in SCHEMA if f.name != "block"]


def _u_apart(con, table: str, settings: Settings, n: int) -> dict[tuple[str, str], float]:
    """u of every level, from random pairs that another field shows to be two persons.

    Why not Splink's random sampling: a random pair is a mixture, P(level) = prior·m + (1 −
    prior)·u, and where agreement is rare (a name written alike, a rare name) the true duplicates
    are most of the agreeing random pairs: the estimate overstated u of a same written name 1.6
    times, and of a rare name ten times (benchmark, 3,000 persons, against the truth); taking
    them out with prior·m only moves the error onto the prior and m. Pairs that another field
    shows apart (``APART``: places of origin that differ, for names; names that differ entirely,
    for birth years; birth years far apart, for the rest) are instead almost all two persons,
    and among two persons one field does not depend on the other: so u of each level is its
    share among those pairs. Rarity of a name is judged on birth years (``features.rare_names``),
    hence origins for names. Pairs are drawn by hash, so a run is reproducible."""
    total = n * (n - 1) // 2
    m = min(total, U_PAIRS)
    columns = [f.name for f in SCHEMA if f.name not in ("unique_id", "block")]
    if m == total:
        pairs = f"SELECT {', '.join(f'a.{c} AS {c}_l, b.{c} AS {c}_r' for c in columns)} FROM {table} a JOIN {table} b ON a.unique_id < b.unique_id"
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE kirok_numbered AS SELECT row_number() OVER (ORDER BY unique_id) - 1 AS i, * FROM {table}")
        pairs = f"""SELECT {', '.join(f'a.{c} AS {c}_l, b.{c} AS {c}_r' for c in columns)}
            FROM (SELECT hash(k * 2) % {n} AS x, hash(k * 2 + 1) % {n} AS y FROM range({m}) t(k)) p
            JOIN kirok_numbered a ON a.i = p.x JOIN kirok_numbered b ON b.i = p.y WHERE p.x <> p.y"""
    fields = [c.field for c in settings.comparisons]
    gammas = ", ".join(f"{_gamma(c)} AS {c.field}" for c in settings.comparisons)
    counts = con.execute(f"SELECT {', '.join(fields)}, count(*) FROM (SELECT {gammas} FROM ({pairs})) GROUP BY ALL").fetchall()
    found: dict[tuple[str, str], float] = {}
    for i, comparison in enumerate(settings.comparisons):
        other, levels = APART.get(comparison.field, APART_DEFAULT)
        apart = fields.index(other) if other in fields else i
        chosen = [row for row in counts if row[apart] in levels and row[i] != "null"]
        if apart == i or not chosen:  # nothing to condition on: every pair with the field known
            chosen = [row for row in counts if row[i] != "null"]
        seen = sum(row[-1] for row in chosen)
        for level in comparison.levels:
            hits = sum(row[-1] for row in chosen if row[i] == level.test)
            found[(comparison.field, level.test)] = max(hits, 0.5) / max(seen, 1)
        if m < total and comparison.name_field and seen:
            found |= _u_rare_counted(con, table, settings, comparison, levels, seen / sum(row[-1] for row in counts) * total)
    return found


RARE_LEVELS = ("exact_rare", "exact_few", "keys_rare", "keys_few", "typo_rare", "typo_few")
COUNTED_LEVELS = (*RARE_LEVELS, "typo_rare_misspelt", "typo_misspelt")  # u counted over every pair, not sampled


def _u_rare_counted(con, table: str, settings: Settings, comparison, apart_levels: tuple[str, ...], apart_pairs: float) -> dict[tuple[str, str], float]:
    """u of the rare name levels counted over every pair rather than sampled: so rare an agreement
    between two persons that two million random pairs hold a handful of them, or none (measured:
    u of "same rare name" fell to the sampling floor at 20,000 persons, and pairs with a rare
    typo key and nothing else scored too high). Every pair at a rare or few level shares a hash
    of a rare or few name, which two dozen records carry at most (``features.FEW`` times
    ``RARE_MOST``), so the pairs are few and found by a join. The
    misspelt one-letter levels likewise: every such pair shares a typo key with a misspelt
    record (``reading.py``), a few percent of the records."""
    wanted = [level.test for level in comparison.levels if level.test in COUNTED_LEVELS]
    if not wanted:
        return {}
    origin = next((c for c in settings.comparisons if c.field == "origin"), None)
    if origin is None or APART.get(comparison.field, APART_DEFAULT)[0] != "origin":
        return {}
    rare = "list_concat(list_filter(list_concat(name_exact, name_keys), lambda h: NOT list_contains(name_many, h)), typo_few)"
    rows = con.execute(f"""
        WITH k AS (SELECT unique_id, unnest({rare}) AS h FROM {table}),
             t AS (SELECT unique_id, misspelt, unnest(name_typo) AS h FROM {table}),
             p AS (SELECT a.unique_id AS l, b.unique_id AS r FROM k a JOIN k b ON a.h = b.h AND a.unique_id < b.unique_id
                   UNION
                   SELECT least(a.unique_id, b.unique_id), greatest(a.unique_id, b.unique_id) FROM t a JOIN t b
                   ON a.h = b.h AND a.unique_id <> b.unique_id WHERE a.misspelt)
        SELECT g, o, count(*) FROM (
            SELECT {_gamma(comparison)} AS g, {_gamma(origin)} AS o FROM p
            JOIN (SELECT {', '.join(f'{c} AS {c}_l' for c in _COLUMNS)} FROM {table}) x ON x.unique_id_l = p.l
            JOIN (SELECT {', '.join(f'{c} AS {c}_r' for c in _COLUMNS)} FROM {table}) y ON y.unique_id_r = p.r
        ) GROUP BY ALL
    """).fetchall()
    return {(comparison.field, test): max(sum(n for g, o, n in rows if g == test and o in apart_levels), 0.5) / apart_pairs
            for test in wanted}


def _levels(linker) -> dict[str, list[dict]]:
    found = {}
    for comparison in linker._settings_obj.comparisons:
        found[comparison.output_column_name] = [
            {"test": level.label_for_charts, "m": level.m_probability, "u": level.u_probability}
            for level in comparison.comparison_levels if not level.is_null_level
        ]
    return found


def evidence_beside_name(candidate: Scored, settings: Settings | None = None) -> bool:
    """Whether a field other than a name speaks for the match: a positive weight on birth year,
    origin, places or units (settings: ``evidence_fields``)."""
    settings = settings or current()
    return any(candidate.fields.get(f, {}).get("weight", 0) > 0 for f in settings.evidence_fields)


def auto_merge(candidate: Scored, settings: Settings | None = None) -> bool:
    """Whether a run may merge this pair without a reviewer: above ``auto_accept``, and never on
    names alone."""
    settings = settings or current()
    return (settings.auto_accept is not None and candidate.probability >= settings.auto_accept
            and evidence_beside_name(candidate, settings))
