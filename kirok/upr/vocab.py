"""The UPR's data files (``kirok/data/upr``): read once, labelled in the active language."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import get_language

DATA = Path(__file__).resolve().parent.parent / "data" / "upr"


@cache
def read(name: str) -> dict:
    with open(DATA / f"{name}.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def label(entry: dict) -> str:
    return entry["label"]["ko" if (get_language() or "").startswith("ko") else "en"]


def choices(key: str, name: str = "recommendations") -> list[tuple[str, str]]:
    """(code, label) of a list in a data file, for forms and pages."""
    return [(str(e["code"]), label(e)) for e in read(name)[key]]


def codes(key: str, name: str = "recommendations") -> list[str]:
    return [str(e["code"]) for e in read(name)[key]]


def label_of(key: str, code, name: str = "recommendations") -> str:
    return dict(choices(key, name)).get(str(code), str(code or ""))


def position_of(text: str) -> str | None:
    """The position code a matrix or a file writes as free text ("Supported", "Noted"), or None."""
    wanted = re.sub(r"\s+", " ", (text or "").strip().lower())
    for entry in read("recommendations")["positions"]:
        if wanted == entry["code"] or wanted in [m.lower() for m in entry["match"]]:
            return entry["code"]
    return None
