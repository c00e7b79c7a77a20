"""A server switched on with KIROK_HTTPS=1 passes Django's deployment checklist."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

KIROK = [sys.executable, "-m", "kirok.cli"]

pytestmark = pytest.mark.sqlite_workspace


def run(tmp_path, **env):
    # The check is of a deployment: nothing of the test run's own environment leaks into it.
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KIROK_", "DJANGO_"))}
    environment |= {"KIROK_HOME": str(tmp_path / "absent-workspace"), "KIROK_ALLOWED_HOSTS": "kirok.example.org", **env}
    return subprocess.run([*KIROK, "check", "--deploy", "--fail-level", "WARNING"], env=environment,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_https_on(tmp_path):
    result = run(tmp_path, KIROK_HTTPS="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_is_clean_behind_a_proxy(tmp_path):
    result = run(tmp_path, KIROK_HTTPS="1", KIROK_BEHIND_PROXY="1", KIROK_CSRF_TRUSTED_ORIGINS="https://kirok.example.org")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_https_or_with_debug(tmp_path):
    plain = run(tmp_path)
    assert plain.returncode != 0 and "SESSION_COOKIE_SECURE" in plain.stderr + plain.stdout
    debug = run(tmp_path, KIROK_HTTPS="1", KIROK_DEBUG="1")
    assert debug.returncode != 0 and "DEBUG" in debug.stderr + debug.stdout


def test_https_settings_under_kirok_https(tmp_path):
    code = ("from django.conf import settings as s; import django; django.setup(); "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SESSION_COOKIE_NAME, s.SECURE_PROXY_SSL_HEADER, s.DEBUG)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIROK_")}
    env |= {"KIROK_HOME": str(tmp_path), "KIROK_HTTPS": "1", "KIROK_BEHIND_PROXY": "1",
            "DJANGO_SETTINGS_MODULE": "kirok.config.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "31536000", "True", "True", "__Host-kirok_session",
                   "('HTTP_X_FORWARDED_PROTO',", "'https')", "False"]


def test_a_bad_number_in_the_environment_is_named(tmp_path):
    result = run(tmp_path, KIROK_LOCKOUT_FAILURES="five")
    assert result.returncode != 0 and "KIROK_LOCKOUT_FAILURES='five' must be a whole number" in result.stderr
