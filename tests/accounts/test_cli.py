"""`kirok createadmin` and `kirok user …` as an operator uses them, and `make demo`'s admin sign-in."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from kirok.accounts import services
from kirok.accounts.roles import role_of
from tests.accounts.helpers import secret_on_page, signed_in, totp

pytestmark = pytest.mark.django_db
NEW = "a sentence only I would write"


def one_time_password(output: str) -> str:
    return re.search(r"One-time password \(shown only now\): (\S+)", output).group(1)


def test_make_demo_admin_signs_in_with_the_printed_password_enrols_and_reaches_the_admin(client, capsys):
    call_command("createadmin")
    password = one_time_password(capsys.readouterr().out)
    admin = get_user_model().objects.get(username="admin")
    assert admin.password.startswith("argon2$") and not admin.is_superuser and admin.is_staff
    assert role_of(admin).code == "admin"

    assert client.post("/accounts/sign-in/", {"username": "admin", "password": password, "next": "/admin/"})["Location"] == "/admin/"
    enrol = client.get("/admin/", follow=True)
    secret = secret_on_page(enrol.content.decode())
    client.post("/accounts/two-factor/enrol/", {"token": totp(secret)})
    change = client.get("/admin/", follow=True)
    assert change.request["PATH_INFO"] == "/accounts/password/"
    client.post("/accounts/password/", {"old_password": password, "new_password1": NEW, "new_password2": NEW})
    index = client.get("/admin/")
    assert index.status_code == 200 and "/admin/auth/user/" in index.content.decode()


def test_createadmin_again_resets_password_second_factor_and_lockout(client, capsys):
    admin = signed_in(client, "admin", "admin")
    call_command("createadmin")
    out = capsys.readouterr().out
    assert out.startswith("Reset user 'admin'")
    admin.refresh_from_db()
    assert admin.check_password(one_time_password(out))
    assert not services.has_two_factor(admin) and services.must_change_password(admin)


def test_user_add_list_set_role_and_errors(capsys):
    call_command("user", "add", "minji", "--role", "documenter")
    out = capsys.readouterr().out
    minji = get_user_model().objects.get(username="minji")
    assert minji.check_password(one_time_password(out)) and "authenticator app" in out
    call_command("user", "add", "jun", "--role", "reviewer")
    assert "authenticator" not in capsys.readouterr().out

    call_command("user", "list")
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["user", "role", "active", "2FA", "password", "last", "sign-in"]
    assert listing[2].split()[:5] == ["minji", "documenter", "yes", "no", "one-time"]

    call_command("user", "set-role", "jun", "analyst")
    assert role_of(get_user_model().objects.get(username="jun")).code == "analyst"

    with pytest.raises(CommandError, match="Unknown role 'boss'; the roles are: admin, data_steward"):
        call_command("user", "add", "x", "--role", "boss")
    with pytest.raises(CommandError, match="A user named 'minji' exists already"):
        call_command("user", "add", "minji", "--role", "analyst")
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("user", "set-role", "nobody", "analyst")
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("user", "reset-2fa", "nobody")
    with pytest.raises(CommandError, match="Give a user name"):
        call_command("user", "unlock")


def test_user_reset_2fa_removes_the_authenticator(client, capsys):
    user = signed_in(client, "documenter", "minji")
    services.new_recovery_codes(user)
    call_command("user", "reset-2fa", "minji")
    assert "Removed 2 two-factor devices of minji" in capsys.readouterr().out
    assert not services.has_two_factor(user)


def test_one_time_passwords_pass_the_password_validators():
    from django.contrib.auth.password_validation import validate_password

    user, password = services.create_user("valid", "analyst")
    validate_password(password, user)
    assert len({services.one_time_password() for _ in range(50)}) == 50


def test_older_password_hashes_are_upgraded_to_argon2_at_sign_in(client):
    from django.contrib.auth.hashers import make_password

    user, _ = services.create_user("legacy", "reviewer")
    services.password_changed(user)
    get_user_model().objects.filter(pk=user.pk).update(password=make_password(NEW, hasher="pbkdf2_sha256"))
    assert client.post("/accounts/sign-in/", {"username": "legacy", "password": NEW}).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
