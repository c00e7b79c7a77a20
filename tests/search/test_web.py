"""The search page and the API endpoint, as signed-in users of several roles see them."""

from __future__ import annotations

import pytest

from tests.accounts.helpers import signed_in

pytestmark = pytest.mark.django_db


def signed_in_member(client, world, role):
    from kirok.protection.compartments import add_member
    from kirok.protection.models import Compartment
    from kirok.protection.principal import Principal

    user = signed_in(client, role, username=f"web-{role}")
    add_member(Compartment.objects.get(key="north"), user, principal=Principal.console("test"))
    return user


def test_the_page_shows_marked_hits_and_facets_of_the_users_compartments_only(client, world):
    assert client.get("/search/?q=요덕").status_code == 302  # anonymous: to sign-in
    signed_in_member(client, world, "analyst")
    page = client.get("/search/", {"q": "Yodok"}).content.decode()
    assert "<mark>요덕</mark>" in page and "opencanaryN" in page
    assert "opencanaryS" not in page
    assert "Record type" in page and "Violation type" in page
    narrowed = client.get("/search/", {"q": "요덕", "type": "place"}).content.decode()
    assert "opencanaryN" not in narrowed
    assert "NOT" in client.get("/search/", {"q": "NOT 구금"}).content.decode()  # the error says what to change
    assert client.get(client.get("/search/", {"q": "요덕"}).wsgi_request.get_full_path()).status_code == 200


def test_the_page_marks_protected_hits_without_revealing_them(client, world):
    from kirok.protection.models import ProtectedRead

    signed_in_member(client, world, "documenter")
    before = ProtectedRead.objects.count()
    page = client.get("/search/", {"q": "zorblaxN"}).content.decode()
    assert world.north.ext("source") in page and "protected" in page
    assert "zorblaxN 보위원이" not in page and ProtectedRead.objects.count() == before


def test_a_role_without_read_records_is_refused(client, world):
    signed_in(client, "admin", username="web-admin")
    assert client.get("/search/", {"q": "요덕"}).status_code == 403


def test_the_api_answers_like_the_page(client, world):
    assert client.get("/api/search/", {"q": "요덕"}).status_code == 401
    signed_in_member(client, world, "analyst")
    data = client.get("/api/search/", {"q": "구금", "type": "event"}).json()
    assert data["error"] == "" and data["total"] == 1
    assert [h["external_id"] for h in data["hits"]] == [world.north.ext("event")]
    assert {f["value"]: f["count"] for f in data["facets"]["type"]} == {"event": 1}
    assert client.get("/api/search/", {"q": "zorblaxN"}).json()["total"] == 0
    assert client.get("/api/search/", {"q": "NOT x"}).json()["error"]
