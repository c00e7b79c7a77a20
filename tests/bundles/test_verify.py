"""A recipient verifies a bundle: with Kirok, with the copied verifier.py alone, with bagit; and
every change to it, by accident or on purpose, is caught and named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import bagit
import orjson
import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kirok.bundles.selection import AllSelection
from kirok.bundles.services import export_bundle, verify_bundle
from kirok.ledger import services as ledger
from kirok.ledger import verifier
from kirok.protection.principal import Principal

from .conftest import run_standalone, standalone_verifier

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(evidence, tmp_path) -> Path:
    export_bundle(tmp_path / "bundle", AllSelection(), scope="internal", purpose="fictional request",
                  principal=Principal.console("test"))
    return tmp_path / "bundle"


def bagit_error(folder: Path) -> str | None:
    """What the Library of Congress validator says is wrong, or None when it finds the bag valid."""
    try:
        bagit.Bag(str(folder)).validate()
    except Exception as exc:  # BagError, BagValidationError, or a decoding error on a mangled tag file
        return f"{type(exc).__name__}: {exc}"
    return None


def named(report: verifier.BagReport, rel: str) -> bool:
    return any(rel == path or rel in what for path, what in report.failures)


def test_the_copied_verifier_alone_accepts_the_bundle(bundle, tmp_path):
    copy = standalone_verifier(tmp_path)
    probe = run_standalone(copy, "bundle", str(bundle))
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.rstrip().endswith("OK") and "keys taken from the bundle itself" in probe.stdout
    key = ledger.status().key.vkey
    trusted = run_standalone(copy, "bundle", str(bundle), "--key", key)
    assert trusted.returncode == 0 and "keys taken from the bundle" not in trusted.stdout
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    stranger = verifier.vkey("kirok-0000000000000000", Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    refused = run_standalone(copy, "bundle", str(bundle), "--key", stranger)
    assert refused.returncode == 1 and "FAILED: data/ledger/checkpoint.txt: " in refused.stderr


def test_the_copy_cannot_reach_kirok(tmp_path):
    """What the subprocess tests rely on: with -E -s -S, only what lies beside the copy imports."""
    copy = standalone_verifier(tmp_path)
    probe = run_standalone(copy, "bundle", str(tmp_path / "nothing"))
    assert probe.returncode == 1 and "is not a folder" in probe.stderr
    import subprocess
    import sys

    blocked = subprocess.run([sys.executable, "-E", "-s", "-S", "-c", "import kirok"], cwd=copy.parent, capture_output=True, text=True)
    assert blocked.returncode == 1 and "No module named 'kirok'" in blocked.stderr


def test_kirok_bundle_verify_command(bundle):
    call_command("bundle", "verify", str(bundle), "--no-progress")
    (bundle / "data" / "ledger" / "keys.json").write_text("{}")
    with pytest.raises(CommandError, match="FAILED: 1|failure"):
        call_command("bundle", "verify", str(bundle), "--no-progress")


def flip(path: Path, at: int, new: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    data[at] = new if new is not None else data[at] ^ 0x01
    path.write_bytes(bytes(data))


def one_file(bundle: Path, pattern: str) -> str:
    """The first file matching ``pattern`` (sorted, so the same one each run)."""
    return sorted(p for p in bundle.glob(pattern) if p.is_file())[0].relative_to(bundle).as_posix()


def change_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


TAMPERING = {
    "a byte of an evidence file": ("data/items/*/interview-north.wav", lambda p: flip(p, 100)),
    "a digit of a manifest": ("manifest-sha256.txt", lambda p: flip(p, 3, ord("0") if p.read_bytes()[3] != ord("0") else ord("1"))),
    "a record version": ("data/records/source/*.json", lambda p: change_text(p, "면담", "면단")),
    "a custody event": ("data/evidence/*.json", lambda p: change_text(p, '"received"', '"receivee"')),
    "a proof": ("data/ledger/entries.json", lambda p: change_text(p, '"path": [\n        "', '"path": [\n        "0')),
    "the checkpoint": ("data/ledger/checkpoint.txt", lambda p: flip(p, len(p.read_bytes()) - 10)),
    "the keys": ("data/ledger/keys.json", lambda p: change_text(p, '"created": "', '"created": "1')),
    "a truncated evidence file": ("data/items/*/satellite_1.png", lambda p: p.write_bytes(p.read_bytes()[:-1])),
    "a truncated tag manifest": ("tagmanifest-sha512.txt", lambda p: p.write_bytes(p.read_bytes()[:-1])),
    "bag-info": ("bag-info.txt", lambda p: change_text(p, "Kirok-Scope: internal", "Kirok-Scope: public")),
}


@pytest.mark.parametrize("what", TAMPERING)
def test_tampering_is_caught_by_both_verifiers_and_named(bundle, tmp_path, what):
    pattern, tamper = TAMPERING[what]
    if pattern.startswith("data/evidence"):
        pattern = next(p for p in bundle.glob(pattern) if '"received"' in p.read_text()).relative_to(bundle).as_posix()
    rel = one_file(bundle, pattern)
    tamper(bundle / rel)
    report = verify_bundle(bundle)
    assert not report.ok and named(report, rel), report.failures
    if not rel.startswith("tagmanifest"):  # nothing in BagIt covers the tag manifests themselves
        assert bagit_error(bundle) is not None
    copy = standalone_verifier(tmp_path)
    outside = run_standalone(copy, "bundle", str(bundle))
    assert outside.returncode == 1 and rel in outside.stderr


def test_a_forger_who_rewrites_the_manifests_passes_bagit_but_not_kirok(bundle):
    """BagIt checksums catch accidents; the ledger's proofs catch a forger who recomputes them."""
    rel = one_file(bundle, "data/records/source/*.json")
    change_text(bundle / rel, "면담", "면단")
    custody = next(p for p in sorted(bundle.glob("data/evidence/*.json")) if '"intake"' in p.read_text())
    change_text(custody, '"intake"', '"intake (altered)"')
    bag = bagit.Bag(str(bundle))
    bag.save(manifests=True)
    assert bagit_error(bundle) is None
    report = verify_bundle(bundle)
    assert named(report, rel) and named(report, custody.relative_to(bundle).as_posix())
    assert all("version" in what or "custody" in what for _path, what in report.failures)


def test_every_failure_is_reported_not_only_the_first(bundle):
    flip(bundle / one_file(bundle, "data/items/*/interview-north.wav"), 5)
    (bundle / "data" / "stray.txt").write_text("added")
    (bundle / one_file(bundle, "data/items/*/transcript north.txt")).unlink()
    report = verify_bundle(bundle)
    paths = {path for path, _ in report.failures}
    assert {"data/stray.txt", one_file(bundle, "data/items/*/interview-north.wav")} <= paths
    assert any("transcript north.txt" in path for path in paths)


def test_random_byte_flips_and_truncations_are_always_caught(bundle, tmp_path):
    files = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    work = tmp_path / "work"

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.sampled_from(files), st.floats(0, 1, exclude_max=True), st.integers(1, 255), st.booleans())
    def property(rel, where, xor, truncate):
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(bundle, work)
        target = work / rel
        data = target.read_bytes()
        at = int(where * len(data))
        target.write_bytes(data[:at] if truncate else data[:at] + bytes([data[at] ^ xor]) + data[at + 1:])
        report = verify_bundle(work)
        assert not report.ok and named(report, rel), (rel, at, truncate, report.failures)
        if not rel.startswith("tagmanifest"):
            assert bagit_error(work) is not None, (rel, at, truncate)

    property()


@given(st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
))
@settings(max_examples=300)
def test_the_verifiers_canonical_json_is_kiroks(value):
    """Digests are taken over orjson's canonical bytes; the stand-alone verifier rebuilds them
    with the standard library only, and must agree on every value."""
    try:
        expected = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return  # text with lone surrogates: not JSON, never in a record
    assert verifier.canonical_json(value) == expected
    assert verifier.canonical_json(json.loads(expected)) == expected
