"""Whatever a client sends as a forwarded address or a code, nothing breaks and nothing is trusted
that should not be."""

from __future__ import annotations

import time

import pytest
from django.test import RequestFactory, override_settings
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kirok.accounts import services
from kirok.accounts.lockout import client_ip
from tests.accounts.helpers import device_secret, make_user, totp

header = st.text(alphabet=st.characters(codec="latin-1"), max_size=200)


@given(forwarded=header)
def test_without_a_proxy_a_forwarded_header_is_ignored(forwarded):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="192.0.2.9")
    with override_settings(KIROK_PROXY_COUNT=0):
        assert client_ip(request) == "192.0.2.9"


@given(spoofed=st.lists(st.ip_addresses().map(str), max_size=4), proxies=st.integers(1, 3),
       appended=st.lists(st.ip_addresses().map(str), min_size=3, max_size=3))
def test_behind_proxies_the_address_is_the_one_the_nearest_trusted_proxy_saw(spoofed, proxies, appended):
    """The client may write anything on the left; each trusted proxy appends one address."""
    chain = spoofed + appended[:proxies]
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=", ".join(chain), REMOTE_ADDR="10.0.0.1")
    with override_settings(KIROK_PROXY_COUNT=proxies):
        assert client_ip(request) == appended[0]


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(max_size=80))
def test_any_text_typed_as_a_code_is_refused_without_error(token):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user_once()
    device = TOTPDevice.objects.get(user=user)
    device.throttle_reset()
    now = time.time()
    assume("".join(token.split()) not in {totp(device_secret(user), now + d) for d in (-30, 0, 30)})
    assert services.verify_second_factor(user, token) is None


def make_user_once():
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.filter(username="fuzz").first()
    if user is None:
        user, _ = make_user("fuzz", "documenter")
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True, key="3132333435363738393031323334353637383930")
    return user
