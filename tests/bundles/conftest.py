"""The protection tests' fictional world (two compartments, canaries in protected fields, a user
of every role in ``north``), with evidence in the vault: each testimony has an original file and
a transcript derived from it, and one photograph belongs to no source.

Evidence files hold no canary: a canary found in a bundle is a protected value that leaked.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.protection.conftest import ROLES, World, world  # noqa: F401  (the fixture is used by name)

VERIFIER = Path(__file__).resolve().parents[2] / "kirok" / "ledger" / "verifier.py"


@pytest.fixture(autouse=True)
def workspace(monkeypatch, isolated_workspace):
    """Each test its own workspace (keys, vault, ledger key), the vault in its blob folder."""
    monkeypatch.delenv("KIROK_VAULT_URL", raising=False)
    return isolated_workspace


@dataclass
class Evidence:
    world: World
    items: dict[str, object]  # "north", "north-transcript", "south", "photo"


@pytest.fixture
def evidence(world, tmp_path) -> Evidence:  # noqa: F811
    from kirok.evidence import services
    from kirok.evidence.services import Capture
    from kirok.records.models import Source

    files = tmp_path / "incoming"
    files.mkdir()
    items = {}
    for side in (world.north, world.south):
        source = Source.objects.get(external_id=side.ext("source"))
        path = files / f"interview-{side.key}.wav"
        path.write_bytes(os.urandom(3000) + f"fictional recording {side.key}".encode())
        capture = Capture(collector="documenter A (fictional)", method="recording", origin_kind="interview",
                          origin=f"interview room 2, fictional {side.key}")
        items[side.key] = services.add_file(path, source=source, capture=capture, actor="test", reason="intake").item
    transcript = files / "transcript north.txt"
    transcript.write_text("fictional transcript, names removed\n", encoding="utf-8")
    items["north-transcript"] = services.add_derivative(items["north"], transcript, operation="transcript", actor="test",
                                                        reason="transcribed").item
    photo = files / "satellite%1.png"
    photo.write_bytes(b"\x89PNG fictional satellite image " + os.urandom(500))
    items["photo"] = services.add_file(photo, actor="test", reason="open source").item
    return Evidence(world, items)


def bag_bytes(folder: Path) -> bytes:
    """Every byte of every file in a bag, to look for what must not be there."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def standalone_verifier(tmp_path: Path) -> Path:
    """A copy of verifier.py in a folder of its own, beside links to the only packages it needs
    (``cryptography`` and its ``_cffi_backend``): run it with ``-E -s -S`` and Kirok, the
    virtual environment and everything else in site-packages are out of reach."""
    folder = tmp_path / "recipient"
    folder.mkdir(exist_ok=True)
    target = folder / "verifier.py"
    target.write_bytes(VERIFIER.read_bytes())
    for module in ("cryptography", "_cffi_backend"):
        origin = Path(importlib.util.find_spec(module).origin)
        linked = origin.parent if origin.name == "__init__.py" else origin
        link = folder / linked.name
        if not link.exists():
            link.symlink_to(linked)
    return target


def run_standalone(verifier: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-E", "-s", "-S", str(verifier), *args], cwd=verifier.parent,
                          capture_output=True, text=True, timeout=300)


__all__ = ["ROLES", "Evidence", "bag_bytes", "standalone_verifier", "run_standalone"]
