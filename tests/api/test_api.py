"""The API: session sign-in, deny by default, compartments and masks as on the pages."""

import pytest

from kirok.protection.models import ProtectedRead
from tests.web.helpers import event, member, person, sign_in, source

pytestmark = pytest.mark.django_db


def test_anonymous_and_half_signed_in_callers_get_401(world, client):
    assert client.get("/api/records/events").status_code == 401
    user = member("doc-half", "documenter")
    client.force_login(user)  # password only: the TOTP step is owed
    response = client.get("/api/records/events")
    assert response.status_code in (302, 401)
    assert b"north" not in response.content


def test_lists_hold_only_what_the_caller_may_see(world, client):
    north, south = world
    sign_in(client, member("rev-api", "reviewer"))
    items = client.get("/api/records/events").json()["items"]
    assert [i["external_id"] for i in items] == [north.ext("event")]
    people = {i["external_id"] for i in client.get("/api/records/persons").json()["items"]}
    assert people == {north.ext("victim"), north.ext("witness")}
    assert client.get("/api/records/sources", params={"kind": "testimony"}).json()["items"][0]["id"] == str(source(north).uid)


def test_one_record_masked_and_out_of_reach_404(world, client):
    north, south = world
    sign_in(client, member("steward-api", "data_steward"))
    data = client.get(f"/api/records/persons/{person(north).uid}").json()
    assert data["pseudonym"].startswith("P-")
    assert north.canaries["victim_name"] not in str(data) and "●●●" in str(data)
    assert client.get(f"/api/records/persons/{person(south).uid}").status_code == 404
    assert client.get(f"/api/records/events/{south.ext('event')}").status_code == 404
    assert ProtectedRead.objects.count() == 0


def test_reveal_through_the_api_needs_a_purpose_and_is_audited(world, client):
    north, _south = world
    sign_in(client, member("doc-api", "documenter"))
    data = client.get(f"/api/records/sources/{source(north).uid}", {"purpose": "transcript review"}).json()
    assert data["transcript"] == north.canaries["transcript"]
    assert ProtectedRead.objects.get().purpose == "transcript review"


def test_reveal_is_masked_for_roles_without_see_protected(world, client):
    north, _south = world
    sign_in(client, member("an-api", "analyst"))
    data = client.get(f"/api/records/sources/{source(north).uid}", {"purpose": "curious"}).json()
    assert north.canaries["transcript"] not in str(data)
    assert ProtectedRead.objects.count() == 0


def test_administrator_reads_nothing(world, client):
    sign_in(client, member("admin-api", "admin"))
    assert client.get("/api/records/events").status_code == 403
    assert client.get(f"/api/records/events/{event(world[0]).uid}").status_code == 403


def test_openapi_docs_for_signed_in_readers_only(world, client):
    assert client.get("/api/docs").status_code == 302
    assert client.get("/api/openapi.json").status_code == 302
    sign_in(client, member("rev-docs", "reviewer"))
    body = client.get("/api/docs").content.decode()
    assert "/api/records/persons" in body and "https://" not in body
    schema = client.get("/api/openapi.json").json()
    assert "/api/records/events/{ref}" in schema["paths"]


def test_routers_of_installed_apps_are_discovered(monkeypatch):
    """An app with ``<app>.api.router`` is mounted at /api/<label>/ without a change to kirok.api."""
    import types

    from ninja import Router

    from kirok.api import main

    router = Router()
    fake = types.ModuleType("kirok.evidence.api")
    fake.router = router
    real_find, real_import = main.find_spec, main.import_module
    monkeypatch.setattr(main, "find_spec", lambda name: object() if name == "kirok.evidence.api" else real_find(name))
    monkeypatch.setattr(main, "import_module", lambda name: fake if name == "kirok.evidence.api" else real_import(name))
    found = dict(main.discover())
    assert found["evidence"] is router and "records" in found


def test_unsafe_methods_need_the_csrf_token(world, rf):
    """The session is the API's credential, so a request from another site's form must not be
    able to use it: an unsafe method without the token is refused before the endpoint runs."""
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.middleware.csrf import get_token
    from ninja.errors import HttpError

    from kirok.api.auth import RoleSession

    user = member("doc-post", "documenter")
    user.is_verified = lambda: True  # past the code step, as OTPMiddleware marks it
    auth = RoleSession()
    forged = rf.post("/api/records/anything", {})
    forged.user = user
    SessionMiddleware(lambda r: None).process_request(forged)
    with pytest.raises(HttpError) as refused:
        auth(forged)
    assert refused.value.status_code == 403
    good = rf.get("/")
    token = get_token(good)
    honest = rf.post("/api/records/anything", {}, HTTP_X_CSRFTOKEN=token)
    honest.COOKIES["kirok_csrftoken"] = good.META["CSRF_COOKIE"]
    honest.COOKIES["kirok_session"] = "x"
    honest.user = user
    assert auth(honest) == user
