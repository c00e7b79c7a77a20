"""The landing page a newcomer sees after `make demo`."""

import pytest

pytestmark = pytest.mark.django_db


def test_landing_page_shows_the_workspace_counts(reference, client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kirok" in body and "기록" in body
    assert "<td>place</td><td>" in body.replace("\n", "")


def test_landing_page_links_to_the_admin_which_requires_sign_in(client):
    body = client.get("/").content.decode()
    assert 'href="/admin/"' in body
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_no_external_requests_on_the_landing_page(client):
    body = client.get("/").content.decode()
    assert "http://" not in body and "https://" not in body
