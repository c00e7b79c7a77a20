"""What every browser workflow does on each page: screenshot it and check it with axe-core."""

from __future__ import annotations

import re

from .conftest import ARTEFACTS

SERIOUS = {"serious", "critical"}


def check(page, name: str) -> None:
    """Save a full-page screenshot as a test artefact and fail on any serious or critical
    accessibility violation (axe-core, shipped inside axe-playwright-python) or console error
    (a Content-Security-Policy refusal shows up there)."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"] if v["impact"] in SERIOUS]
    assert bad == [], f"{name}: {bad}"
    csp = [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e]
    assert csp == [], f"{name}: {csp}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
