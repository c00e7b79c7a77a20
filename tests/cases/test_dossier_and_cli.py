"""The sanctions dossier and the `kirok case` command: what leaves is what consent allows."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from kirok.cases import dossier, services
from kirok.protection.models import DisclosedRecord
from kirok.protection.principal import Principal
from kirok.protection.pseudonyms import pseudonym


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_commanders_dossier_has_his_positions_and_the_acts_of_his_unit_during_his_tenure(case99, camp, tmp_path):
    analyst = Principal.of(camp.users["analyst"])
    page = dossier.build("person", "p-cmd", analyst, services.within_reach(analyst), lambda t, d: d)
    assert [p.external_id for p in page.positions] == ["b-cmd"]
    how = {a.act.external_id: a.how for a in page.acts}
    assert how["a-v2"] == "named as perpetrator"
    assert how["a-v1"].startswith("by 제99호 관리소 관리부")  # the unit's act in 1996-2000, while he commanded it
    assert "a-v3" not in how  # no involvement names him or his unit
    pdf, disclosure = dossier.export("person", "p-cmd", tmp_path / "dossier.pdf", principal=analyst, purpose="designation (fictional)")
    text = _text(pdf)
    assert pseudonym(str(camp.get("person", "p-cmd").uid)) in text and "가상소장" not in text
    assert "관리소장 (camp commander)" in text and camp.item.sha256[:30] in text.replace(" ", "")
    assert disclosure.scope == "sanctions"
    released = set(DisclosedRecord.objects.filter(disclosure=disclosure).values_list("record_type", flat=True))
    assert {"person", "act", "biographic_detail", "source"} <= released


def test_a_unit_dossier_lists_the_people_who_held_positions_in_it(case99, camp):
    reviewer = Principal.of(camp.users["reviewer"])
    page = dossier.build("organization", "f:camp-unit", reviewer, services.within_reach(reviewer), lambda t, d: d)
    assert {p.external_id for p in page.positions} == {"b-cmd", "b-old"}
    assert [a.act.external_id for a in page.acts] == ["a-v1"]


def test_the_case_command_prints_the_matrix_and_exports_the_case_file_with_its_bundle(case99, camp, tmp_path, capsys):
    call_command("case", "matrix", "camp-99", "--user", "analyst-user")
    out = capsys.readouterr().out
    assert "elements with supporting evidence: 5 of 13" in out and "No evidence yet for: The perpetrator knew" in out
    call_command("case", "command", "--place", "f:camp99", "--on", "1998", "--user", "reviewer-user")
    assert "관리소장 (camp commander)" in capsys.readouterr().out
    call_command("case", "export", "camp-99", "--output", str(tmp_path / "case.pdf"), "--bundle", str(tmp_path / "bag"),
                 "--purpose", "fictional request", "--user", "analyst-user", "--no-progress")
    out = capsys.readouterr().out
    assert (tmp_path / "case.pdf").read_bytes().startswith(b"%PDF") and "1 evidence items" in out and "withheld: 1 evidence_item" in out
    call_command("case", "dossier", "--unit", "f:camp-unit", "--output", str(tmp_path / "unit.pdf"), "--purpose", "x",
                 "--user", "analyst-user", "--language", "ko")
    assert "Camp No. 99 administration" in _text((tmp_path / "unit.pdf").read_bytes())
    with pytest.raises(CommandError, match="may not export"):
        call_command("case", "export", "camp-99", "--output", str(tmp_path / "r.pdf"), "--purpose", "x", "--user", "reviewer-user")
    with pytest.raises(CommandError, match="no case camp-99"):
        call_command("case", "matrix", "camp-99", "--user", "outsider")
