"""The Korean data files (``kirok/data/korean``) and the reference data they are checked against.

Read once per process: folding and romanization run on every indexed value, so the tables they
need are built on first use and kept.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent.parent / "data"
KOREAN = DATA / "korean"


def read_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


@cache
def orthography() -> dict:
    return read_yaml(KOREAN / "orthography.yaml")


@cache
def surnames() -> dict:
    return read_yaml(KOREAN / "surnames.yaml")


@cache
def divisions() -> tuple[dict, ...]:
    with open(DATA / "gazetteer" / "divisions.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


@cache
def facilities() -> tuple[dict, ...]:
    return tuple(read_yaml(DATA / "gazetteer" / "facilities.yaml")["facilities"])


@cache
def institutions() -> tuple[dict, ...]:
    return tuple(read_yaml(DATA / "institutions.yaml")["institutions"])


@cache
def facility_types() -> tuple[dict, ...]:
    return tuple(read_yaml(DATA / "vocabularies" / "facility_types.yaml")["terms"])
