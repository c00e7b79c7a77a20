"""`kirok evidence …` and `kirok vault verify` as a documenter and a steward use them.

Most tests call the commands in-process (fast, on both databases); the last ones run the real
`kirok` executable to check exit codes, including a killed intake.
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kirok.evidence.models import CustodyEvent, Item
from kirok.evidence.storage import get_storage
from kirok.records import history
from kirok.records.models import Source

from tests.cli import KIROK, copy_workspace, kirok

from .conftest import synthetic_jpeg


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.django_db
class TestInProcess:
    def test_add_prints_each_sha256_like_sha256sum(self, vocabularies, tmp_path, capsys):
        with history.changeset(actor="test", reason="set-up"):
            source = Source.objects.create(title="Interview A-12 (fictional)", external_id="test:a12")
        a, b = tmp_path / "a.txt", tmp_path / "b.jpg"
        a.write_text("statement (synthetic)")
        synthetic_jpeg(b)
        out, _ = run("evidence", "add", str(a), str(b), "--source", "test:a12", "--collector", "K", "--method", "file_copy",
                     "--collected-at", "2024-05-01T14:30:00+09:00", "--clock-source", "stated", "--reason", "intake", "--no-progress")
        assert out.splitlines() == [f"{sha256(a)}  {a}", f"{sha256(b)}  {b}"]
        item = Item.objects.get(sha256=sha256(b))
        assert item.source == source and item.collector == "K" and item.collected_at.isoformat() == "2024-05-01T05:30:00+00:00"

    def test_adding_twice_says_so_and_keeps_one_item(self, vocabularies, tmp_path, capsys):
        a = tmp_path / "a.txt"
        a.write_text("x")
        run("evidence", "add", str(a), "--no-progress")
        out, _ = run("evidence", "add", str(a), "--no-progress")
        assert out.strip() == f"{sha256(a)}  {a}" and "already in the vault" in capsys.readouterr().err
        assert Item.objects.count() == 1 and CustodyEvent.objects.count() == 2

    def test_add_goes_on_past_a_bad_file_and_fails_at_the_end(self, vocabularies, tmp_path, capsys):
        good = tmp_path / "good.txt"
        good.write_text("fine")
        with pytest.raises(CommandError, match="1 of 2 file"):
            run("evidence", "add", str(tmp_path / "missing.txt"), str(good), "--no-progress")
        assert f"{tmp_path / 'missing.txt'}: not taken in" in capsys.readouterr().err
        assert Item.objects.filter(sha256=sha256(good)).exists()

    def test_add_refuses_unknown_codes_and_sources(self, vocabularies, tmp_path, capsys):
        a = tmp_path / "a.txt"
        a.write_text("x")
        with pytest.raises(CommandError, match="1 of 1"):
            run("evidence", "add", str(a), "--method", "guesswork", "--no-progress")
        assert "'guesswork' is not a term of capture_methods" in capsys.readouterr().err
        with pytest.raises(CommandError, match="no source with id or external id 'nope'"):
            run("evidence", "add", str(a), "--source", "nope")
        with pytest.raises(CommandError, match="not an ISO 8601 time"):
            run("evidence", "add", str(a), "--collected-at", "last Tuesday")
        assert Item.objects.count() == 0

    def test_web_capture_with_its_html_source_and_full_page_capture(self, vocabularies, tmp_path):
        html, shot, video = tmp_path / "page.html", tmp_path / "page.jpg", tmp_path / "video.mp4"
        html.write_text("<html>synthetic</html>")
        synthetic_jpeg(shot, gps=False)
        video.write_bytes(b"\x00\x00\x00\x18ftypmp42 synthetic")
        out, _ = run("evidence", "add", str(video), "--origin", "https://example.org/v/1", "--method", "download",
                     "--html-source", str(html), "--page-capture", str(shot), "--no-progress")
        assert [line.split()[0] for line in out.splitlines()] == [sha256(html), sha256(shot), sha256(video)]
        item = Item.objects.get(sha256=sha256(video))
        assert (item.origin_kind, item.html_source.sha256, item.page_capture.sha256) == ("web", sha256(html), sha256(shot))
        assert (item.html_source.method, item.page_capture.method) == ("download", "download")  # the method given wins
        shown, _ = run("evidence", "show", sha256(video)[:10])
        assert f"html_source: {sha256(html)}" in shown and "Berkeley" not in shown

    def test_derive_show_custody_get(self, vocabularies, tmp_path):
        original, redacted = tmp_path / "photo.jpg", tmp_path / "redacted.jpg"
        synthetic_jpeg(original)
        synthetic_jpeg(redacted, gps=False, make="", model="")
        run("evidence", "add", str(original), "--no-progress")
        out, _ = run("evidence", "derive", sha256(original)[:12], str(redacted), "--operation", "redaction",
                     "--notes", "faces blurred", "--reason", "public report", "--no-progress")
        assert out.strip() == f"{sha256(redacted)}  {redacted}"
        shown, _ = run("evidence", "show", sha256(original))
        assert "(original)" in shown and f"derivative: redaction {sha256(redacted)}" in shown
        [summary] = [line for line in shown.splitlines() if "embedded metadata" in line]
        assert summary.endswith("JPEG 64×48; EXIF IFD0: 2 tags; EXIF Exif: 1 tags; EXIF GPS: 2 tags")  # no position shown
        assert "GPSLatitude" not in shown
        full, _ = run("evidence", "show", sha256(original), "--metadata")
        assert '"GPSLatitude"' in full
        logged, _ = run("evidence", "custody", sha256(original), "--record", "transferred", "--reason", "to prosecutor",
                        "--detail", "to=Office of the Prosecutor (fictional)", "--detail", "receipt=R-1")
        assert "transferred" in logged and "to prosecutor" in logged and '"receipt":"R-1"' in logged
        copy = tmp_path / "out" / "copy.jpg"
        copy.parent.mkdir()
        out, _ = run("evidence", "get", sha256(original), "--output", str(copy), "--reason", "expert review")
        assert copy.read_bytes() == original.read_bytes() and out.strip() == f"{sha256(original)}  {copy}"
        last = Item.objects.get(sha256=sha256(original)).custody.last()
        assert (last.action, last.details["to"]) == ("copied", str(copy.absolute()))
        with pytest.raises(CommandError, match="does not overwrite"):
            run("evidence", "get", sha256(original), "--output", str(copy), "--reason", "again")

    def test_get_refuses_to_hand_on_altered_bytes(self, vocabularies, tmp_path):
        a = tmp_path / "a.txt"
        a.write_text("original text")
        run("evidence", "add", str(a), "--no-progress")
        path = get_storage().path(sha256(a))
        os.chmod(path, 0o644)
        path.write_text("altered text!")
        with pytest.raises(CommandError, match="no longer match its SHA-256"):
            run("evidence", "get", sha256(a), "--output", str(tmp_path / "copy.txt"), "--reason", "review")
        assert not (tmp_path / "copy.txt").exists() and not (tmp_path / "copy.txt.part").exists()

    def test_custody_record_needs_a_known_action_and_a_reason(self, vocabularies, tmp_path):
        a = tmp_path / "a.txt"
        a.write_text("x")
        run("evidence", "add", str(a), "--no-progress")
        with pytest.raises(CommandError, match="say why"):
            run("evidence", "custody", sha256(a), "--record", "transferred")
        with pytest.raises(CommandError, match="'mislaid' is not a term of custody_actions"):
            run("evidence", "custody", sha256(a), "--record", "mislaid", "--reason", "?")
        with pytest.raises(CommandError, match="KEY=VALUE"):
            run("evidence", "custody", sha256(a), "--record", "transferred", "--reason", "r", "--detail", "oops")

    def test_vault_verify_passes_then_names_the_altered_item(self, vocabularies, tmp_path, capsys):
        a, b = tmp_path / "a.txt", tmp_path / "b.txt"
        a.write_text("first")
        b.write_text("second")
        run("evidence", "add", str(a), str(b), "--no-progress")
        out, _ = run("vault", "verify", "--no-progress")
        assert "2 blob(s) of 2 item(s), 11 bytes" in out and "all intact" in out
        path = get_storage().path(sha256(b))
        os.chmod(path, 0o644)
        path.write_text("secomd")
        with pytest.raises(CommandError, match="1 problem"):
            run("vault", "verify", "--no-progress")
        err = capsys.readouterr().err
        item = Item.objects.get(sha256=sha256(b))
        assert f"ALTERED: item {item.uid} «b.txt» (SHA-256 {item.sha256}): {path} has the right size" in err


# --- the real executable ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def home(workspace_template, tmp_path_factory):
    return copy_workspace(workspace_template, tmp_path_factory.mktemp("workspace"))


@pytest.mark.sqlite_workspace
def test_exit_codes(home, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("exit codes")
    assert kirok("evidence", "add", str(a), home=home).stdout.strip() == f"{sha256(a)}  {a}"
    assert kirok("vault", "verify", "--no-progress", home=home).returncode == 0
    missing = kirok("evidence", "add", str(tmp_path / "missing.txt"), home=home, check=False)
    assert missing.returncode == 1 and "missing.txt: not taken in" in missing.stderr
    assert kirok("evidence", "show", "0" * 64, home=home, check=False).returncode == 1
    blob = home / "blobs" / sha256(a)[:2] / sha256(a)
    os.chmod(blob, 0o644)
    blob.write_text("exit cudes")
    failed = kirok("vault", "verify", "--no-progress", home=home, check=False)
    assert failed.returncode == 1 and "ALTERED: item" in failed.stderr and "«a.txt»" in failed.stderr
    blob.write_text("exit codes")


@pytest.mark.sqlite_workspace
def test_a_killed_intake_leaves_no_blob_and_no_row(home, tmp_path):
    """`kirok evidence add` reading from a pipe is killed mid-write: nothing is registered or named."""
    fifo = tmp_path / "incoming.fifo"
    os.mkfifo(fifo)
    env = {k: v for k, v in os.environ.items() if k != "KIROK_DATABASE_URL"} | {"KIROK_HOME": str(home)}
    child = subprocess.Popen([*KIROK, "evidence", "add", "--no-progress", str(fifo)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    blobs = home / "blobs"
    with open(fifo, "wb") as pipe:
        pipe.write(os.urandom(24 << 20))
        pipe.flush()
        deadline = time.monotonic() + 60
        while not any(p.stat().st_size >= 16 << 20 for p in blobs.glob(".incoming.*.part")):
            assert time.monotonic() < deadline and child.poll() is None, child.stderr.read() if child.poll() is not None else "slow"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    with sqlite3.connect(home / "kirok.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM evidence_item WHERE original_name = 'incoming.fifo'").fetchone() == (0,)
    registered = {p.name for p in blobs.glob("??/*")}
    with sqlite3.connect(home / "kirok.sqlite3") as db:
        assert registered == {row[0] for row in db.execute("SELECT sha256 FROM evidence_item")}
    out = kirok("vault", "verify", "--no-progress", home=home).stdout
    assert "partial write from an interrupted intake" in out
