"""Signing in as the people who use Kirok do: a documenter's first day, a returning steward, a
reviewer without a phone; and what a password alone cannot reach."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticToken

from kirok.accounts import services
from kirok.accounts.signals import SIGNED_IN_AT
from tests.accounts.helpers import device_secret, make_user, secret_on_page, signed_in, totp
from tests.accounts.urls import CANARY

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.urls")]

OWN_PASSWORD = "quiet river under stone 42"


def sign_in(client, username, password, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/sign-in/", data)


def test_documenter_first_sign_in_enrols_totp_then_picks_a_password(client):
    user, one_time = make_user("minji", "documenter")
    response = sign_in(client, "minji", one_time, "/test/protected/")
    assert response.status_code == 302 and response["Location"] == "/test/protected/"

    # A password alone reaches nothing but the enrolment page.
    response = client.get("/test/protected/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/enrol/")
    for path in ("/accounts/", "/accounts/password/", "/accounts/sign-in/code/", "/admin/"):
        assert client.get(path)["Location"].startswith("/accounts/two-factor/enrol/"), path

    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "otpauth://totp/" in body
    secret = secret_on_page(body)

    wrong = client.post("/accounts/two-factor/enrol/", {"token": "000000" if totp(secret) != "000000" else "111111"})
    assert "does not match" in wrong.content.decode()
    assert secret_on_page(wrong.content.decode()) == secret  # the same pending key, not a new one
    assert "Wait 1 second before the next try." in wrong.content.decode()  # django-otp's throttle
    time.sleep(1.1)

    confirmed = client.post("/accounts/two-factor/enrol/?next=/test/protected/", {"token": totp(secret)})
    body = confirmed.content.decode()
    codes = [t.token for t in StaticToken.objects.filter(device__user=user)]
    assert len(codes) == services.RECOVERY_CODE_COUNT and all(code in body for code in codes)
    assert secret not in body

    # The key is never shown again: the enrolment page now sends the user on.
    assert client.get("/accounts/two-factor/enrol/").status_code == 302

    # Next owed step: a password of one's own.
    response = client.get("/test/protected/")
    assert response["Location"].startswith("/accounts/password/")
    response = client.post("/accounts/password/?next=/test/protected/", {
        "old_password": one_time, "new_password1": OWN_PASSWORD, "new_password2": OWN_PASSWORD,
        "next": "/test/protected/",
    })
    assert response.status_code == 302 and response["Location"] == "/test/protected/"
    user.refresh_from_db()
    assert not services.must_change_password(user)
    assert client.get("/test/protected/").content.decode() == CANARY


def test_returning_user_passes_the_code_step_and_a_recovery_code_works_once(client):
    user = signed_in(client, "data_steward", "sora")
    client.logout()
    secret = device_secret(user)
    codes = services.new_recovery_codes(user)

    assert sign_in(client, "sora", "correct horse battery staple")["Location"] == "/"
    response = client.get("/test/protected/")
    assert response["Location"].startswith("/accounts/sign-in/code/")
    assert CANARY not in client.get("/test/protected/", follow=True).content.decode()

    bad = client.post("/accounts/sign-in/code/", {"token": "12345"})
    assert bad.status_code == 200 and "not accepted" in bad.content.decode()
    time.sleep(1.1)
    good = client.post("/accounts/sign-in/code/", {"token": totp(secret), "next": "/test/protected/"})
    assert good["Location"] == "/test/protected/"
    assert client.get("/test/protected/").content.decode() == CANARY

    client.post("/accounts/sign-out/")
    sign_in(client, "sora", "correct horse battery staple")
    assert client.post("/accounts/sign-in/code/", {"token": codes[0]})["Location"] == "/"
    assert client.get("/test/protected/").status_code == 200
    client.post("/accounts/sign-out/")
    sign_in(client, "sora", "correct horse battery staple")
    reused = client.post("/accounts/sign-in/code/", {"token": codes[0]})
    assert reused.status_code == 200 and "not accepted" in reused.content.decode()


def test_reviewer_role_needs_no_second_factor_but_sees_no_protected_page(client):
    user, one_time = make_user("jun", "reviewer")
    sign_in(client, "jun", one_time)
    assert client.get("/accounts/")["Location"].startswith("/accounts/password/")
    client.post("/accounts/password/", {"old_password": one_time, "new_password1": OWN_PASSWORD, "new_password2": OWN_PASSWORD})
    account = client.get("/accounts/")
    assert account.status_code == 200 and "Reviewer" in account.content.decode()
    assert client.get("/test/protected/").status_code == 403


def test_wrong_password_gets_a_clear_message_and_no_session(client):
    make_user("hana", "analyst")
    response = sign_in(client, "hana", "not her password at all")
    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_account_cannot_sign_in(client):
    user, password = make_user("gone", "analyst")
    user.is_active = False
    user.save()
    assert sign_in(client, "gone", password).status_code == 200
    assert "_auth_user_id" not in client.session


def test_next_parameter_cannot_send_the_browser_to_another_site(client):
    _user, password = make_user("eve", "reviewer", own_password=OWN_PASSWORD)
    response = sign_in(client, "eve", OWN_PASSWORD, "https://evil.example/phish")
    assert response.status_code == 302 and response["Location"] == "/"


def test_sign_out_is_a_post(client):
    signed_in(client, "analyst")
    assert client.get("/accounts/sign-out/").status_code == 200
    assert "_auth_user_id" in client.session
    assert client.post("/accounts/sign-out/")["Location"] == "/accounts/sign-in/"
    assert "_auth_user_id" not in client.session


def test_idle_limit_is_shorter_for_roles_that_see_protected_data(client):
    signed_in(client, "documenter")
    client.get("/accounts/")
    assert client.session.get_expiry_age() == settings.KIROK_IDLE_SECONDS_PROTECTED
    client.logout()
    signed_in(client, "reviewer")
    client.get("/accounts/")
    assert client.session.get_expiry_age() == settings.KIROK_IDLE_SECONDS
    assert settings.KIROK_IDLE_SECONDS_PROTECTED < settings.KIROK_IDLE_SECONDS


def test_session_ends_after_the_absolute_limit_however_active(client):
    signed_in(client, "documenter")
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.KIROK_SESSION_MAX_SECONDS - 1
    session.save()
    response = client.get("/test/protected/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")
    assert "_auth_user_id" not in client.session


def test_admin_reset_of_the_second_factor_sends_the_user_back_to_enrolment(client):
    from django.core.management import call_command

    user = signed_in(client, "documenter", "lost-phone")
    client.logout()
    call_command("user", "reset-2fa", "lost-phone")
    sign_in(client, "lost-phone", "correct horse battery staple")
    assert client.get("/test/protected/")["Location"].startswith("/accounts/two-factor/enrol/")


def test_pages_render_in_korean(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    body = client.get("/accounts/sign-in/").content.decode()
    assert '<html lang="ko">' in body


def test_changes_by_an_administrator_reach_sessions_already_open(client):
    from django.core.management import call_command

    user = signed_in(client, "documenter", "minji")
    assert client.get("/test/protected/").status_code == 200
    call_command("user", "set-role", "minji", "reviewer")
    assert client.get("/test/protected/").status_code == 403
    call_command("user", "set-role", "minji", "documenter")
    call_command("user", "reset-2fa", "minji")
    assert client.get("/test/protected/")["Location"].startswith("/accounts/two-factor/enrol/")
    user.is_active = False
    user.save()
    assert client.get("/test/protected/").status_code == 403
    assert client.get("/accounts/")["Location"].startswith("/accounts/sign-in/")


def test_idle_expiry_is_pushed_forward_at_most_once_a_minute(client):
    from django.contrib.sessions.models import Session

    from kirok.accounts.middleware import IDLE_STEP, LAST_SEEN

    signed_in(client, "documenter")
    client.get("/accounts/")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(session_key=key).expire_date
    client.get("/accounts/")
    assert Session.objects.get(session_key=key).expire_date == first  # no write for this request
    session = client.session
    session[LAST_SEEN] -= IDLE_STEP  # as if the last push was a minute ago
    session.save()
    saved = Session.objects.get(session_key=key).expire_date
    time.sleep(1)
    client.get("/accounts/")
    assert Session.objects.get(session_key=key).expire_date > saved
