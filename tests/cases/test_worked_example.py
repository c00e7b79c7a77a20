"""The worked example of issue 8, built from the demo set: `kirok demo-data` makes its fictional
"Camp No. 99" (kirok/data/demo/camp99.yaml) in every demo set; an analyst takes the camp rules'
scan and W2's recording into the vault and builds the case against the camp commander for
imprisonment (art. 7(1)(e)) and torture (art. 7(1)(f)) under art. 28(b) through the services,
with the links the demo's case section lists (kirok/records/demo_case.py, which `kirok demo-data`
also runs as the console operator). The tests check his positions over time, the chain of
command on the dates of the acts, the matrix with exactly the expected gaps, and a case file and
bundle that list every gap and carry nothing of witness W2's testimony, which W2 consented to
internal use only.

(tests/cases/conftest.py keeps a smaller hand-written camp for the other case tests.)"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from kirok.bundles.services import export_bundle, verify_bundle
from kirok.cases import casefile, command, matrix, services
from kirok.protection.compartments import add_member, create
from kirok.protection.models import DisclosedRecord
from kirok.protection.principal import NotFound, Principal
from kirok.records import demo_case
from kirok.records.registry import model_for
from kirok.types.dates import UncertainDate

SIZE, SEED = 12, 5  # the camp is in every demo set; a small one keeps the test fast
CAMP = "demo:camp99:"
RG = "reasonable_grounds"

# Elements of the charges, of the contextual elements, of art. 30 and of art. 28(b) that no link
# supports: exactly what the matrix and the case file must list as gaps.
EXPECTED_GAPS = {
    "ctx.attack", "ctx.policy", "ctx.nexus", "ctx.knowledge", "art30.intent_conduct", "art30.knowledge",
    "7(1)(e).3", "7(1)(f).3", "28(b).1", "28(b).3", "28(b).4", "28(b).5",
}
W2_WORDS = ("밤중에 온 가족이", "서광일", "So Kwang Il")  # W2's transcript and excerpt, and W2's name


@dataclass
class WorkedExample:
    case: object
    commander: object  # the suspect
    users: dict
    outsider: object
    scan: object  # the copy of the camp rules in the vault (prosecutors may receive it)
    recording: object  # the recording of W2's interview (internal use only)

    def principal(self, role: str = "analyst") -> Principal:
        return Principal.of(self.users[role])


def camp(record_type: str, name: str):
    return model_for(record_type).objects.get(external_id=CAMP + name)


@pytest.fixture
def example(reference) -> WorkedExample:
    """The demo set in compartment ``demo``, users, and the case an analyst builds on Camp No. 99."""
    from kirok.accounts.services import create_user

    operator = Principal.console("test")
    demo = create("demo", "Demo set (fictional)", principal=operator)
    call_command("demo_data", size=SIZE, seed=SEED, compartment=["demo"], no_case=True, no_progress=True)
    users = {}
    for role in ("analyst", "reviewer"):
        users[role], _password = create_user(f"{role}-user", role)
        add_member(demo, users[role], principal=operator)
    outsider, _password = create_user("outsider", "analyst")
    built = demo_case.build(compartment="demo", principal=Principal.of(users["analyst"]))
    items = built.evidence
    return WorkedExample(built.case, built.suspect, users, outsider, items[CAMP + "rules"], items[CAMP + "testimony-2"])


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_demo_set_holds_the_camp_commander_and_his_positions_over_time(example):
    restrict = services.within_reach(example.principal("reviewer"))
    person = camp("person", "commander")
    positions = [(d.organization.external_id, str(d.start_date), str(d.end_date), d.position)
                 for d in command.positions_of(person, restrict)]
    assert positions == [(CAMP + "unit", "1989", "1994~", "부소장 (deputy camp commander)"),
                         (CAMP + "unit", "1994~", "2002", "관리소장 (camp commander)")]
    earlier = command.chain(camp("organization", "unit"), UncertainDate.parse("1991"), restrict).levels[0]
    assert [h.detail.external_id for h in earlier.commanders] == [CAMP + "position-predecessor"]  # in 1991 he was the deputy
    assert [(h.detail.external_id, h.post) for h in earlier.others] == [(CAMP + "position-commander-deputy", "deputy")]
    predecessor = [(str(d.start_date), str(d.end_date)) for d in command.positions_of(camp("person", "predecessor"), restrict)]
    assert predecessor == [("1988", "1994")]
    assert [u.external_id for u in command.units_of(CAMP + "camp", "place", example.principal("reviewer"))] == [CAMP + "unit"]
    assert model_for("person").objects.filter(external_id__startswith="demo:person:").count() == SIZE  # and the generated set


def test_the_chain_of_command_names_the_commander_and_his_superior_on_the_dates_of_the_acts(example):
    reviewer = example.principal("reviewer")
    restrict = services.within_reach(reviewer)
    for act in ("act-1", "act-2", "act-3"):  # 1996-2000, 1998-03, 1999: all in the commander's time
        # "Who commanded Camp No. 99 on the date of the act?": through the unit that ran the camp.
        [result] = command.chains_for(CAMP + "camp", "place", camp("act", act).start_date, reviewer, restrict)
        assert [level.unit.external_id for level in result.levels] == [CAMP + "unit", CAMP + "bureau", "ref:institution:mss"], act
        camp_level, bureau, ministry = result.levels
        assert [(h.detail.external_id, h.certainty) for h in camp_level.commanders] == [(CAMP + "position-commander", command.CERTAIN)]
        assert [h.detail.external_id for h in camp_level.others] == [CAMP + "position-guard"]  # a guard did not command
        assert [(h.detail.external_id, h.certainty) for h in bureau.commanders] == [(CAMP + "position-chief", command.CERTAIN)]
        assert bureau.link == command.CERTAIN and ministry.link == "registry" and not ministry.holders
    handover = command.chain(camp("organization", "unit"), UncertainDate.parse("1994"), restrict)  # either may have commanded
    assert {(h.detail.external_id, h.certainty) for h in handover.levels[0].commanders} == {
        (CAMP + "position-predecessor", command.POSSIBLE), (CAMP + "position-commander", command.POSSIBLE)}
    svg = handover.svg
    assert svg.startswith("<svg") and "Camp Administration Bureau (fictional)" in svg and "<script" not in svg


def test_the_matrix_lists_coverage_independence_conflicts_and_exactly_the_expected_gaps(example):
    result = matrix.compute(example.case, example.commander, reader=example.principal())
    rows = {row.key: row for row in result.rows}
    assert {key for key, row in rows.items() if row.status in (matrix.GAP, matrix.CONTRADICTED)} == EXPECTED_GAPS
    assert {key for gap in result.missing for key in gap.keys} == EXPECTED_GAPS and len(result.gaps) == len(EXPECTED_GAPS)
    assert any("knew that the conduct was part of" in gap for gap in result.gaps)  # "no evidence yet for knowledge of the attack"
    imprisonment = rows["7(1)(e).1"]  # two acts from two testimonies by two witnesses, both testimonies
    assert (imprisonment.supports, imprisonment.sources, imprisonment.witnesses, imprisonment.source_kinds) == (2, 2, 2, 1)
    assert imprisonment.strong == 1 and imprisonment.status == matrix.COVERED
    assert imprisonment.standard.code == RG
    assert rows["7(1)(f).1"].status == matrix.SINGLE  # one witness only: flagged, not covered
    assert rows["7(1)(f).3"].status == matrix.CONTRADICTED and rows["7(1)(f).3"].contradicts == 1
    assert rows["ctx.attack"].context == 1 and rows["ctx.attack"].status == matrix.GAP  # context is not proof
    assert rows["28(b).2"].supports == 1 and rows["28(b).2"].witnesses == 0  # a document: a source without a witness
    assert result.coverage == (6, 18)


def test_a_case_is_out_of_reach_outside_its_compartment(example):
    whole = matrix.compute(example.case, reader=example.principal())
    assert whole.links == len(demo_case.CASE["links"]) and not whole.unplaced  # the suspect's liability link counts in his matrix, not as stray
    outsider = Principal.of(example.outsider)
    with pytest.raises(NotFound):
        services.get_case(demo_case.CASE["key"], outsider)
    assert services.reachable_links(example.case.links.all(), outsider).count() == 0


def test_the_case_file_lists_every_gap_the_hashes_and_the_acts_within_the_prosecutors_consent(example, tmp_path):
    analyst = example.principal()
    gaps = matrix.compute(example.case, example.commander, reader=analyst).gaps
    pdf, disclosure = casefile.export(example.case, tmp_path / "camp-99.pdf", principal=analyst,
                                      purpose="request of a prosecutor (fictional)")
    assert (tmp_path / "camp-99.pdf").read_bytes() == pdf and pdf.startswith(b"%PDF")
    text = _text(pdf)
    for phrase in ("Case file: Camp No. 99 (fictional demo)", "Case matrix", "Chain of command", "Annex: acts", "Evidence"):
        assert phrase in text, phrase
    compact = text.replace(" ", "")
    missing = [gap for gap in gaps if gap.replace(" ", "") not in compact]
    assert not missing, missing  # the whole gap list, word for word
    assert example.scan.sha256[:40] in compact  # the rules' hash, in the evidence list
    assert str(camp("act", "act-1").uid)[:8] in compact and str(camp("act", "act-3").uid)[:8] not in compact
    assert example.recording.sha256[:20] not in compact  # W2 consented to internal use only
    assert not [w for w in W2_WORDS if w.replace(" ", "") in compact]
    assert "한정수" not in text and "최미란" not in text  # names are protected: prosecutors get pseudonyms
    released = set(DisclosedRecord.objects.filter(disclosure=disclosure).values_list("record_type", "record_uid"))
    assert ("act", camp("act", "act-1").uid) in released and ("act", camp("act", "act-3").uid) not in released
    assert disclosure.scope == "prosecutors" and disclosure.dropped.get("act") == 1


def _bundle(example: WorkedExample, bag: Path, scope: str) -> tuple[object, list[str]]:
    """A bundle of the case's supporting evidence for ``scope``, and which of W2's words, the ids of
    W2's records and W2's recording are anywhere in its files."""
    result = export_bundle(bag, casefile.CaseSelection(example.case), scope=scope, purpose="fictional request",
                           principal=example.principal())
    assert not verify_bundle(bag).failures
    written = b"".join(p.read_bytes() for p in sorted(bag.rglob("*")) if p.is_file())
    return result, [w for w in (*W2_WORDS, *_w2_ids(), example.recording.sha256) if w.encode() in written]


def _w2_ids() -> list[str]:
    """The Kirok ids of what rests on W2 alone: W2, W2's testimony and the act only W2 tells of."""
    return [str(camp(t, name).uid) for t, name in (("person", "witness-2"), ("source", "testimony-2"), ("act", "act-3"))]


def test_the_bundle_of_supporting_evidence_carries_nothing_of_the_internal_only_testimony(example, tmp_path):
    result, leaked = _bundle(example, tmp_path / "bag", "prosecutors")
    assert result.items == 1 and result.withheld.get("evidence_item") == 1  # the scan goes, W2's recording stays
    assert [p.name for p in (tmp_path / "bag" / "data" / "items").iterdir()] == [example.scan.sha256]
    assert not leaked, leaked
    internal, kept = _bundle(example, tmp_path / "internal", "internal")  # the same selection for internal use has it all
    assert internal.items == 2 and set(kept) >= {*_w2_ids(), example.recording.sha256}, kept
