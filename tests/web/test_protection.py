"""Safety in the interface: masks, the protected marker, the audited reveal, compartments."""

import pytest

from kirok.protection.models import ProtectedRead

from .helpers import event, member, person, sign_in, source

pytestmark = pytest.mark.django_db


def pages(side):
    victim, witness, testimony = person(side), person(side, "witness"), source(side)
    act = event(side).acts.get()
    return [f"/persons/{victim.uid}/", f"/persons/{witness.uid}/", f"/sources/{testimony.uid}/",
            f"/acts/{act.uid}/", f"/persons/{victim.uid}/history/", f"/sources/{testimony.uid}/history/",
            "/persons/", "/sources/", "/dashboard/", f"/api/records/persons/{victim.uid}", f"/api/records/sources/{testimony.uid}"]


@pytest.mark.parametrize("role", ["documenter", "data_steward", "analyst", "reviewer", "external_recipient"])
def test_no_canary_shows_without_a_reveal(world, client, role):
    north, south = world
    sign_in(client, member(f"{role}-c", role))
    for url in pages(north):
        body = client.get(url).content.decode()
        for canary in [*north.canaries.values(), *south.canaries.values()]:
            assert canary not in body, (url, canary)
    assert ProtectedRead.objects.count() == 0


def test_protected_fields_carry_a_visible_marker(world, client):
    north, _south = world
    sign_in(client, member("doc-m", "documenter"))
    body = client.get(f"/sources/{source(north).uid}/").content.decode()
    assert body.count('class="protected"') >= 2  # transcript, description
    assert "●●●" in body and 'action="/sources/' in body  # masked, with the reveal form


def test_reveal_shows_the_values_once_and_is_audited(world, client):
    north, _south = world
    user = sign_in(client, member("doc-r", "documenter"))
    victim = person(north)
    response = client.post(f"/persons/{victim.uid}/reveal/", {"purpose": "checking a duplicate for case 12"})
    body = response.content.decode()
    assert north.canaries["victim_name"] in body and 'class="revealed"' in body
    read = ProtectedRead.objects.get()
    assert read.user == user and read.purpose == "checking a duplicate for case 12"
    assert read.record_uids == [str(victim.uid)] and "names.full_name" in read.fields
    assert north.canaries["victim_name"] not in client.get(f"/persons/{victim.uid}/").content.decode()


def test_reveal_in_the_history(world, client):
    north, _south = world
    sign_in(client, member("doc-h", "documenter"))
    testimony = source(north)
    body = client.post(f"/sources/{testimony.uid}/reveal/", {"purpose": "transcript check", "view": "history"}).content.decode()
    assert north.canaries["transcript"] in body
    assert ProtectedRead.objects.filter(record_type="source").count() == 1


def test_reveal_with_htmx_answers_with_the_fields_only(world, client):
    north, _south = world
    sign_in(client, member("doc-x", "documenter"))
    response = client.post(f"/persons/{person(north).uid}/reveal/", {"purpose": "identify"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and north.canaries["victim_name"] in response.content.decode()


def test_reveal_needs_a_purpose(world, client):
    north, _south = world
    sign_in(client, member("doc-p", "documenter"))
    response = client.post(f"/persons/{person(north).uid}/reveal/", {"purpose": "  "}, follow=True)
    assert north.canaries["victim_name"] not in response.content.decode()
    assert ProtectedRead.objects.count() == 0


@pytest.mark.parametrize("role", ["analyst", "reviewer", "external_recipient"])
def test_roles_that_may_not_see_protected_values_cannot_reveal(world, client, role):
    north, _south = world
    sign_in(client, member(f"{role}-r", role))
    victim = person(north)
    assert "/reveal/" not in client.get(f"/persons/{victim.uid}/").content.decode()
    response = client.post(f"/persons/{victim.uid}/reveal/", {"purpose": "curious"})
    assert response.status_code == 403
    assert north.canaries["victim_name"] not in response.content.decode()
    assert ProtectedRead.objects.count() == 0


def test_reveal_outside_the_compartments_is_not_found(world, client):
    _north, south = world
    sign_in(client, member("steward-o", "data_steward"))
    response = client.post(f"/persons/{person(south).uid}/reveal/", {"purpose": "guessing ids"})
    assert response.status_code == 404
    assert south.canaries["victim_name"] not in response.content.decode()


def test_reveal_is_a_post_with_the_csrf_token(world):
    from django.test import Client

    north, _south = world
    client = Client(enforce_csrf_checks=True)
    sign_in(client, member("doc-csrf", "documenter"))
    response = client.post(f"/persons/{person(north).uid}/reveal/", {"purpose": "no token"})
    assert response.status_code == 403
    assert ProtectedRead.objects.count() == 0


def test_a_session_times_out_on_the_workspace_pages(world, client, settings):
    import time

    from kirok.accounts.signals import SIGNED_IN_AT

    sign_in(client, member("doc-t", "documenter"))
    session = client.session
    session[SIGNED_IN_AT] = time.time() - settings.KIROK_SESSION_MAX_SECONDS - 1
    session.save()
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
