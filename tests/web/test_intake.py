"""Writing through the workspace: testimony intake, the incident builder, evidence upload."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kirok.protection.compartments import compartments_of
from kirok.records.models import Act, Changeset, Consent, Event, Involvement, Source, Version
from tests.records.helpers import plain

from .helpers import member, person, sign_in, source

pytestmark = pytest.mark.django_db

TRANSCRIPT = "CANARY-INTAKE 보위부가 1998년에 우리 집에 왔습니다"


@pytest.fixture
def documenter(world, client):
    sign_in(client, member("doc-i", "documenter"))
    return client


def intake_data(**changes):
    data = {
        "compartment": "north", "title": "면담 A-12 (가상)", "interviewer": "K. Documenter", "date": "2024-05-01",
        "language": "ko", "testimony_basis": "direct_experience", "witness_name": "리명수", "witness_latin": "Ri Myong Su",
        "witness_sex": "male", "consent_scopes": ["internal", "un"], "consent_given_on": "2024-05-01",
        "consent_method": "written", "consent_note": "form C-12", "transcript": TRANSCRIPT, "description": "",
        "reason": "interview A-12",
    }
    data.update(changes)
    return data


def test_testimony_intake_records_source_witness_and_consent(documenter):
    response = documenter.post("/testimonies/new/", intake_data())
    testimony = Source.objects.get(title="면담 A-12 (가상)")
    assert response.status_code == 302 and response["Location"] == f"/sources/{testimony.uid}/"
    assert testimony.transcript == ""  # sealed: the column holds no plaintext
    assert plain(testimony)["transcript"] == TRANSCRIPT
    assert testimony.kind.code == "testimony" and testimony.testimony_basis.code == "direct_experience"
    assert str(testimony.date) == "2024-05-01" and testimony.interviewer == "K. Documenter"
    witness = testimony.witness
    assert [n["full_name"] for n in plain(witness)["names"]] == ["리명수", "Ri Myong Su"]
    consent = Consent.objects.get(source=testimony)
    assert consent.scopes == ["internal", "un"] and consent.method == "written"
    assert compartments_of(testimony) == ["north"] and compartments_of(witness) == ["north"]
    changeset = Changeset.objects.get(source=testimony)
    assert changeset.reason == "interview A-12" and changeset.user.username == "doc-i"
    assert Version.objects.filter(changeset=changeset, record_uid=testimony.uid).exists()
    page = documenter.get(response["Location"]).content.decode()
    assert TRANSCRIPT not in page and "리명수" not in page


def test_testimony_found_again_by_the_witness_name_in_any_spelling(documenter):
    documenter.post("/testimonies/new/", intake_data())
    witness = Source.objects.get(title="면담 A-12 (가상)").witness
    for query in ("이명수", "Lee Myong Su", "리명수"):
        rows = documenter.get("/persons/", {"q": query}).context["rows"]
        assert [r[0].pk for r in rows] == [witness.pk], query


def test_testimony_intake_refuses_what_is_incomplete(documenter):
    response = documenter.post("/testimonies/new/", intake_data(consent_method="", compartment="south"))
    form = response.context["form"]
    assert response.status_code == 200 and {"consent_method", "compartment"} <= set(form.errors)
    assert not Source.objects.filter(title="면담 A-12 (가상)").exists()
    bad_date = documenter.post("/testimonies/new/", intake_data(date="spring-ish"))
    assert "date" in bad_date.context["form"].errors


def test_reviewer_cannot_open_the_intake(world, client):
    sign_in(client, member("rev-i", "reviewer"))
    assert client.get("/testimonies/new/").status_code == 403
    assert client.post("/testimonies/new/", intake_data()).status_code == 403


def act_fields(index: int, **values) -> dict:
    base = {"act_type": "arbitrary_detention", "victim_kind": "none", "perpetrator_kind": "none"}
    return {f"acts-{index}-{k}": v for k, v in {**base, **values}.items()}


def incident_form(acts: list[dict], **changes) -> dict:
    data = {"compartment": "north", "title": "요덕 구금 (가상)", "start_date": "1998~", "end_date": "1999/2001",
            "place_query": "Yodok", "categories": [], "source": "", "reason": "coded from interview A-12",
            "acts-TOTAL_FORMS": str(len(acts)), "acts-INITIAL_FORMS": "0", "acts-MIN_NUM_FORMS": "1", "acts-MAX_NUM_FORMS": "50"}
    for act in acts:
        data.update(act)
    data.update(changes)
    return data


def test_incident_builder_with_two_acts(gazetteer, world, client):
    from kirok.records.models import Organization, Place

    north, _south = world
    sign_in(client, member("doc-b", "documenter"))
    unit = Organization.objects.filter(name_ko__contains="보위").first()
    victim = person(north)
    data = incident_form([
        act_fields(0, victim_kind="existing", victim_ref=victim.external_id, perpetrator_kind="unit", unit_query=unit.name_ko,
                   degree="directly_carried_out", methods=["beating"], place_query="요덕", start_date="1998년 3월",
                   exact_location="CANARY-BUILDER-HOME"),
        act_fields(1, act_type="torture", victim_kind="group", group_size="12", group_description="fictional family members",
                   perpetrator_kind="person", perpetrator_ref=person(north, "witness").external_id, degree="gave_orders",
                   start_date="1998/1999"),
    ], source=source(north).external_id, testimony_basis="witnessed")
    response = client.post("/incidents/new/", data)
    assert response.status_code == 302, response.context and (response.context["form"].errors, [f.errors for f in response.context["acts"].forms])
    incident = Event.objects.get(title="요덕 구금 (가상)")
    assert str(incident.start_date) == "1998~" and str(incident.end_date) == "1999/2001"
    yodok = Place.objects.get(name_ko__contains="요덕")
    assert list(incident.places.all()) == [yodok]
    first, second = incident.acts.order_by("pk")
    assert first.victim == victim and first.place == yodok and str(first.start_date) == "1998-03"
    assert first.exact_location == "" and plain(first)["exact_location"] == "CANARY-BUILDER-HOME"
    assert [m.code for m in first.methods.all()] == ["beating"]
    assert Involvement.objects.get(act=first).organization == unit
    assert second.victim.group_size == 12 and second.victim.counting_unit.code == "group"
    involvement = Involvement.objects.get(act=second)
    assert involvement.perpetrator == person(north, "witness") and involvement.degree.code == "gave_orders"
    assert incident.source == source(north) and incident.information.get().testimony_basis.code == "witnessed"
    assert compartments_of(incident) == ["north"] and compartments_of(second.victim) == ["north"]


def test_incident_builder_adds_an_act_without_saving(gazetteer, world, client):
    sign_in(client, member("doc-add", "documenter"))
    response = client.post("/incidents/new/", {**incident_form([act_fields(0)]), "add_act": "1"})
    assert response.status_code == 200 and len(response.context["acts"].forms) == 2
    assert not Event.objects.filter(title="요덕 구금 (가상)").exists()
    assert "acts-1-act_type" in response.content.decode()


def test_ambiguous_place_is_offered_as_a_choice(gazetteer, world, client):
    from kirok.records.models import Place

    sign_in(client, member("doc-amb", "documenter"))
    response = client.post("/incidents/new/", incident_form([act_fields(0)], place_query="함경"))
    form = response.context["form"]
    assert response.status_code == 200 and "place" in form.errors
    offered = [uid for uid, _label in form.fields["place"].choices if uid]
    assert len(offered) >= 2
    pick = offered[0]
    response = client.post("/incidents/new/", incident_form([act_fields(0)], place_query="함경", place=pick))
    assert response.status_code == 302
    assert str(Event.objects.get(title="요덕 구금 (가상)").places.get().uid) == pick


def test_place_lookup_finds_every_spelling(gazetteer, world, client):
    sign_in(client, member("doc-look", "documenter"))
    for spelling in ("요덕", "Yodok", "Yodŏk", "Yodeok"):
        body = client.get("/gazetteer/lookup/", {"field": "acts-0-place", "acts-0-place_query": spelling}).content.decode()
        assert "요덕" in body and 'name="acts-0-place"' in body, spelling


def test_victim_out_of_reach_is_refused_and_nothing_is_written(gazetteer, world, client):
    _north, south = world
    sign_in(client, member("doc-oor", "documenter"))
    before = Act.objects.count()
    response = client.post("/incidents/new/", incident_form([act_fields(0, victim_kind="existing", victim_ref=person(south).external_id)]))
    assert response.status_code == 200 and Act.objects.count() == before
    assert not Event.objects.filter(title="요덕 구금 (가상)").exists()
    assert "no person" in response.content.decode()


def test_evidence_upload_without_javascript_shows_the_hash(world, client):
    north, _south = world
    sign_in(client, member("doc-e", "documenter"))
    content = "fictional interview recording 가상".encode() * 100
    upload = SimpleUploadedFile("interview-a12.txt", content, content_type="text/plain")
    response = client.post("/evidence/upload/", {"file": upload, "source": source(north).external_id, "collector": "K. Documenter",
                                                 "method": "recording", "origin_kind": "interview", "reason": "intake A-12"}, follow=True)
    digest = hashlib.sha256(content).hexdigest()
    body = response.content.decode()
    assert response.status_code == 200 and digest in body and "received" in body
    assert f'href="/sources/{source(north).uid}/"' in body
    assert digest in client.get(f"/sources/{source(north).uid}/").content.decode()


def test_evidence_upload_for_drag_and_drop_answers_json(world, client):
    north, south = world
    sign_in(client, member("doc-j", "documenter"))
    content = b"fictional photo bytes"
    upload = SimpleUploadedFile("photo.bin", content)
    response = client.post("/evidence/upload/", {"file": upload, "source": source(north).external_id, "collector": "K",
                                                 "reason": "intake"}, HTTP_X_KIROK_UPLOAD="1")
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()
    refused = client.post("/evidence/upload/", {"file": SimpleUploadedFile("x.bin", b"x"), "source": source(south).external_id,
                                                "collector": "K", "reason": "intake"}, HTTP_X_KIROK_UPLOAD="1")
    assert refused.status_code == 400 and "source" in refused.json()["errors"]


def test_evidence_item_of_another_compartment_is_not_found(world, client):
    from kirok.evidence.services import add_stream
    import io

    _north, south = world
    item = add_stream(io.BytesIO(b"south evidence"), name="s.bin", source=source(south), reason="test").item
    sign_in(client, member("doc-ev", "documenter"))
    assert client.get(f"/evidence/{item.uid}/").status_code == 404
