"""TOTP keys are sealed at rest: a copy of the database holds no second factor, sign-in still
works, existing keys are sealed by the migration, and key rotation re-encrypts them."""

from __future__ import annotations

import base64

import pytest
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from kirok.accounts import totp as sealed_totp
from kirok.accounts.models import TOTPSecret
from kirok.protection.envelope import Unopenable, open_value
from kirok.protection.principal import Principal
from kirok.protection.rotation import rotate_data_key
from kirok.records.exchange import SEALED
from tests.accounts.helpers import make_user, secret_on_page, totp

pytestmark = pytest.mark.django_db

PASSWORD = "quiet river under stone 42"


def database_text() -> str:
    with connection.cursor() as cur:
        out = []
        for table in connection.introspection.table_names(cur):
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            out.append(repr(cur.fetchall()))
    return "\n".join(out)


def enrolled(client, username: str = "minji") -> tuple[object, str]:
    user, _ = make_user(username, "documenter", own_password=PASSWORD)
    client.post("/accounts/sign-in/", {"username": username, "password": PASSWORD})
    secret = secret_on_page(client.get("/accounts/two-factor/enrol/").content.decode())
    response = client.post("/accounts/two-factor/enrol/", {"token": totp(secret)})
    assert response.status_code == 200 and "recovery" in response.content.decode().lower()
    return user, secret


def test_an_enrolled_key_is_nowhere_in_the_database_and_sign_in_works(client):
    user, secret = enrolled(client)
    device = TOTPDevice.objects.get(user=user)
    hex_key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    assert device.key == sealed_totp.PLACEHOLDER
    text = database_text()
    assert hex_key not in text and hex_key.upper() not in text and secret not in text
    assert set(TOTPSecret.objects.get(device=device).sealed[SEALED]) == {"commit", "kid", "ct"}

    client.post("/accounts/sign-out/")
    client.post("/accounts/sign-in/", {"username": "minji", "password": PASSWORD})
    device.refresh_from_db()
    # The code used at enrolment is spent (django-otp refuses reuse): take the next step's code.
    code = totp(secret, at=(device.last_t + 1) * device.step)
    from unittest import mock

    with mock.patch("time.time", return_value=(device.last_t + 1) * device.step + 1):
        assert client.post("/accounts/sign-in/code/", {"token": code}).status_code == 302
        assert client.get("/accounts/").status_code == 200


def test_a_sealed_key_moved_to_another_device_does_not_open(client):
    user, _ = enrolled(client)
    other, _ = make_user("jun", "analyst")
    mine = TOTPSecret.objects.get(device__user=user)
    theirs = TOTPDevice.objects.create(user=other, name="authenticator", confirmed=True)
    with pytest.raises(Unopenable):
        open_value(mine.sealed[SEALED], sealed_totp.where(theirs.pk))


def test_keys_written_before_sealing_are_sealed_by_the_migration_step():
    user, _ = make_user("old", "analyst")
    legacy_key = "3132333435363738393031323334353637383930"  # the RFC 6238 test key
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    TOTPSecret.objects.filter(device=device).delete()
    TOTPDevice.objects.filter(pk=device.pk).update(key=legacy_key)  # as django-otp kept it before
    assert TOTPDevice.objects.get(pk=device.pk).bin_key == bytes.fromhex(legacy_key)  # still works unsealed

    assert sealed_totp.seal_stored_keys(TOTPDevice, TOTPSecret) == 1
    fresh = TOTPDevice.objects.get(pk=device.pk)
    assert fresh.key == sealed_totp.PLACEHOLDER and fresh.bin_key == bytes.fromhex(legacy_key)
    assert legacy_key not in database_text()
    code = totp(base64.b32encode(bytes.fromhex(legacy_key)).decode())
    assert fresh.verify_token(code)

    sealed_totp.open_stored_keys(TOTPDevice, TOTPSecret)  # the migration's reverse
    assert TOTPDevice.objects.get(pk=device.pk).key == legacy_key and not TOTPSecret.objects.exists()


def test_key_rotation_re_encrypts_totp_keys_and_codes_still_verify():
    user, _ = make_user("rot", "analyst")
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    secret = base64.b32encode(device.bin_key).decode()
    before = TOTPSecret.objects.get(device=device).sealed[SEALED]
    result = rotate_data_key(principal=Principal.console("test"))
    after = TOTPSecret.objects.get(device=device).sealed[SEALED]
    assert after["kid"] == result.new_key != before["kid"] and after["commit"] == before["commit"]
    assert before["kid"] in result.retired
    assert TOTPDevice.objects.get(pk=device.pk).verify_token(totp(secret))


def test_a_missing_sealed_key_says_how_to_recover():
    user, _ = make_user("lost", "analyst")
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    TOTPSecret.objects.filter(device=device).delete()
    with pytest.raises(sealed_totp.SealedKeyMissing, match="reset-2fa"):
        TOTPDevice.objects.get(pk=device.pk).bin_key


def test_the_administration_never_shows_a_totp_key(client):
    from tests.accounts.helpers import signed_in

    user, _ = make_user("target", "data_steward")
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    secret = base64.b32encode(device.bin_key).decode()
    signed_in(client, "admin")
    listing = client.get("/admin/otp_totp/totpdevice/")
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert listing.status_code == page.status_code == 200
    for body in (listing.content.decode(), page.content.decode()):
        assert secret not in body and device.bin_key.hex() not in body and "qrcode" not in body.lower()
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code in (302, 404)
