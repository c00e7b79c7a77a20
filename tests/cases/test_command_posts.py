"""Who commanded a unit or a facility on a date: the holders of command posts, apart from everyone
else who held a position there; the units that ran a facility over time; no loops in the hierarchy."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from kirok.cases import command, services
from kirok.cases.services import CaseError
from kirok.protection.compartments import assigning
from kirok.protection.principal import Principal
from kirok.records.importing import Stream, import_streams
from kirok.records.models import BiographicDetail, Term
from kirok.types.dates import UncertainDate
from tests.accounts.helpers import sign_in_as


@pytest.mark.parametrize("position, relationship, post", [
    ("관리소장 (camp commander)", "officer_of_organisation", "command"),
    ("보위부장", "officer_of_organisation", "command"),
    ("부부장", "officer_of_organisation", "deputy"),
    ("정치부장", "officer_of_organisation", "political"),
    ("정치지도원", "member_of_organisation", "political"),
    ("예심과장", "officer_of_organisation", "section"),
    ("보위원", "officer_of_organisation", "other"),
    ("경비대원", "member_of_organisation", "other"),
    ("반탐과 지도원", "officer_of_organisation", "other"),
    ("Deputy camp commander", "officer_of_organisation", "deputy"),
    ("head of section", "officer_of_organisation", "section"),
    ("소대장", "officer_of_organisation", "section"),  # a platoon of the company recorded
    ("중대장", "officer_of_organisation", "command"),
    ("Camp commander", "member_of_organisation", "command"),
    ("guard", "member_of_organisation", "other"),
    ("책임자", "commander_of_organisation", "command"),  # no title says so: the relationship does
])
def test_a_post_is_classed_by_its_relationship_then_by_its_title(db, position, relationship, post):
    from kirok.records.reference import load_vocabularies

    load_vocabularies()
    detail = BiographicDetail(position=position, relationship=Term.objects.get(vocabulary__key="relationship_types", code=relationship))
    assert command.post_of(detail) == post


def _staff() -> None:
    """An agent and a deputy at the fictional camp beside its commander (all fictional)."""
    rows = {
        "person": [{"external_id": "p-agent", "names": ["가상보위원"], "sex": "male"},
                   {"external_id": "p-deputy", "names": ["가상부소장"], "sex": "male"}],
        "biographic_detail": [
            {"external_id": "b-agent", "person": "p-agent", "organization": "f:camp-unit", "relationship": "officer_of_organisation",
             "position": "보위원 (agent)", "rank": "소위", "start_date": "1995", "end_date": "2000", "source": "s-doc"},
            {"external_id": "b-deputy", "person": "p-deputy", "organization": "f:camp-unit", "relationship": "officer_of_organisation",
             "position": "부소장 (deputy commander)", "start_date": "1996", "end_date": "1999", "source": "s-doc"},
        ],
    }
    with assigning(["camp99"]):
        import_streams([Stream(f"staff:{t}", t, list(enumerate(items, start=1)), len(items), "jsonl") for t, items in rows.items()],
                       actor="test", reason="camp staff (fictional)")


def test_the_commander_is_named_apart_from_the_agents_and_deputies_of_his_unit(case99, camp, client, capsys):
    _staff()
    restrict = services.within_reach(Principal.of(camp.users["reviewer"]))
    level = command.chain(camp.get("organization", "f:camp-unit"), UncertainDate.parse("1998"), restrict).levels[0]
    assert [h.detail.external_id for h in level.commanders] == ["b-cmd"]
    assert [(h.detail.external_id, h.post) for h in level.others] == [("b-deputy", "deputy"), ("b-agent", "other")]
    assert [h.detail.external_id for h in level.holders] == ["b-cmd", "b-deputy", "b-agent"]  # commanders first
    sign_in_as(client, camp.users["reviewer"])
    page = client.get("/cases/command/", {"place": "f:camp99", "on": "1998"}).content.decode()
    commander_row = page[page.index('<tr class="commander">'):].split("</tr>")[0]
    assert "관리소장 (camp commander)" in commander_row and "<strong>commander</strong>" in commander_row
    agent_row = next(row for row in page.split("<tr") if "보위원 (agent)" in row)
    assert "commander" not in agent_row and "other post" in agent_row
    call_command("case", "command", "--place", "f:camp99", "--on", "1998", "--user", "reviewer-user")
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert next(line for line in lines if "관리소장" in line).strip().startswith("commander:")
    assert next(line for line in lines if "보위원" in line).strip().startswith("other post:")
    assert "(Camp No. 99 (fictional)) was run by 제99호 관리소 관리부 (가상) (Camp No. 99 administration (fictional)) (registry, undated)" in out


def test_a_unit_with_holders_but_no_commander_says_so(case99, camp):
    _staff()
    restrict = services.within_reach(Principal.of(camp.users["reviewer"]))
    level = command.chain(camp.get("organization", "f:camp-unit"), UncertainDate.parse("1996"), restrict).levels[0]
    assert level.commanders and "no commander recorded" not in command.diagram(command.chain(
        camp.get("organization", "f:camp-unit"), UncertainDate.parse("1996"), restrict))
    from kirok.records import history

    with history.changeset(actor="test", reason="commander's record withdrawn (fictional)"):
        for detail in BiographicDetail.objects.filter(external_id__in=["b-cmd", "b-old"]):
            detail.delete()
    result = command.chain(camp.get("organization", "f:camp-unit"), UncertainDate.parse("1996"), restrict)
    assert not result.levels[0].commanders and len(result.levels[0].others) == 2
    assert "no commander recorded for this date" in result.svg


def test_a_facility_is_asked_through_the_units_that_ran_it_on_the_date(case99, camp, client, capsys):
    analyst = Principal.of(camp.users["analyst"])
    services.set_facility_operator(place="f:camp99", unit="f:camp-unit", start="1985", end="2002", citation="camp rules (fictional)",
                                   principal=analyst, reason="the administration ran the camp (fictional)")
    services.set_facility_operator(place="f:camp99", unit="f:bureau", start="2003", end="", principal=analyst,
                                   reason="the bureau took the camp over (fictional)")
    restrict = services.within_reach(analyst)

    def ran(on: str) -> list[tuple[str, str]]:
        return [(c.start.external_id, c.operated[1]) for c in command.chains_for("f:camp99", "place", UncertainDate.parse(on), analyst, restrict)]

    assert ran("1998") == [("f:camp-unit", "certain")]
    assert ran("2005") == [("f:bureau", "possible")]  # no end recorded: possible, never certain
    assert ran("2002") == [("f:camp-unit", "possible")]
    assert [u.external_id for u in command.units_of("f:camp99", "place", analyst, UncertainDate.parse("2005"))] == ["f:bureau"]
    with pytest.raises(CaseError, match="end: the period ends before it starts"):
        services.set_facility_operator(place="f:camp99", unit="f:bureau", start="2000", end="1990", principal=analyst, reason="x")
    call_command("case", "operator", "f:camp99", "f:ministry", "--from", "1980", "--until", "1984", "--reason", "before (fictional)",
                 "--user", "analyst-user")
    call_command("case", "command", "--place", "f:camp99", "--on", "1982", "--user", "reviewer-user")
    assert "(Camp No. 99 (fictional)) was run by 가상보위성 (가상) (Fictional Ministry of Security) (certain)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="place: no unit is recorded as running this facility on this date"):
        call_command("case", "command", "--place", "f:camp99", "--on", "1970", "--user", "reviewer-user")
    sign_in_as(client, camp.users["reviewer"])
    assert client.post("/cases/command/facility-operators/", {"place": "f:camp99", "unit": "f:bureau", "reason": "x"}).status_code == 403
    assert "operator of 제99호 관리소 (가상) (Camp No. 99 (fictional)): possible" in client.get("/cases/command/", {"place": "f:camp99", "on": "2005"}).content.decode()
    client.logout()
    sign_in_as(client, camp.users["analyst"])
    made = client.post("/cases/command/facility-operators/", {"place": "f:camp99", "unit": "f:ministry", "start": "2010",
                                                              "reason": "moved under the ministry (fictional)"})
    assert made.status_code == 302 and [c for c, _how in ran("2011")] == ["f:bureau", "f:ministry"]


def test_a_unit_parent_that_would_make_a_loop_is_refused_naming_the_loop(case99, camp):
    analyst = Principal.of(camp.users["analyst"])
    # case99 put the camp administration under the bureau for 1990-2005; the registry puts the bureau under the ministry
    with pytest.raises(CaseError, match=r"parent: .*Camp No. 99 administration .* is itself below .*Fictional Bureau 7"):
        services.set_unit_parent(unit="f:bureau", parent="f:camp-unit", start="2000", end="2001", principal=analyst, reason="x")
    with pytest.raises(CaseError, match=r"\(Camp No. 99 administration \(fictional\)\) → .*Fictional Bureau 7\) → .*Fictional Ministry of Security"):
        services.set_unit_parent(unit="f:ministry", parent="f:camp-unit", start="", end="", principal=analyst, reason="x")
    later = services.set_unit_parent(unit="f:bureau", parent="f:camp-unit", start="2010", end="", principal=analyst,
                                     reason="reorganised after the camp administration stood alone (fictional)")
    assert later.pk  # periods that cannot share a day make no loop


def test_a_unit_dossier_says_which_holders_commanded_it(case99, camp, client):
    _staff()
    sign_in_as(client, camp.users["analyst"])
    page = client.get(f"/cases/dossiers/organization/{camp.get('organization', 'f:camp-unit').uid}/").content.decode()
    rows = {row.split("</td>")[3].removeprefix("<td>"): row.split("</td>")[2].removeprefix("<td>")
            for row in page.split("<tr>") if "</td>" in row and row.count("</td>") >= 6}
    assert rows["관리소장 (camp commander)"] == "commander" and rows["보위원 (agent)"] == "other post"
    assert rows["부소장 (deputy commander)"] == "deputy"


def test_the_command_page_says_why_a_loop_or_a_bad_form_is_refused(case99, camp, client):
    from kirok.cases.models import UnitParent

    sign_in_as(client, camp.users["analyst"])
    before = UnitParent.objects.count()
    refused = client.post("/cases/command/unit-parents/", {"unit": "f:bureau", "parent": "f:camp-unit", "start": "2000",
                                                            "reason": "x"}, follow=True).content.decode()
    assert "parent: " in refused and "is itself below" in refused
    incomplete = client.post("/cases/command/facility-operators/", {"place": "f:camp99", "reason": "x"}, follow=True).content.decode()
    assert "The facility operator was not recorded: unit: This field is required." in incomplete
    assert UnitParent.objects.count() == before
