"""Guessing passwords or codes ends in a lockout, by user name and by address, with a clear
message; an administrator unlocks, or the cool-off passes."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.accounts.helpers import make_user, signed_in

pytestmark = pytest.mark.django_db

PASSWORD = "quiet river under stone 42"
LIMIT = settings.AXES_FAILURE_LIMIT


def attempt(client, username, password, ip="203.0.113.7"):
    return client.post("/accounts/sign-in/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def lock(client, username, ip="203.0.113.7"):
    responses = [attempt(client, username, "wrong password %d" % n, ip) for n in range(LIMIT)]
    assert [r.status_code for r in responses[:-1]] == [200] * (LIMIT - 1)
    return responses[-1]


def test_repeated_failures_lock_the_user_out_even_with_the_right_password(client):
    make_user("target", "documenter", own_password=PASSWORD)
    locked = lock(client, "target")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Too many failed sign-ins" in body and f"{settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in body
    assert "kirok user unlock" in body
    # Right password, another address: the user name itself is locked.
    assert attempt(Client(), "target", PASSWORD, ip="198.51.100.1").status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_unlock_lets_the_user_in_again(client, capsys):
    make_user("target", "reviewer", own_password=PASSWORD)
    lock(client, "target")
    call_command("user", "unlock", "target", "--ip", "203.0.113.7")
    assert "Unlocked target / 203.0.113.7" in capsys.readouterr().out
    response = attempt(Client(), "target", PASSWORD)
    assert response.status_code == 302


def test_the_lock_lifts_after_the_cool_off(client):
    make_user("target", "reviewer", own_password=PASSWORD)
    lock(client, "target")
    assert attempt(Client(), "target", PASSWORD, ip="198.51.100.2").status_code == 429
    past = settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    for row in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=row.pk).update(attempt_time=row.attempt_time - past)
    assert attempt(Client(), "target", PASSWORD, ip="198.51.100.2").status_code == 302


def test_one_address_trying_many_user_names_is_locked_out(client):
    make_user("innocent", "reviewer", own_password=PASSWORD)
    for n in range(LIMIT):
        attempt(client, f"guess{n}", "wrong password")
    assert attempt(Client(), "innocent", PASSWORD).status_code == 429
    assert attempt(Client(), "innocent", PASSWORD, ip="198.51.100.3").status_code == 302


def test_guessing_totp_codes_counts_towards_the_lockout_and_signs_out(client):
    user = signed_in(client, "data_steward", "steward")
    client.logout()
    assert attempt(client, "steward", "correct horse battery staple").status_code == 302
    last = None
    for n in range(LIMIT):
        last = client.post("/accounts/sign-in/code/", {"token": f"{n:06d}"}, REMOTE_ADDR="203.0.113.7")
        if last.status_code == 429:
            break
        time.sleep(2 ** n * 0.001)
    assert last.status_code == 429
    assert "_auth_user_id" not in client.session
    assert attempt(Client(), "steward", "correct horse battery staple").status_code == 429
