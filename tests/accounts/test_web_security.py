"""What an attacker on the network or another site tries: CSRF, session fixation, framing,
injected script, and the administration."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from tests.accounts.helpers import make_user, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.urls")]

PASSWORD = "quiet river under stone 42"


def test_sign_in_form_refuses_a_post_without_the_csrf_token():
    make_user("minji", "reviewer", own_password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    forged = client.post("/accounts/sign-in/", {"username": "minji", "password": PASSWORD})
    assert forged.status_code == 403
    assert "_auth_user_id" not in client.session

    page = client.get("/accounts/sign-in/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    signed = client.post("/accounts/sign-in/", {"username": "minji", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert signed.status_code == 302 and "_auth_user_id" in client.session


def test_code_step_and_sign_out_also_need_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    signed_in(client, "analyst")
    assert client.post("/accounts/sign-out/").status_code == 403
    assert client.post("/accounts/sign-in/code/", {"token": "123456"}).status_code == 403


def test_session_key_planted_before_sign_in_is_not_the_one_after_it(client):
    make_user("minji", "documenter", own_password=PASSWORD)
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    client.post("/accounts/sign-in/", {"username": "minji", "password": PASSWORD})
    after_password = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after_password != planted.session_key
    assert not SessionStore().exists(planted.session_key)

    # The attacker's planted key carries no sign-in.
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert attacker.get("/accounts/")["Location"].startswith("/accounts/sign-in/")


def test_passing_the_code_step_rotates_the_session_key_again(client):
    from tests.accounts.helpers import totp, device_secret

    user = signed_in(client, "documenter", "sora")
    client.logout()
    client.post("/accounts/sign-in/", {"username": "sora", "password": "correct horse battery staple"})
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post("/accounts/sign-in/code/", {"token": totp(device_secret(user))}).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before
    assert not SessionStore().exists(before)


def test_session_and_csrf_cookies_are_httponly_and_samesite(client):
    make_user("minji", "reviewer", own_password=PASSWORD)
    client.post("/accounts/sign-in/", {"username": "minji", "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    client.get("/accounts/sign-in/")
    assert client.cookies[settings.CSRF_COOKIE_NAME]["httponly"]


@pytest.mark.parametrize("path", ["/", "/accounts/sign-in/", "/accounts/", "/admin/"])
def test_content_security_policy_on_pages(client, path):
    signed_in(client, "admin")
    response = client.get(path)
    assert response.status_code == 200, path
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and "unsafe" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_sign_in_pages_carry_no_inline_script(client):
    signed_in(client, "documenter").kirok_account  # noqa: B018
    for path in ("/accounts/sign-in/", "/accounts/", "/accounts/password/", "/accounts/sign-out/"):
        body = client.get(path).content.decode()
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body)  # scripts from this server are fine (CSP 'self')
        assert not inline and " on" + "click=" not in body and "style=" not in body, path


def test_admin_login_page_is_kirok_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/sign-in/?next=%2Fadmin%2F"


def test_administrator_manages_users_in_the_admin_but_sees_no_records(client):
    signed_in(client, "admin")
    index = client.get("/admin/").content.decode()
    assert "/admin/auth/user/" in index and "/admin/records/" not in index
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get("/admin/records/person/").status_code == 403


def test_steward_opens_records_in_the_admin_but_not_accounts(client):
    signed_in(client, "data_steward")
    index = client.get("/admin/").content.decode()
    assert "/admin/records/" in index and "/admin/auth/user/" not in index
    assert client.get("/admin/records/person/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403


@pytest.mark.parametrize("role", ["analyst", "reviewer", "external_recipient", "documenter"])
def test_roles_without_admin_site_are_refused_the_admin(client, role):
    signed_in(client, role)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403 and "does not open the administration" in response.content.decode()


def test_a_superuser_made_outside_kirok_gets_neither_admin_nor_data(client):
    from django.contrib.auth import get_user_model
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    device = TOTPDevice.objects.create(user=root, confirmed=True)
    client.force_login(root)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get("/admin/", follow=True).status_code == 403
    assert client.get("/admin/records/person/", follow=True).status_code == 403
    assert client.get("/test/protected/").status_code == 403


def test_administrator_sets_roles_in_the_admin_but_not_their_own(client):
    from kirok.accounts.models import Account
    from kirok.accounts.roles import role_of

    admin = signed_in(client, "admin")
    jun, _ = make_user("jun", "reviewer")
    response = client.post(f"/admin/accounts/account/{jun.pk}/change/",
                           {"user": jun.pk, "role": "data_steward", "must_change_password": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    jun.refresh_from_db()
    assert role_of(jun).code == "data_steward" and jun.is_staff and not jun.is_superuser

    own = client.post(f"/admin/accounts/account/{admin.pk}/change/",
                      {"user": admin.pk, "role": "data_steward", "must_change_password": ""})
    assert own.status_code == 403
    assert Account.objects.get(user=admin).role == "admin"
    bogus = client.post(f"/admin/accounts/account/{jun.pk}/change/", {"user": jun.pk, "role": "god"})
    assert bogus.status_code == 200 and Account.objects.get(user=jun).role == "data_steward"


def test_signing_out_ends_the_session_on_the_server(client):
    signed_in(client, "documenter")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore().exists(key)
    assert client.post("/accounts/sign-out/").status_code == 302
    assert not SessionStore().exists(key)
    replay = Client()  # someone who copied the cookie before the sign-out
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/accounts/")["Location"].startswith("/accounts/sign-in/")
