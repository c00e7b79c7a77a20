"""Test set-up shared by every app's tests.

The suite runs twice from `make test`: on SQLite (the default) and on PostgreSQL
(KIROK_DATABASE_URL=postgres://…). When PostgreSQL is the target but unreachable, every test
skips with the reason — unless KIROK_REQUIRE_POSTGRES=1 (CI), where that is a failure.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

DATABASE_URL = os.environ.get("KIROK_DATABASE_URL", "")


def _postgres_unreachable() -> str | None:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        return None
    url = urlparse(DATABASE_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 5432), timeout=3):
            return None
    except OSError as exc:
        return f"PostgreSQL at {url.hostname}:{url.port or 5432} is unreachable ({exc})"


def pytest_collection_modifyitems(config, items):
    reason = _postgres_unreachable()
    if reason is None:
        return
    if os.environ.get("KIROK_REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError(f"{reason}, and KIROK_REQUIRE_POSTGRES=1 says it must be there")
    marker = pytest.mark.skip(reason=f"{reason}; start it or unset KIROK_DATABASE_URL")
    for item in items:
        item.add_marker(marker)


@pytest.fixture
def reference(db):
    """The shipped reference data, loaded as `kirok init` loads it."""
    from kirok.records.reference import load_reference_data

    return load_reference_data()
