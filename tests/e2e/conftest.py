"""Browser tests: Playwright (sync API) driving Debian's Chromium headless against a live server.

They skip, saying why, when Playwright or Chromium is missing — unless KIROK_REQUIRE_BROWSER=1
(CI), where that fails the run. Screenshots of every page visited go to ``test-artifacts/e2e/``
(gitignored) at the top of the repository.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


CHROMIUM = os.environ.get("KIROK_CHROMIUM", "/usr/bin/chromium")
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
REQUIRED = os.environ.get("KIROK_REQUIRE_BROWSER") == "1"


def _missing() -> str | None:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright or axe-playwright-python is not installed ({exc}); pip install -e '.[test]'"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium is not at {CHROMIUM}; `make test` installs Debian's chromium when it can (root and apt)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"{reason}, and KIROK_REQUIRE_BROWSER=1 says the browser tests must run")
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; the live server's database work
    # happens in its own thread, so Django's guard against ORM calls inside an event loop does
    # not apply to what these tests do here (fixtures set up before the browser acts).
    # The flag is restored when the browser closes, so that tests after these keep Django's guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.console_errors = errors
    yield opened
    context.close()


@pytest.fixture(autouse=True)
def workspace(isolated_workspace):
    return isolated_workspace
