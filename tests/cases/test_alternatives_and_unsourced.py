"""What the matrix asks for: of the alternative forms of commission (art. 25(3)(a): alone, jointly
or through another person) one suffices, so a suspect charged as an indirect perpetrator is not
shown gaps for direct and co-perpetration; each gap says what evidence would close it; and an
element supported only by records that name no source is "unsourced", not "single source"."""

from __future__ import annotations

import pytest
from django.utils import translation

from kirok.cases import matrix, services
from kirok.cases.frameworks import element_kind_label
from kirok.cases.services import Assessment
from kirok.protection.principal import Principal
from tests.accounts.helpers import sign_in_as

COMMISSION = ("25(3)(a).1", "25(3)(a).2", "25(3)(a).3")


@pytest.fixture
def chief(case99, camp):
    """The fictional bureau chief, alleged to have committed the crimes through the camp's apparatus."""
    case, _commander = case99
    analyst = Principal.of(camp.users["analyst"])
    return services.add_suspect(case, person="p-chief", modes=["rome-statute-liability:25(3)(a)"], principal=analyst,
                                reason="bureau chief over camp 99 (fictional)")


def _link(case, camp, element: str, ref: str, suspect, assessment: str = "supports"):
    analyst = Principal.of(camp.users["analyst"])
    return services.link(case, element=f"rome-statute-liability:{element}", target="position", ref=ref, suspect=suspect,
                         principal=analyst, reason="analysis", assessment=Assessment(assessment, "moderate", "reasonable_grounds", ""))


def _commission(result: matrix.Matrix) -> matrix.Section:
    return next(s for s in result.sections if s.citation == "Rome Statute art. 25(3)(a)")


def test_the_forms_of_commission_are_one_gap_until_one_of_them_is_supported(case99, camp, chief):
    case, _commander = case99
    analyst = Principal.of(camp.users["analyst"])
    before = matrix.compute(case, chief, reader=analyst)
    rows = {row.key: row for row in _commission(before).rows}
    assert [rows[key].status for key in COMMISSION] == [matrix.GAP] * 3
    assert [group[0].key for group in _commission(before).requirements] == ["25(3)(a).1", "25(3)(a).4"]
    listed = [gap for gap in before.missing if set(gap.keys) & set(COMMISSION)]
    assert [gap.keys for gap in listed] == [COMMISSION]  # the group once, naming its three alternatives
    assert listed[0].text.startswith("No evidence yet for any of: The suspect personally carried out")
    assert "organisational charts; orders passing down the hierarchy" in listed[0].means_of_proof
    assert len(before.gaps) == len(before.missing)

    _link(case, camp, "25(3)(a).3", "b-chief", chief)
    _link(case, camp, "25(3)(a).1", "b-chief", chief, assessment="contradicts")  # he did not act with his own hands
    after = matrix.compute(case, chief, reader=analyst)
    rows = {row.key: row for row in _commission(after).rows}
    assert rows["25(3)(a).3"].status == matrix.SINGLE
    assert [rows[key].status for key in COMMISSION[:2]] == [matrix.ALTERNATIVE] * 2
    assert rows["25(3)(a).1"].contradicts == 1 and rows["25(3)(a).1"].status_label == "met by an alternative"
    assert not [gap for gap in after.missing if set(gap.keys) & set(COMMISSION)]
    assert [gap.keys for gap in after.missing if "25(3)(a).4" in gap.keys] == [("25(3)(a).4",)]
    assert after.coverage == (before.coverage[0] + 1, before.coverage[1])  # three alternatives count as one requirement
    assert before.coverage[1] == len(before.rows) - 2


def test_the_suspect_page_puts_or_between_alternatives_and_the_means_of_proof_beside_each_gap(case99, camp, chief, client):
    sign_in_as(client, camp.users["analyst"])
    page = client.get(f"/cases/suspects/{chief.uid}/").content.decode()
    assert page.count('<em class="or">or</em>') == 2
    assert "Rows joined by “or” are alternatives" in page
    assert page.count("No evidence yet for any of:") == 1
    assert ("No evidence yet for: The suspect met the mental elements of the crime and was aware of the factual circumstances "
            "enabling control over it") in page
    assert "Means of proof: the suspect&#x27;s statements, orders and position; reports they received" in page
    assert "<td>liability</td>" in page and "<td>contextual</td>" in page


def test_the_korean_page_gives_the_means_of_proof_and_element_kinds_in_korean(case99, camp, chief, client):
    sign_in_as(client, camp.users["analyst"])
    client.cookies["django_language"] = "ko"
    with translation.override(translation.get_language()):  # the request activates Korean: not for the tests after this one
        page = client.get(f"/cases/suspects/{chief.uid}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "조직도; 위계를 따라 내려간 명령" in page  # the means of proof of indirect perpetration, from the framework file
    assert "organisational charts" not in page
    with translation.override("ko"):
        for kind in ("contextual", "mental", "liability"):
            assert f"<td>{element_kind_label(kind)}</td>" in page  # the label, whatever the catalogue holds for it


def test_an_element_supported_only_by_an_unsourced_item_is_unsourced_not_single_source(case99, camp, tmp_path):
    from kirok.evidence import services as vault

    case, _commander = case99
    operator = Principal.console("test")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 fictional photograph of a gate, no source recorded")
    item = vault.add_file(photo, actor="test", reason="intake").item
    services.link(case, element="rome-statute-cah:7(1)(e).3", target="item", ref=str(item.uid), principal=operator, reason="x",
                  assessment=Assessment("supports", "weak", "", ""))
    row = next(r for r in matrix.compute(case, reader=operator).rows if r.key == "7(1)(e).3")
    assert (row.supports, row.sources, row.status, row.status_label) == (1, 0, matrix.UNSOURCED, "unsourced")
    assert not [gap for gap in matrix.compute(case, reader=operator).missing if gap.keys == ("7(1)(e).3",)]


@pytest.mark.parametrize("counts, status", [
    ({}, matrix.GAP),
    ({"contradicts": 1}, matrix.CONTRADICTED),
    ({"supports": 2, "sources": 0}, matrix.UNSOURCED),
    ({"supports": 2, "sources": 1}, matrix.SINGLE),
    ({"supports": 2, "sources": 2}, matrix.COVERED),
    ({"supports": 1, "contradicts": 1, "sources": 0}, matrix.CONFLICT),
])
def test_each_status_from_its_counts(counts, status):
    assert matrix.Row("f", "k", None, **counts).status == status
