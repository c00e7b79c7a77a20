"""The `kirok` command as a newcomer meets it: init twice, import, export, errors that say where."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.cli import KIROK, kirok

pytestmark = pytest.mark.sqlite_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    home = tmp_path_factory.mktemp("workspace")
    kirok("init", home=home)
    return home


def test_init_creates_the_workspace_and_running_it_again_is_harmless(workspace):
    assert (workspace / "kirok.sqlite3").exists() and (workspace / "blobs").is_dir()
    assert oct((workspace / "keys").stat().st_mode & 0o777) == "0o700"
    listing = kirok("vocab", "list", home=workspace).stdout
    assert "act_types" in listing and "consent_scopes" in listing


def test_second_init_changes_no_reference_record(workspace):
    out = kirok("init", home=workspace).stdout
    assert "0 reference records created" in out and "0 updated" in out


def test_import_reports_file_row_field_and_exits_non_zero(workspace, tmp_path):
    bad = tmp_path / "persons.csv"
    bad.write_text("names,sex\n김철,male\n박철,nobody\n", encoding="utf-8")
    result = kirok("import", "--no-progress", str(bad), home=workspace, check=False)
    assert result.returncode != 0
    assert f"{bad}:3:sex: 'nobody' is not a term of sex" in result.stderr
    assert "nothing was imported" in result.stderr


def test_import_then_export(workspace, tmp_path):
    good = tmp_path / "persons.csv"
    good.write_text("external_id,names,sex\ncli:1,김철|Kim Chol,male\n", encoding="utf-8")
    out = kirok("import", "--no-progress", str(good), home=workspace).stdout
    assert "person: 1 created" in out
    kirok("export", "--no-progress", "--format", "jsonl", "--output", str(tmp_path / "out"), home=workspace)
    assert "김철" in (tmp_path / "out" / "person.jsonl").read_text(encoding="utf-8")


def test_history_lists_versions_with_what_changed(workspace, tmp_path):
    path = tmp_path / "persons.csv"
    path.write_text("external_id,names,occupation\ncli:h,한영수,miner\n", encoding="utf-8")
    kirok("import", "--no-progress", "--reason", "first interview", str(path), home=workspace)
    path.write_text("external_id,names,occupation\ncli:h,한영수,farmer\n", encoding="utf-8")
    kirok("import", "--no-progress", "--reason", "second interview", str(path), home=workspace)
    out = kirok("history", "cli:h", home=workspace).stdout
    assert "create" in out and "first interview" in out and "second interview" in out
    assert "occupation: miner → farmer" in out


def test_vocab_show_lists_codes_with_both_labels(workspace):
    out = kirok("vocab", "show", "testimony_basis", home=workspace).stdout
    assert "direct_experience" in out and "직접" in out


def test_serve_answers_on_the_loopback_address(workspace):
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "KIROK_DATABASE_URL"} | {"KIROK_HOME": str(workspace)}
    server = subprocess.Popen([*KIROK, "serve", f"127.0.0.1:{port}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        assert "Kirok" in body and "기록" in body
    finally:
        server.terminate()
        server.wait(timeout=30)
