"""The case pages: an analyst works a case in the browser; others are kept out or read only."""

from __future__ import annotations

import io

from pypdf import PdfReader

from kirok.cases.models import ElementLink
from tests.accounts.helpers import sign_in_as


def test_an_analyst_reads_the_matrix_links_evidence_and_reassesses_a_link(case99, camp, client):
    case, commander = case99
    sign_in_as(client, camp.users["analyst"])
    listing = client.get("/cases/")
    assert listing.status_code == 200 and f"/cases/{case.uid}/" in listing.content.decode()
    page = client.get(f"/cases/{case.uid}/").content.decode()
    assert "Case matrix" in page and "No evidence yet for: The perpetrator knew that the conduct was part of" in page
    assert "가상소장" not in page  # persons by pseudonym
    gap = "established the gravity of the conduct — Imprisonment"
    assert gap in client.get(f"/cases/suspects/{commander.uid}/").content.decode()
    made = client.post(f"/cases/{case.uid}/links/", {
        "element": "rome-statute-cah:7(1)(e).3", "target": "information", "ref": "n-doc", "suspect": str(commander.uid),
        "assessment": "supports", "strength": "moderate", "standard": "reasonable_grounds", "note": "camp rules name the gravity",
        "reason": "read the camp rules (fictional)"})
    assert made.status_code == 302
    link = ElementLink.objects.get(element="7(1)(e).3")
    assert link.suspect == commander and link.information == camp.get("information", "n-doc")
    suspect_page = client.get(f"/cases/suspects/{commander.uid}/").content.decode()
    assert gap not in suspect_page  # the gap is closed for him
    reassessed = client.post(f"/cases/links/{link.uid}/", {"assessment": "supports", "strength": "strong", "standard": "",
                                                           "note": "", "reason": "second reading"})
    assert reassessed.status_code == 302
    history = client.get(f"/cases/links/{link.uid}/").content.decode()
    assert "second reading" in history and "read the camp rules (fictional)" in history
    pdf = client.post(f"/cases/{case.uid}/case-file/", {"scope": "prosecutors", "purpose": "fictional request"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "Case file" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


def test_pages_are_closed_to_those_outside_and_read_only_for_reviewers(case99, camp, client):
    case, commander = case99
    assert client.get("/cases/").status_code == 302  # anonymous: sign in first
    sign_in_as(client, camp.outsider)
    assert client.get("/cases/").status_code == 200 and str(case.uid) not in client.get("/cases/").content.decode()
    assert client.get(f"/cases/{case.uid}/").status_code == 404
    assert client.get(f"/cases/suspects/{commander.uid}/").status_code == 404
    link = case.links.first()
    assert client.get(f"/cases/links/{link.uid}/").status_code == 404
    client.logout()
    sign_in_as(client, camp.users["reviewer"])
    assert client.get(f"/cases/{case.uid}/").status_code == 200
    before = ElementLink.objects.count()
    refused = client.post(f"/cases/{case.uid}/links/", {"element": "rome-statute-cah:7(1)(e).3", "target": "act", "ref": "a-v1",
                                                        "assessment": "supports", "strength": "weak", "reason": "x"})
    assert refused.status_code == 403 and ElementLink.objects.count() == before
    assert client.post(f"/cases/{case.uid}/case-file/", {"scope": "prosecutors", "purpose": "x"}).status_code == 403


def test_the_chain_of_command_page_answers_for_a_facility_with_a_table_and_a_diagram(case99, camp, client):
    sign_in_as(client, camp.users["reviewer"])
    page = client.get("/cases/command/", {"place": "f:camp99", "on": "1998"})
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and "관리소장 (camp commander)" in text and "국장 (bureau chief)" in text
    assert client.get("/cases/command/", {"unit": "f:camp-unit", "on": "spring"}).status_code == 400


def test_the_dossier_page_masks_names_and_its_pdf_leaves_only_through_the_gate(case99, camp, client):
    sign_in_as(client, camp.users["analyst"])
    cmd = camp.get("person", "p-cmd")
    page = client.get(f"/cases/dossiers/person/{cmd.uid}/").content.decode()
    assert "●●●" in page and "가상소장" not in page and "관리소장 (camp commander)" in page
    pdf = client.post(f"/cases/dossiers/person/{cmd.uid}/", {"scope": "sanctions", "purpose": "designation request (fictional)"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    unit = client.get(f"/cases/dossiers/organization/{camp.get('organization', 'f:camp-unit').uid}/").content.decode()
    assert "Camp No. 99 administration" in unit and "관리소장 (camp commander)" in unit


def test_an_analyst_records_a_units_parent_for_a_period_on_the_command_page(camp, client):
    from kirok.cases.models import UnitParent

    sign_in_as(client, camp.users["analyst"])
    made = client.post("/cases/command/unit-parents/", {"unit": "f:camp-unit", "parent": "f:ministry", "start": "2006",
                                                         "end": "", "citation": "fictional", "reason": "bureau dissolved (fictional)"})
    assert made.status_code == 302
    row = UnitParent.objects.get()
    assert row.parent.external_id == "f:ministry" and str(row.start_date) == "2006" and not row.end_date
    page = client.get("/cases/command/", {"unit": "f:camp-unit", "on": "2007"}).content.decode()
    assert "Fictional Ministry of Security" in page and "Fictional Bureau 7" not in page
    client.logout()
    sign_in_as(client, camp.users["reviewer"])
    assert client.post("/cases/command/unit-parents/", {"unit": "f:camp-unit", "parent": "f:bureau", "reason": "x"}).status_code == 403


def test_the_api_gives_the_matrix_to_members_and_404_to_others(case99, camp, client):
    case, commander = case99
    sign_in_as(client, camp.users["reviewer"])
    assert [c["key"] for c in client.get("/api/cases/").json()] == ["camp-99"]
    found = client.get(f"/api/cases/camp-99/matrix?suspect={commander.uid}").json()
    assert (found["covered"], found["elements"]) == (6, 18) and len(found["gaps"]) == 12
    row = next(r for s in found["sections"] for r in s["rows"] if r["element"] == "7(1)(e).1")
    assert (row["status"], row["witnesses"], row["standard"]) == ("covered", 2, "reasonable_grounds")
    client.logout()
    sign_in_as(client, camp.outsider)
    assert client.get("/api/cases/").json() == []
    assert client.get(f"/api/cases/{case.uid}/matrix").status_code == 404
