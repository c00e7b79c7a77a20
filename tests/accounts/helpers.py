"""Accounts for tests: made through the same services the CLI uses, signed in like a browser would.

Other apps' tests can sign a user in with a role and a passed second factor through
``signed_in(client, role)``: Django's ``client.login()`` does not hand a request to
``authenticate()``, which the lockout backend needs, so it cannot be used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from kirok.accounts import services


def make_user(username: str, role: str, *, own_password: str | None = None):
    """A user with this role; with ``own_password`` it has already replaced the one-time one."""
    user, password = services.create_user(username, role)
    if own_password is not None:
        user.set_password(own_password)
        user.save()
        services.password_changed(user)
        password = own_password
    return user, password


def signed_in(client, role: str, username: str | None = None):
    """A client signed in as a fresh user of this role, past every sign-in step."""
    user, _ = make_user(username or f"{role}-user", role, own_password="correct horse battery staple")
    return sign_in_as(client, user)


def sign_in_as(client, user):
    """The client signed in as an existing user, past every sign-in step (the one-time password
    counts as replaced, the code step as passed)."""
    services.password_changed(user)
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return user


def totp(secret_b32: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 computed here, apart from django-otp, as a phone app would from the shown key."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


def secret_on_page(body: str) -> str:
    match = re.search(r'<code class="secret">([A-Z2-7]+)</code>', body)
    assert match, "the enrolment page shows no key"
    return match.group(1)


def device_secret(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return base64.b32encode(device.bin_key).decode().rstrip("=")
