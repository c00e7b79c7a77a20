"""`kirok search` as an operator meets it, in a real workspace on disk — where the raw database
file can be read the way someone with a copy of it would: no protected plaintext in the index,
and after a consent withdrawal not even the keyed hashes of what was destroyed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kirok.protection import blind
from kirok.protection.keys import Keyring
from tests.cli import copy_workspace, kirok

pytestmark = pytest.mark.sqlite_workspace

TRANSCRIPT = "zorblaxcli 보위원이 조사했다"


def raw(home: Path) -> bytes:
    db = home / "kirok.sqlite3"
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())


def lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def home(workspace_template, tmp_path_factory):
    home = copy_workspace(workspace_template, tmp_path_factory.mktemp("search-workspace"))
    data = tmp_path_factory.mktemp("files")
    (data / "sources.jsonl").write_text(json.dumps({
        "external_id": "cli:s1", "title": "interview 1", "kind": "testimony", "witness": "cli:w",
        "transcript": TRANSCRIPT, "consents": [{"scopes": ["internal"]}],
    }, ensure_ascii=False) + "\n", encoding="utf-8")
    (data / "persons.jsonl").write_text(json.dumps({"external_id": "cli:w", "source": "cli:s1", "names": ["카나리중인"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    (data / "events.jsonl").write_text(json.dumps({"external_id": "cli:e", "title": "청진 구금", "start_date": "2001"}, ensure_ascii=False) + "\n", encoding="utf-8")
    kirok("compartment", "create", "case-1", "--name", "Case 1", home=home)
    kirok("import", "--no-progress", "--compartment", "case-1", *map(str, sorted(data.glob("*.jsonl"))), home=home)
    kirok("user", "add", "steward", "--role", "data_steward", home=home)
    kirok("user", "add", "ana", "--role", "analyst", home=home)
    kirok("compartment", "add-member", "case-1", "steward", home=home)
    kirok("compartment", "add-member", "case-1", "ana", home=home)
    return home


def test_search_json_lines_as_users_then_purge_leaves_no_hash_behind(home):
    hits = lines(kirok("search", "Chongjin", "type:event", "--json", "--user", "ana", home=home))
    assert [(h["record_type"], h["external_id"]) for h in hits] == [("event", "cli:e")]
    assert set(hits[0]) >= {"record_type", "external_id", "score", "snippet"} and "청진" in hits[0]["snippet"]
    assert lines(kirok("search", "zorblaxcli", "--json", "--user", "ana", home=home)) == []  # protected: not for an analyst
    found = lines(kirok("search", "zorblaxcli", "--json", "--user", "steward", home=home))
    assert [h["external_id"] for h in found] == ["cli:s1"] and "zorblaxcli" in found[0]["snippet"]
    assert kirok("search", "NOT", "x", home=home, check=False).returncode != 0

    secret = Keyring(home / "keys" / "protection").secret("blind-index")
    token = blind.token(secret, "search", "text", "zorblaxcli").encode()
    assert b"zorblaxcli" not in raw(home)  # the plaintext never reaches the index
    assert token in raw(home)  # its keyed hash does, until the purge

    out = kirok("search", "reindex", home=home)
    assert "indexed" in out.stdout and token in raw(home)
    kirok("consent", "withdraw", "cli:s1", "--reason", "withdrawn by phone (fictional)", home=home)
    assert token not in raw(home)
    assert lines(kirok("search", "zorblaxcli", "--json", "--user", "steward", home=home)) == []
    assert [h["external_id"] for h in lines(kirok("search", "청진 type:event", "--json", home=home))] == ["cli:e"]
