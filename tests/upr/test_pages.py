"""The UPR pages, as an analyst and a reviewer use them, and who is kept out."""

from __future__ import annotations

from datetime import date

from kirok.protection.principal import Principal
from kirok.upr import importing, services, submissions
from kirok.upr.models import Assessment, EvidenceLink, Submission
from tests.accounts.helpers import sign_in_as

from .helpers import events_by_consent, kirok_rows, write_csv


def _imported(world, tmp_path):
    importing.import_file(write_csv(tmp_path / "recs.csv", kirok_rows(3, 12)), principal=Principal.of(world.users["analyst"]))


def test_an_analyst_filters_links_assesses_and_writes_a_submission(world, client, tmp_path):
    _imported(world, tmp_path)
    sign_in_as(client, world.users["analyst"])
    assert client.get("/upr/").status_code == 200
    page = client.get("/upr/cycles/3/", {"state": "Fictionland"}).content.decode()
    assert "124.2" in page and "124.1<" not in page  # 124.1 is Utopia's and Erewhon's
    assert "124.3" in client.get("/upr/cycles/3/", {"theme": "Torture"}, HTTP_HX_REQUEST="true").content.decode()
    assert "No recommendation matches." in client.get("/upr/cycles/3/", {"sdg": "5"}).content.decode()
    attested, _unattested = events_by_consent("un")
    done = client.post("/upr/cycles/3/124.1/link/", {"record_type": "event", "record": str(attested.uid), "bearing": "non_implementation", "note": ""})
    assert done.status_code == 302 and EvidenceLink.objects.count() == 1
    missing = client.post("/upr/cycles/3/124.1/link/", {"record_type": "event", "record": "no-such", "bearing": "non_implementation"})
    assert missing.status_code == 400 and "No such record" in missing.content.decode()
    assert client.post("/upr/cycles/3/124.1/assess/", {"status": "not_implemented", "summary": "fictional"}).status_code == 302
    assert client.post("/upr/cycles/3/124.1/assess/", {"status": "partially_implemented", "summary": "fictional, revised"}).status_code == 302
    page = client.get("/upr/cycles/3/124.1/").content.decode()
    assert attested.title in page and "fictional, revised" in page and Assessment.objects.count() == 2
    assert "124.1" in client.get("/upr/cycles/3/", {"status": "partially_implemented"}).content.decode()
    made = client.post("/upr/submissions/", {"review": services.get_cycle(4).pk, "title": "Fictional submission", "kind": "individual",
                                             "organisations": "Fictional NGO", "scope": "un"})
    assert made.status_code == 302
    draft = Submission.objects.get()
    page = client.get(f"/upr/submissions/{draft.uid}/").content.decode()
    assert "of 2815 words" in page and "Recommendation 124.1" in page
    count = client.post(f"/upr/submissions/{draft.uid}/count/", {"introduction": "one two three"}).content.decode()
    before = submissions.live_count(draft, {}, user=world.users["analyst"]).words
    assert f"{before + 3 + submissions.count_words(submissions.section_label('introduction'))} of 2815 words" in count
    saved = client.post(f"/upr/submissions/{draft.uid}/", {"introduction": "one two three", "reason": "start"})
    assert saved.status_code == 302 and draft.current.sections["introduction"] == "one two three"
    docx = client.get(f"/upr/submissions/{draft.uid}/export/docx/")
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    brief = client.get("/upr/briefing/", {"period_from": "1990-01-01", "period_to": "2024-12-31", "scope": "un", "cases": str(attested.uid)})
    assert brief.status_code == 200 and "By violation category" in brief.content.decode()
    csv = client.get("/upr/briefing/", {"period_from": "1990-01-01", "period_to": "2024-12-31", "scope": "un", "format": "csv"})
    assert csv.status_code == 200 and csv.content.decode().startswith("table,key,label,count")


def test_pages_in_korean(world, client, tmp_path):
    _imported(world, tmp_path)
    sign_in_as(client, world.users["reviewer"])
    client.cookies["django_language"] = "ko"
    page = client.get("/upr/cycles/3/124.1/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "유의" in page  # the position "Noted", in Korean


def test_who_may_open_what(world, client, tmp_path):
    _imported(world, tmp_path)
    assert client.get("/upr/").status_code == 302  # anonymous: sign in first
    sign_in_as(client, world.users["reviewer"])
    assert client.get("/upr/cycles/3/").status_code == 200
    assert client.post("/upr/cycles/3/124.1/assess/", {"status": "implemented"}).status_code == 403
    assert client.get("/upr/briefing/").status_code == 403  # exports need export
    assert client.get("/upr/cycles/3/999.9/").status_code == 404
    draft = submissions.create(services.get_cycle(4), title="Draft", period_from=date(2000, 1, 1), user=world.users["analyst"])
    assert client.get(f"/upr/submissions/{draft.uid}/export/docx/").status_code == 403
    attested, _ = events_by_consent("un")
    sign_in_as(client, world.outsider)
    assert client.post("/upr/cycles/3/124.1/link/", {"record_type": "event", "record": str(attested.uid), "bearing": "implementation"}).status_code == 400
    assert EvidenceLink.objects.count() == 0
