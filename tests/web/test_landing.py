"""The landing page a newcomer sees after `make demo`."""

import pytest

pytestmark = pytest.mark.django_db


def test_landing_page_shows_the_workspace_counts(reference, client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kirok" in body and "기록" in body
    assert '<td>Places</td><td class="num">' in body.replace("\n", "")


def test_landing_page_in_korean_and_marked_fictional_with_the_demo_set(reference, client):
    from django.core.management import call_command

    call_command("demo_data", "--size", "50", "--seed", "3", "--no-progress")
    client.post("/i18n/setlang/", {"language": "ko"})
    body = client.get("/").content.decode()
    assert "이 작업 공간의 현황" in body
    assert "모든 인물, 사건, 증언은 가상입니다" in body


def test_landing_page_links_to_the_admin_which_requires_sign_in(client):
    body = client.get("/").content.decode()
    assert 'href="/admin/"' in body
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_no_external_requests_on_the_landing_page(client):
    body = client.get("/").content.decode()
    assert "http://" not in body and "https://" not in body
