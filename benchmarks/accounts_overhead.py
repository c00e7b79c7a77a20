"""What the account gates cost: per signed-in page request, and per password check.

1. A signed-in documenter (TOTP passed) requests a small page N times through Kirok's full
   middleware stack, beside the same requests with Kirok's session-policy and sign-in-step
   middleware and django-otp's removed (Django's stock stack), same run, same database.
2. Hashing one password with Argon2 (Kirok) beside PBKDF2 (Django's default).

Run by hand: ``.venv/bin/python benchmarks/accounts_overhead.py [--requests 2000]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KIROK_GATES = {
    "django_otp.middleware.OTPMiddleware",
    "kirok.accounts.middleware.SessionPolicyMiddleware",
    "kirok.accounts.middleware.SignInStepsMiddleware",
}


def timed_requests(client, path: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95)]
    return f"median {statistics.median(times) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--hashes", type=int, default=20)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="kirok-bench-accounts-")
    os.environ.pop("KIROK_DATABASE_URL", None)
    os.environ["KIROK_HOME"] = home
    os.environ["DJANGO_SETTINGS_MODULE"] = "kirok.config.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kirok.accounts import services

    setup_test_environment()
    settings.ALLOWED_HOSTS.append("testserver")
    call_command("migrate", verbosity=0)
    user, _ = services.create_user("bench", "documenter")
    services.password_changed(user)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)

    def client() -> Client:
        c = Client()
        c.force_login(user)
        session = c.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return c

    path = "/accounts/sign-out/"  # a small page every signed-in role may open
    stock = [m for m in settings.MIDDLEWARE if m not in KIROK_GATES]
    kirok_client = client()
    timed_requests(kirok_client, path, 50)  # warm up; loads the full middleware chain
    with override_settings(MIDDLEWARE=stock):
        stock_client = client()
        timed_requests(stock_client, path, 50)  # a test client keeps the chain it first loaded
    batch = 100
    for run in (1, 2):
        kirok_times: list[float] = []
        stock_times: list[float] = []
        # Interleaved batches, so a neighbour's load on the shared machine hits both alike.
        for _ in range(max(1, args.requests // batch)):
            kirok_times += timed_requests(kirok_client, path, batch)
            stock_times += timed_requests(stock_client, path, batch)
        ratio = statistics.median(kirok_times) / statistics.median(stock_times)
        print(f"run {run}: page request, {len(kirok_times)} requests each, interleaved")
        print(f"  Kirok gates:  {summary(kirok_times)}")
        print(f"  stock Django: {summary(stock_times)}")
        print(f"  ratio (median): {ratio:.2f}x, difference {1000 * (statistics.median(kirok_times) - statistics.median(stock_times)):.2f} ms")

    for hasher in ("argon2", "pbkdf2_sha256"):
        started = time.perf_counter()
        for n in range(args.hashes):
            make_password(f"password number {n}", hasher=hasher)
        per = (time.perf_counter() - started) / args.hashes
        print(f"password hash, {hasher}: {per * 1000:.1f} ms each")


if __name__ == "__main__":
    main()
