"""Exports: the answer-key CSV and the list-overlap table for multiple systems estimation."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kirok.linkage import exports, services
from kirok.linkage.models import Merge
from kirok.protection.models import Disclosure
from kirok.protection.principal import AccessDenied


def read(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def merged(collection):
    """P-1 ~ P-7 ~ P-3 judged one person; 리명수 ~ Lee Myung-soo too."""
    reviewer = collection.users["reviewer"]
    p = collection.person
    services.judge(p("nkdb:P-1"), p("tjwg:P-7"), "same", reason="same detention", user=reviewer)
    services.judge(p("tjwg:P-7"), p("kinu:P-3"), "same", reason="same camp", user=reviewer)
    services.judge(p("nkdb:P-4"), p("kinu:P-5"), "same", reason="same disappearance", user=reviewer)
    return collection


def test_export_clusters_has_every_person_record_once(merged, tmp_path):
    done = exports.export_clusters(tmp_path / "clusters.csv", user=merged.users["analyst"])
    rows = read(tmp_path / "clusters.csv")
    assert list(rows[0]) == ["external_id", "cluster_id"]
    from kirok.records.models import Person

    assert len(rows) == done.rows == Person.objects.count() == len({r["external_id"] for r in rows})
    by = {r["external_id"]: r["cluster_id"] for r in rows}
    un = str(merged.person("nkdb:P-1").uid)
    assert by["nkdb:P-1"] == by["tjwg:P-7"] == by["kinu:P-3"] == un
    assert by["ohchr:P-9"] != un and by["nkdb:P-2"] != un
    assert done.sha256 == hashlib.sha256((tmp_path / "clusters.csv").read_bytes()).hexdigest()
    assert Disclosure.objects.get(digest__isnull=False, scope="internal").files == {"clusters.csv": done.sha256}


def test_export_mse_counts_each_victim_once_with_list_columns_and_strata(merged, tmp_path):
    done = exports.export_mse(tmp_path / "mse.csv", user=merged.users["analyst"])
    rows = read(tmp_path / "mse.csv")
    assert list(rows[0]) == ["victim", "violation_type", "province", "period", "in_hanvit", "in_kinu", "in_nkdb", "in_ohchr", "in_tjwg", "records", "linkage", "merges"]
    un = str(merged.person("nkdb:P-1").uid)
    mine = {(r["violation_type"], r["period"]): r for r in rows if r["victim"] == un}
    detention = mine[("arbitrary_detention", "2000-2004")]
    assert (detention["in_nkdb"], detention["in_tjwg"], detention["in_kinu"], detention["in_ohchr"]) == ("1", "1", "0", "0")
    assert detention["records"] == "2" and detention["linkage"] == "judged 2, auto 0"
    assert set(detention["merges"].split(";")) == {str(m.uid) for m in Merge.objects.filter(left__external_id__in=["nkdb:P-1", "tjwg:P-7"])} | {
        str(m.uid) for m in Merge.objects.filter(right__external_id="kinu:P-3")}
    torture = mine[("torture", "2000-2004")]
    assert (torture["in_kinu"], torture["in_nkdb"]) == ("1", "0")
    assert {r["victim"] for r in rows} == {un, str(merged.person("nkdb:P-4").uid)}
    assert done.victims == 2 and done.records == 5 and done.rows == len(rows) == 3
    assert all(r["province"] == "unknown" for r in rows)


def test_export_mse_under_a_pseudonymising_scope_names_no_one(merged, tmp_path):
    from kirok.protection.pseudonyms import pseudonym

    # the fixture's records have no source, so consent does not hold them back; persons become pseudonyms
    exports.export_mse(tmp_path / "un.csv", user=merged.users["analyst"], scope="un", purpose="OHCHR request (fictional)")
    victims = {r["victim"] for r in read(tmp_path / "un.csv")}
    assert victims == {pseudonym(str(merged.person("nkdb:P-1").uid)), pseudonym(str(merged.person("nkdb:P-4").uid))}
    with pytest.raises(services.LinkageError):
        exports.export_clusters(tmp_path / "c.csv", user=merged.users["analyst"], scope="un")


def test_exports_need_the_export_capability(merged, tmp_path):
    with pytest.raises(AccessDenied):
        exports.export_mse(tmp_path / "x.csv", user=merged.users["reviewer"])


def test_the_link_command(merged, tmp_path):
    out = io.StringIO()
    call_command("link", "run", "--user", "analyst-user", "--no-progress", stdout=out)
    assert "records compared" in out.getvalue()
    out = io.StringIO()
    call_command("link", "export-mse", str(tmp_path / "m.csv"), "--user", "analyst-user", stdout=out)
    assert "2 victim(s), counted once per cluster" in out.getvalue()
    call_command("link", "export-clusters", str(tmp_path / "c.csv"), "--user", "analyst-user", stdout=io.StringIO())
    assert (tmp_path / "c.csv").read_text().startswith("external_id,cluster_id\n")
    with pytest.raises(CommandError, match="may not"):
        call_command("link", "run", "--user", "reviewer-user", "--no-progress")
    merge = Merge.objects.filter(judgement__reason="same camp").get()
    call_command("link", "undo", str(merge.uid), "--reason", "wrong camp", "--user", "reviewer-user", stdout=io.StringIO())
    merge.refresh_from_db()
    assert merge.undone_at is not None
    out = io.StringIO()
    call_command("link", "cluster", "nkdb:P-1", stdout=out)
    assert '"members"' in out.getvalue() and "김정은" in out.getvalue()  # the console operator sees names


def test_terminal_review_judges_with_the_reviewers_answers(collection):
    from rich.console import Console

    from kirok.linkage.terminal import review

    services.run(user=collection.users["analyst"])
    answers = iter(["s", "same birth year and camp", "d", "another county", "q"])
    console = Console(file=io.StringIO(), width=160)
    assert review(user=collection.users["reviewer"], ask=lambda prompt: next(answers), console=console) == 2
    text = console.file.getvalue()
    assert "Why it scored so" in text and "●●●" in text  # a reviewer sees the reasons, names masked
    assert "김정은" not in text
