"""Uwazi CSV import (being written)."""
from pathlib import Path


def looks_like_uwazi(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


def streams(path: Path):
    raise NotImplementedError
