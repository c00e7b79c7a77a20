"""The worked example of issue 8: a fictional camp commander, his positions over time, acts at
the camp, links to the elements of imprisonment (art. 7(1)(e)) and torture (art. 7(1)(f)), and a
case file whose matrix lists the expected gaps — with nothing in it that the witnesses did not
consent to share with prosecutors."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from kirok.bundles.services import export_bundle, verify_bundle
from kirok.cases import casefile, command, matrix, services
from kirok.protection.models import DisclosedRecord
from kirok.protection.principal import NotFound, Principal
from kirok.types.dates import UncertainDate

# Elements of the charges and of art. 28(b) with no supporting link: what the matrix must list.
EXPECTED_GAPS = {
    "ctx.attack", "ctx.policy", "ctx.nexus", "ctx.knowledge", "art30.intent_conduct", "art30.knowledge",
    "7(1)(e).3", "7(1)(f).3", "28(b).1", "28(b).3", "28(b).4", "28(b).5",
}


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_matrix_lists_coverage_independence_conflicts_and_the_expected_gaps(case99, camp):
    case, commander = case99
    analyst = Principal.of(camp.users["analyst"])
    result = matrix.compute(case, commander, reader=analyst)
    rows = {row.key: row for row in result.rows}
    assert {key for key, row in rows.items() if row.status in (matrix.GAP, matrix.CONTRADICTED)} == EXPECTED_GAPS
    assert len(result.gaps) == len(EXPECTED_GAPS)
    assert any("knew that the conduct was part of" in gap for gap in result.gaps)  # "no evidence yet for knowledge of the attack"
    imprisonment = rows["7(1)(e).1"]  # two acts from two testimonies by two witnesses, both testimonies
    assert (imprisonment.supports, imprisonment.sources, imprisonment.witnesses, imprisonment.source_kinds) == (2, 2, 2, 1)
    assert imprisonment.strong == 1 and imprisonment.status == matrix.COVERED
    assert imprisonment.standard.code == "reasonable_grounds"
    assert rows["7(1)(f).1"].status == matrix.SINGLE  # one witness only: flagged, not covered
    assert rows["7(1)(f).3"].status == matrix.CONTRADICTED and rows["7(1)(f).3"].contradicts == 1
    assert rows["ctx.attack"].context == 1 and rows["ctx.attack"].status == matrix.GAP  # context is not proof
    assert rows["28(b).2"].supports == 1 and rows["28(b).2"].witnesses == 0  # a document: a source without a witness
    assert result.coverage == (6, 18)


def test_a_case_is_out_of_reach_outside_its_compartment(case99, camp):
    case, _commander = case99
    analyst, outsider = Principal.of(camp.users["analyst"]), Principal.of(camp.outsider)
    whole = matrix.compute(case, reader=analyst)
    assert whole.links == 9 and not whole.unplaced  # the suspect's liability link counts in his matrix, not as stray
    with pytest.raises(NotFound):
        services.get_case("camp-99", outsider)
    assert services.reachable_links(case.links.all(), outsider).count() == 0


def test_the_chain_of_command_names_the_commander_and_his_superior_on_the_dates_of_the_acts(case99, camp):
    restrict = services.within_reach(Principal.of(camp.users["reviewer"]))
    result = command.chain(camp.get("organization", "f:camp-unit"), UncertainDate.parse("1998-03"), restrict)
    assert [level.unit.external_id for level in result.levels] == ["f:camp-unit", "f:bureau", "f:ministry"]
    camp_level, bureau, ministry = result.levels
    assert [(h.detail.external_id, h.certainty) for h in camp_level.holders] == [("b-cmd", command.CERTAIN)]
    assert [(h.detail.external_id, h.certainty) for h in bureau.holders] == [("b-chief", command.CERTAIN)]
    assert bureau.link == command.CERTAIN and ministry.link == "registry"  # dated parent, then the registry's
    earlier = command.chain(camp.get("organization", "f:camp-unit"), UncertainDate.parse("1994"), restrict)
    assert {(h.detail.external_id, h.certainty) for h in earlier.levels[0].holders} == {
        ("b-old", command.POSSIBLE), ("b-cmd", command.POSSIBLE)}  # 1994 is the year of the handover: either may have commanded
    facility = command.units_of("f:camp99", "place", Principal.of(camp.users["reviewer"]))
    assert [u.external_id for u in facility] == ["f:camp-unit"]
    svg = result.svg
    assert svg.startswith("<svg") and "Fictional Bureau 7" in svg and "<script" not in svg


def test_the_case_file_lists_the_gaps_hashes_and_acts_within_the_prosecutors_consent(case99, camp, tmp_path):
    case, _commander = case99
    analyst = Principal.of(camp.users["analyst"])
    pdf, disclosure = casefile.export(case, tmp_path / "camp-99.pdf", principal=analyst, purpose="request of a prosecutor (fictional)")
    assert (tmp_path / "camp-99.pdf").read_bytes() == pdf and pdf.startswith(b"%PDF")
    text = _text(pdf)
    for phrase in ("Case file: Camp No. 99 (fictional)", "Case matrix", "Chain of command", "Annex: acts", "Evidence",
                   "No evidence yet for: The perpetrator was aware of the factual circumstances that established the gravity",
                   "No evidence yet for: The perpetrator knew that the conduct was part of"):
        assert phrase in text, phrase
    assert camp.item.sha256[:40] in text.replace(" ", "")  # the document's hash, in the evidence list
    compact = text.replace(" ", "")
    assert str(camp.get("act", "a-v1").uid)[:8] in compact and str(camp.get("act", "a-v3").uid)[:8] not in compact
    assert camp.w2_item.sha256[:20] not in text.replace(" ", "")  # W2 consented to internal use only
    assert "가상소장" not in text and "가상증인" not in text  # names are protected and prosecutors get pseudonyms
    released = set(DisclosedRecord.objects.filter(disclosure=disclosure).values_list("record_type", "record_uid"))
    assert ("act", camp.get("act", "a-v1").uid) in released and ("act", camp.get("act", "a-v3").uid) not in released
    assert disclosure.scope == "prosecutors" and disclosure.dropped.get("act") == 1


def test_the_bundle_of_supporting_evidence_carries_only_what_prosecutors_may_receive(case99, camp, tmp_path):
    case, _commander = case99
    result = export_bundle(tmp_path / "bag", casefile.CaseSelection(case), scope="prosecutors", purpose="fictional request",
                           principal=Principal.of(camp.users["analyst"]))
    assert result.items == 1 and result.withheld.get("evidence_item") == 1  # the scan goes, W2's recording stays
    assert list((tmp_path / "bag" / "data" / "items").iterdir())[0].name == camp.item.sha256
    assert not verify_bundle(tmp_path / "bag").failures
