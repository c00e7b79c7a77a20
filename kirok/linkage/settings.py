"""The linkage settings file (kirok/data/linkage/settings.yaml), read and checked once.

Errors name the file and the key to fix: a typo in a level's test must not silently drop a
comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import get_language

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "data" / "linkage" / "settings.yaml"


class SettingsError(ValueError):
    """settings.yaml is malformed; the message names the key."""


@dataclass(frozen=True)
class Level:
    test: str
    label_text: dict[str, str]
    m: float

    @property
    def label(self) -> str:
        language = (get_language() or "en").split("-")[0]
        return self.label_text.get(language) or self.label_text["en"]


@dataclass(frozen=True)
class Comparison:
    field: str
    levels: tuple[Level, ...]
    name_field: bool = False


@dataclass(frozen=True)
class Settings:
    comparisons: tuple[Comparison, ...]
    prior: float
    deterministic_recall: float
    em_min_records: int | None
    labels_min: int
    review_threshold: float
    auto_accept: float | None
    conflict_below: float
    cluster_mean: float
    evidence_fields: frozenset[str]
    max_block: int
    block_pairs_per_record: float
    duckdb_memory_limit: str
    feature_workers: int
    mse: dict

    def comparison(self, field: str) -> Comparison:
        for c in self.comparisons:
            if c.field == field:
                return c
        raise KeyError(field)


def load(path: Path = SETTINGS_FILE) -> Settings:
    from kirok.linkage.scoring import TESTS  # the tests a level may name

    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    comparisons = []
    for n, item in enumerate(doc.get("comparisons") or (), start=1):
        levels = []
        for m, level in enumerate(item.get("levels") or (), start=1):
            where = f"{path}: comparisons[{n}] ({item.get('field')}) levels[{m}]"
            if level.get("test") not in TESTS:
                raise SettingsError(f"{where}: unknown test {level.get('test')!r}; use one of {', '.join(sorted(TESTS))}")
            if not 0 < float(level.get("m", 0)) < 1 or "en" not in (level.get("label") or {}):
                raise SettingsError(f"{where}: needs m between 0 and 1 (exclusive) and a label with en and ko")
            levels.append(Level(level["test"], dict(level["label"]), float(level["m"])))
        if not levels or levels[-1].test != "else":
            raise SettingsError(f"{path}: comparisons[{n}] must end with an `else` level")
        comparisons.append(Comparison(item["field"], tuple(levels), bool(item.get("name_field"))))
    fields = {c.field for c in comparisons}
    evidence = frozenset(doc.get("evidence_fields") or ())
    if evidence - fields or not evidence:
        raise SettingsError(f"{path}: evidence_fields must name compared fields other than names ({', '.join(sorted(fields))})")
    if any(c.name_field and c.field in evidence for c in comparisons):
        raise SettingsError(f"{path}: a name field cannot be evidence beside the name")
    auto = doc.get("auto_accept")
    return Settings(
        comparisons=tuple(comparisons), prior=float(doc["probability_two_random_records_match"]),
        deterministic_recall=float(doc["deterministic_recall"]), em_min_records=None if doc.get("em_min_records") is None else int(doc["em_min_records"]),
        labels_min=int(doc["labels_min"]), review_threshold=float(doc["review_threshold"]),
        auto_accept=None if auto is None else float(auto), conflict_below=float(doc["conflict_below"]),
        cluster_mean=float(doc.get("cluster_mean") or 0.0), evidence_fields=evidence,
        max_block=int(doc["max_block"]), block_pairs_per_record=float(doc["block_pairs_per_record"]),
        duckdb_memory_limit=str(doc["duckdb_memory_limit"]), feature_workers=int(doc.get("feature_workers") or 1), mse=dict(doc.get("mse") or {}),
    )


@cache
def current() -> Settings:
    return load()
