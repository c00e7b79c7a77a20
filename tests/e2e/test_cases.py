"""An analyst works a case in a real browser: links evidence to an element, sees the gap close,
withdraws the link and reads its kept history, then reads the case and the chain of command in
Korean. Every page is screenshotted and checked with axe-core (tests/e2e/helpers.py). Here, not in
tests/cases, so that it shares the one browser of the session (tests/e2e/conftest.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from kirok.cases.models import ElementLink
from tests.accounts.helpers import sign_in_as
from tests.cases.conftest import camp, case99  # noqa: F401 — the fictional camp and its case (tests/cases)
from tests.e2e.helpers import check

pytestmark = pytest.mark.django_db(transaction=True)

GAP = "No evidence yet for: The perpetrator was aware of the factual circumstances that established the gravity of the conduct — Imprisonment"


def _signed_in(page, live_server, user) -> None:  # noqa: F811
    """The browser carries the session of a user signed in past every step (tests/accounts/helpers.py)."""
    client = Client()
    sign_in_as(client, user)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])


def test_an_analyst_links_evidence_withdraws_it_and_reads_the_case_in_korean(page, live_server, case99, camp):  # noqa: F811
    case, commander = case99
    _signed_in(page, live_server, camp.users["analyst"])
    page.goto("/cases/")
    check(page, "cases-01-list")
    page.click(f"a[href='/cases/{case.uid}/']")
    page.wait_for_url(f"**/cases/{case.uid}/")
    check(page, "cases-02-case")
    assert GAP in page.inner_text("main")

    page.select_option("#id_element", "rome-statute-cah:7(1)(e).3")
    page.select_option("#id_target", "information")
    page.fill("#id_ref", "n-doc")
    page.select_option("#id_suspect", str(commander.uid))
    page.select_option("#id_assessment", "supports")
    page.select_option("#id_strength", "moderate")
    page.select_option("#id_standard", "reasonable_grounds")
    page.fill("form[action$='/links/'] #id_reason", "camp rules name the gravity (fictional)")
    page.click("button:has-text('Record link')")
    page.wait_for_url(f"**/cases/{case.uid}/")
    assert "Link recorded." in page.inner_text(".messages")
    made = ElementLink.objects.get(element="7(1)(e).3")
    page.goto(f"/cases/suspects/{commander.uid}/")
    check(page, "cases-03-suspect")
    assert GAP not in page.inner_text("main")  # the gap is closed for him

    page.goto(f"/cases/links/{made.uid}/")
    check(page, "cases-04-link")
    assert "Reasonable grounds (UN COI)" in page.inner_text("main")
    page.fill("form[action$='/withdraw/'] #id_reason", "wrong suspect (fictional)")
    page.click("button:has-text('Withdraw')")
    page.wait_for_url(f"**/cases/{case.uid}/")
    page.goto(f"/cases/links/{made.uid}/")
    check(page, "cases-05-withdrawn-link")
    text = page.inner_text("main")
    assert "wrong suspect (fictional)" in text and "camp rules name the gravity (fictional)" in text
    assert page.locator("button:has-text('Withdraw')").count() == 0  # read only

    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ko", "url": live_server.url}])
    page.goto(f"/cases/{case.uid}/")
    check(page, "cases-06-case-ko")
    text = page.inner_text("main")
    assert "합리적 근거 (유엔 조사위원회)" in text and "reasonable_grounds" not in text
    page.goto("/cases/command/?place=f:camp99&on=1998")
    check(page, "cases-07-command-ko")
    assert "1998년 기준" in page.inner_text("main") and page.locator("figure.chain svg").count() == 1
