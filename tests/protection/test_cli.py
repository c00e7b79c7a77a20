"""The protection commands as an operator meets them, in a real workspace on disk — where the
raw database file can be read the way a thief with a copy of it would."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from kirok.protection.sealing import envelopes
from tests.cli import copy_workspace, kirok

pytestmark = pytest.mark.sqlite_workspace

CANARIES = ("카나리공증인", "CANARY-CLI-TRANSCRIPT", "1909-09-09", "CANARY-CLI-EXCERPT")


def raw(home: Path) -> bytes:
    db = home / "kirok.sqlite3"
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists())


@pytest.fixture(scope="module")
def home(workspace_template, tmp_path_factory):
    home = copy_workspace(workspace_template, tmp_path_factory.mktemp("protected-workspace"))
    data = tmp_path_factory.mktemp("files")
    (data / "sources.jsonl").write_text(json.dumps({
        "external_id": "cli:s1", "title": "interview 1", "kind": "testimony", "witness": "cli:w",
        "transcript": "CANARY-CLI-TRANSCRIPT 증언", "consents": [{"scopes": ["internal"]}],
    }, ensure_ascii=False) + "\n" + json.dumps({"external_id": "cli:s2", "title": "interview 2", "transcript": "other words",
                                                "consents": [{"scopes": ["internal", "un"]}]}) + "\n", encoding="utf-8")
    (data / "persons.jsonl").write_text(
        json.dumps({"external_id": "cli:w", "source": "cli:s1", "names": ["카나리공증인"], "birth_date": "1909-09-09"}, ensure_ascii=False) + "\n"
        + json.dumps({"external_id": "cli:v", "names": ["박피해"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    (data / "events.jsonl").write_text(json.dumps({"external_id": "cli:e", "title": "detention"}) + "\n", encoding="utf-8")
    (data / "information.jsonl").write_text(
        json.dumps({"external_id": "cli:i", "source": "cli:s1", "event": "cli:e", "excerpt": "CANARY-CLI-EXCERPT"}) + "\n", encoding="utf-8")
    kirok("compartment", "create", "case-1", "--name", "Case 1", home=home)
    kirok("import", "--no-progress", "--compartment", "case-1", *map(str, sorted(data.glob("*.jsonl"))), home=home)
    kirok("user", "add", "steward", "--role", "data_steward", home=home)
    kirok("user", "add", "ana", "--role", "analyst", home=home)
    kirok("user", "add", "rita", "--role", "reviewer", home=home)
    kirok("compartment", "add-member", "case-1", "steward", home=home)
    return home


def test_no_canary_is_in_the_database_file(home):
    data = raw(home)
    for canary in CANARIES:
        assert canary.encode() not in data


def test_export_as_users_and_scopes(home, tmp_path):
    kirok("export", "--no-progress", "--user", "steward", "--output", str(tmp_path / "steward"), home=home)
    assert "카나리공증인" in (tmp_path / "steward" / "person.jsonl").read_text(encoding="utf-8")
    denied = kirok("export", "--no-progress", "--user", "rita", "--output", str(tmp_path / "rita"), home=home, check=False)
    assert denied.returncode != 0 and "may not export" in denied.stderr and not (tmp_path / "rita").exists()
    kirok("export", "--no-progress", "--user", "ana", "--output", str(tmp_path / "outsider"), home=home)
    assert (tmp_path / "outsider" / "person.jsonl").read_text() == "" and (tmp_path / "outsider" / "source.jsonl").read_text() == ""
    kirok("compartment", "add-member", "case-1", "ana", home=home)
    out = kirok("export", "--no-progress", "--user", "ana", "--scope", "un", "--output", str(tmp_path / "un"), home=home).stdout
    assert "withheld" in out and "disclosure" in out
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "un").iterdir())
    assert "other words" not in text  # transcripts are protected: masked for the UN scope
    assert not any(c in text for c in CANARIES) and '"ct"' not in text


def test_history_shows_plaintext_only_to_a_role_that_may_see_it(home):
    steward = kirok("history", "cli:w", "--full", "--user", "steward", home=home).stdout
    assert "카나리공증인" in steward and '"ct"' not in steward
    missing = kirok("history", "cli:w", "--user", "rita", home=home, check=False)
    assert missing.returncode != 0 and "no record with id or external id 'cli:w'" in missing.stderr


def test_keys_status_and_rotation(home):
    status = kirok("keys", "status", "--no-progress", home=home).stdout
    assert "dk-" in status and "value(s)" in status
    rotated = kirok("keys", "rotate", "--no-progress", home=home).stdout
    assert "New data key" in rotated and "Destroyed data key" in rotated
    assert kirok("history", "cli:w", "--full", home=home).stdout.count("카나리공증인") >= 1


def test_withdrawal_leaves_no_trace_in_the_file(home):
    with sqlite3.connect(home / "kirok.sqlite3") as db:
        rows = db.execute("SELECT record_type, record_uid, data FROM records_version").fetchall()
        witness_id = db.execute("SELECT id FROM records_person WHERE external_id = 'cli:w'").fetchone()[0]
        tokens = [t for (t,) in db.execute("SELECT token FROM protection_blindtoken WHERE record_id = ? AND record_type = 'person'", [witness_id])]
        s1 = db.execute("SELECT uid FROM records_source WHERE external_id = 'cli:s1'").fetchone()[0]
    doomed, kept = [], []
    for record_type, uid, data in rows:
        data = json.loads(data)
        cts = [e["ct"] for _, e in envelopes(data) if "ct" in e]
        mine = data.get("external_id") in ("cli:s1", "cli:w", "cli:i") or data.get("source") in (str(s1),) or uid == s1
        (doomed if mine else kept).extend(cts)
    before = raw(home)
    assert doomed and tokens and all(ct.encode() in before for ct in doomed)
    out = kirok("consent", "withdraw", "cli:s1", "--reason", "witness asked, form 17", home=home)
    assert "destroyed" in out.stdout and "kirok keys rotate" in out.stdout
    after = raw(home)
    assert [ct for ct in doomed if ct.encode() in after] == []
    assert [t for t in tokens if t.encode() in after] == []
    assert all(ct.encode() in after for ct in kept)  # the other testimony and the victim are untouched
    shown = kirok("history", "cli:w", "--full", "--user", "steward", home=home).stdout
    assert "destroyed when consent was withdrawn" in shown
    kirok("consent", "show", "cli:s1", home=home)


def test_a_steward_protects_one_more_field_and_break_glass_from_the_console(home):
    kirok("import", "--no-progress", str(_write(home, "persons.csv", "external_id,names,occupation\ncli:o,오씨,CANARY-OCCUPATION\n")), home=home)
    assert b"CANARY-OCCUPATION" in raw(home)
    out = kirok("protect", "add", "person", "occupation", "--reason", "rare jobs single people out", "--no-progress", home=home).stdout
    assert "1 stored value(s) sealed" in out
    assert "person.occupation: rare jobs single people out" in kirok("protect", "list", home=home).stdout
    kirok("history", "cli:o", home=home)
    assert "no longer sealed" in kirok("protect", "remove", "person", "occupation", home=home).stdout
    again = kirok("protect", "remove", "person", "occupation", home=home, check=False)
    assert again.returncode != 0 and "was not protected by a steward" in again.stderr
    bad = kirok("protect", "add", "person", "sex", "--reason", "x", home=home, check=False)
    assert bad.returncode != 0 and "not a value that can be protected" in bad.stderr
    granted = kirok("break-glass", "cli:o", "--user", "ana", "--reason", "duplicate check for case 2", home=home).stdout
    assert "may open person" in granted
    refused = kirok("break-glass", "cli:o", "--user", "rita", "--reason", "curious", home=home, check=False)
    assert refused.returncode != 0 and "may not break glass" in refused.stderr


def _write(home: Path, name: str, text: str) -> Path:
    path = home.parent / name
    path.write_text(text, encoding="utf-8")
    return path
