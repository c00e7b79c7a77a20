"""A Korean-speaking analyst reads a case, a link and the chain of command in Korean: labels in
Korean, no stored code (reasonable_grounds, supports, received) shown as text; the case file
in Korean names custody actions in Korean and keeps its short Korean headers whole."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import translation
from pypdf import PdfReader

from kirok.cases import casefile, services
from kirok.cases.services import Assessment
from kirok.protection.principal import Principal
from tests.accounts.helpers import sign_in_as

CODES = ("reasonable_grounds", "substantial_grounds", "supports", "contradicts", "moderate", "strong", "received")


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in Korean leaves Korean active in the test's thread; the next test reads English."""
    yield
    translation.deactivate()


def _text(html: str) -> str:
    """What a reader sees: the page without its tags (form values such as option codes are not text)."""
    body = html[html.index("<main"):] if "<main" in html else html
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def _korean(client, user) -> None:
    sign_in_as(client, user)
    client.cookies["django_language"] = "ko"


def test_the_case_page_and_a_link_page_show_korean_labels_and_no_codes(case99, camp, client):
    case, _commander = case99
    _korean(client, camp.users["analyst"])
    page = client.get(f"/cases/{case.uid}/", HTTP_ACCEPT_LANGUAGE="ko")
    text = _text(page.content.decode())
    assert page.status_code == 200 and 'lang="ko"' in page.content.decode()
    for code in CODES:
        assert code not in text, code
    assert "합리적 근거 (유엔 조사위원회)" in text and "뒷받침" in text and "강함" in text
    found = case.links.get(element="7(1)(e).2")
    services.reassess(found, Assessment("supports", "strong", "substantial_grounds", "again"), principal=Principal.of(camp.users["analyst"]),
                      reason="second reading (fictional)")
    services.unlink(found, principal=Principal.of(camp.users["analyst"]), reason="withdrawn (fictional)")
    link = client.get(f"/cases/links/{found.uid}/", HTTP_ACCEPT_LANGUAGE="ko")
    text = _text(link.content.decode())
    assert link.status_code == 200
    for code in CODES + ("information", "create", "update", "delete"):
        assert code not in text, code
    assert "출처 구절" in text and "합리적 근거 (유엔 조사위원회)" in text and "강함" in text
    assert re.search(r"\d{4}년 \d{1,2}월 \d{1,2}일", text)  # when each version was made, in the Korean convention


def test_the_chain_of_command_page_gives_its_date_in_korean(case99, camp, client):
    _korean(client, camp.users["reviewer"])
    text = _text(client.get("/cases/command/", {"place": "f:camp99", "on": "1998-03"}, HTTP_ACCEPT_LANGUAGE="ko").content.decode())
    assert "1998년 3월 기준" in text  # the caption's date in the Korean convention, not 1998-03
    assert "1994년경" in text  # the commander's start "1994~" as the Korean page writes an estimate
    assert "확실" in text


def test_the_korean_case_file_names_custody_actions_in_korean_and_keeps_headers_whole(case99, camp, tmp_path):
    case, _commander = case99
    with translation.override("ko"):
        pdf, _disclosure = casefile.export(case, tmp_path / "ko.pdf", principal=Principal.of(camp.users["analyst"]),
                                           purpose="fictional request")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "접수 × 1" in text and "received" not in text
    assert "합리적 근거" in text and "수사·소추기관 제공" in text and "prosecutors" not in text  # the scope named, not coded
    assert "대좌 1994년경 2002년" in text  # the commander's position: dates whole, not "1994년 / 경"
    for header in ("뒷받침", "출처 유형", "확실성", "보유자"):  # broken one syllable per line, these would read "뒷받 침", "확 실성"
        assert header in text, header
