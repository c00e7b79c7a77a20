"""The documenters' workflows end to end in a real browser (issue 5, item 6).

One documenter signs in with password and authenticator code, records a testimony with
consent, builds an incident with two acts (places picked by romanization), uploads evidence and
sees its hash, finds the incident again, reveals a protected value, and switches to Korean.
Every page is screenshotted and checked with axe-core.
"""

from __future__ import annotations

import hashlib

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from kirok.records.models import Event, Source
from tests.accounts.helpers import device_secret, totp
from tests.web.helpers import PASSWORD, build_world, member, person

from .helpers import check

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def documenter(transactional_db):
    from kirok.records.importing import import_streams
    from kirok.records.reference import reference_streams

    north, _south = build_world()
    import_streams(reference_streams(), actor="kirok init", kind="reference", reason="reference data")
    user = member("minji", "documenter")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, north


def sign_in(page, user) -> None:
    page.goto("/accounts/sign-in/")
    check(page, "01-sign-in")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/sign-in/code/**")
    check(page, "02-code")
    page.fill("#id_token", totp(device_secret(user)))
    page.press("#id_token", "Enter")
    page.wait_for_url("**/dashboard/")


def test_documenter_workflow(page, documenter, tmp_path):
    user, north = documenter
    sign_in(page, user)
    check(page, "03-dashboard")

    # Record a testimony with consent.
    page.click("nav >> text=New testimony")
    check(page, "04-testimony-form")
    page.fill("#id_title", "면담 B-7 (가상)")
    page.fill("#id_interviewer", "K. Documenter")
    page.fill("#id_date", "2024-05-01")
    page.select_option("#id_language", "ko")
    page.select_option("#id_testimony_basis", "direct_experience")
    page.fill("#id_witness_name", "리명수")
    page.fill("#id_witness_latin", "Ri Myong Su")
    page.check("input[name=consent_scopes][value=internal]")
    page.check("input[name=consent_scopes][value=un]")
    page.fill("#id_consent_given_on", "2024-05-01")
    page.select_option("#id_consent_method", "written")
    page.fill("#id_transcript", "CANARY-E2E 1998년 봄에 보위부가 왔습니다 (가상)")
    page.click("button:has-text('Save testimony')")
    page.wait_for_url("**/sources/**")
    assert "P-" in page.inner_text(".messages")
    assert "CANARY-E2E" not in page.content()
    check(page, "05-testimony")
    testimony = Source.objects.get(title="면담 B-7 (가상)")
    assert testimony.consents.get().scopes == ["internal", "un"]

    # Reveal the transcript: a purpose, an audited read, the value shown once.
    page.fill("#id_purpose", "checking the transcript after intake")
    page.click("button:has-text('Reveal')")
    page.wait_for_selector(".revealed")
    assert "CANARY-E2E" in page.inner_text("#fields")
    check(page, "06-revealed")

    # Build an incident with two acts, coded from the testimony.
    page.click("text=Code an incident from this source")
    page.fill("#id_title", "요덕 이송 (가상)")
    page.fill("#id_start_date", "1998~")
    page.fill("#id_place_query", "Yodok")
    page.wait_for_selector("#id_place option:has-text('요덕')", state="attached")
    page.select_option("#id_place", index=1)
    page.select_option("#id_acts-0-act_type", "arbitrary_detention")
    page.check("input[name='acts-0-victim_kind'][value=group]")
    page.fill("#id_acts-0-group_size", "12")
    page.fill("#id_acts-0-group_description", "가족 (가상)")
    page.fill("#id_acts-0-place_query", "요덕")
    page.wait_for_selector("#id_acts-0-place option:has-text('요덕')", state="attached")
    page.select_option("#id_acts-0-place", index=1)
    page.fill("#id_acts-0-start_date", "1998년 3월")
    check(page, "07-incident-one-act")
    page.click("button:has-text('Add another act')")
    page.wait_for_selector("#id_acts-1-act_type")
    page.select_option("#id_acts-1-act_type", "torture")
    page.check("input[name='acts-1-victim_kind'][value=existing]")
    page.fill("#id_acts-1-victim_ref", person(north).external_id)
    page.check("input[name='acts-1-perpetrator_kind'][value=unit]")
    page.fill("#id_acts-1-unit_query", "국가보위성")
    page.wait_for_selector("#id_acts-1-unit option:nth-child(2)", state="attached")
    page.select_option("#id_acts-1-unit", index=1)
    page.select_option("#id_acts-1-degree", "directly_carried_out")
    page.fill("#id_acts-1-start_date", "1998/1999")
    check(page, "08-incident-two-acts")
    page.click("button:has-text('Save incident')")
    page.wait_for_url("**/events/**")
    check(page, "09-incident")
    incident = Event.objects.get(title="요덕 이송 (가상)")
    assert incident.acts.count() == 2 and incident.source == testimony
    assert page.locator("main a[href^='/acts/']").count() == 2

    # Upload evidence for the testimony (the script's drag-and-drop form) and see its hash.
    evidence = tmp_path / "interview-b7.txt"
    evidence.write_bytes("가상 면담 녹취 (fictional)\n".encode() * 200)
    page.goto(f"/evidence/upload/?source={testimony.uid}")
    check(page, "10-upload-form")
    page.set_input_files("#id_file", str(evidence))
    page.fill("#id_collector", "K. Documenter")
    page.select_option("#id_method", "recording")
    page.fill("#id_reason", "intake of interview B-7")
    page.click("button:has-text('Upload')")
    page.wait_for_selector("#received-sha256")
    digest = hashlib.sha256(evidence.read_bytes()).hexdigest()
    assert page.inner_text("#received-sha256") == digest
    check(page, "11-uploaded")
    with page.expect_navigation(url="**/evidence/*-*/"):
        page.focus("#upload-status a")  # by keyboard, as a documenter without a mouse would
        page.keyboard.press("Enter")
    assert page.inner_text("#sha256") == digest
    check(page, "12-evidence")

    # Find it again: the incident by title, the witness by another spelling of the name.
    page.click("nav >> text=Incidents")
    page.fill("#f-q", "요덕 이송")
    page.press("#f-q", "Enter")
    page.wait_for_selector("#results a:has-text('요덕 이송 (가상)')")
    check(page, "13-found")
    page.goto("/persons/?q=Lee+Myong+Su")
    assert page.locator("#results tbody a").count() == 1
    page.click("#results tbody a")
    assert "면담 B-7" in page.inner_text("main")
    check(page, "14-witness")

    # Switch language: Korean interface, Korean dates.
    page.goto(f"/events/{incident.uid}/")
    page.select_option("#language", "ko")
    page.click(".language button")
    page.wait_for_function("document.documentElement.lang === 'ko'")
    assert "1998년경" in page.inner_text("main")
    check(page, "15-incident-ko")
    page.goto("/dashboard/")
    check(page, "16-dashboard-ko")


def tab_to(page, element_id: str, presses: int = 30) -> None:
    for _ in range(presses):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with Tab")


def test_keyboard_only_sign_in_and_navigation(page, documenter):
    """Every control is reachable by Tab and works with Enter; focus is visible."""
    user, _north = documenter
    page.goto("/")
    check(page, "00-landing")
    page.keyboard.press("Tab")  # the first stop is the skip link, shown when focused
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")  # it moves focus to the content
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Sign in":
            break
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/sign-in/**")
    assert page.evaluate("document.activeElement.id") == "id_username"  # the form takes focus
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign-in/code/**")
    tab_to(page, "id_token")
    page.keyboard.type(totp(device_secret(user)))
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Persons":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/persons/")
    check(page, "20-keyboard-persons")
