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
from hypothesis import HealthCheck, settings

DATABASE_URL = os.environ.get("KIROK_DATABASE_URL", "")

# Hypothesis's deadline and "too slow" health check measure wall-clock time, which on a shared
# machine says more about the neighbours than about the code (tests never assert times): the
# properties are checked in full whatever the load.
settings.register_profile("kirok", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kirok")


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
    _leave_sqlite_workspaces_to_the_sqlite_pass(config, items)
    reason = _postgres_unreachable()
    if reason is None:
        return
    if os.environ.get("KIROK_REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError(f"{reason}, and KIROK_REQUIRE_POSTGRES=1 says it must be there")
    marker = pytest.mark.skip(reason=f"{reason}; start it or unset KIROK_DATABASE_URL")
    for item in items:
        item.add_marker(marker)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sqlite_workspace: runs the real `kirok` on a SQLite workspace of its own (or on "
        "none); it runs in the SQLite pass only, since the PostgreSQL pass would repeat it unchanged")


def _leave_sqlite_workspaces_to_the_sqlite_pass(config, items):
    """The PostgreSQL pass leaves out the tests that never touch PostgreSQL (they run `kirok`
    on a SQLite workspace of their own and are run by the SQLite pass)."""
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        return
    kept = [item for item in items if item.get_closest_marker("sqlite_workspace") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture(scope="session")
def workspace_template(tmp_path_factory):
    """One workspace made by `kirok init` per test process, to be copied (see tests/cli.py)."""
    from tests.cli import kirok

    home = tmp_path_factory.mktemp("workspace-template")
    kirok("init", home=home)
    return home


@pytest.fixture
def isolated_workspace(settings, tmp_path):
    """Each test its own workspace folder (keys, vault), cheap password hashing, and the access
    policy's cache cleared afterwards; the apps whose tests all want this make it autouse."""
    from kirok.protection import policy
    from kirok.workspace import Workspace

    settings.WORKSPACE = Workspace(tmp_path / "workspace")
    settings.WORKSPACE.ensure()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield settings.WORKSPACE
    policy.reset()


@pytest.fixture(autouse=True)
def _search_index_flushed_with_the_tables(request):
    """A test on a real transaction ends with Django's flush, which empties the model tables but
    not SQLite's FTS5 index (a virtual table beside them): empty it too, so that the next test in
    this process finds no documents that are not there."""
    yield
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        marker = request.node.get_closest_marker("django_db")
        if not (marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))):
            return
    from django.db import connection

    from kirok.search import backends

    with connection.cursor() as cursor:
        backends.current().clear(cursor)


@pytest.fixture
def reference(db):
    """The shipped reference data, loaded as `kirok init` loads it."""
    from kirok.records.reference import load_reference_data

    return load_reference_data()
