"""The base template every page extends (ours, the sign-in pages, the search page)."""

import re

import pytest

from .helpers import member, sign_in

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def assert_csp_clean(body: str) -> None:
    """The Content-Security-Policy allows no inline script or style: a page that needs one breaks."""
    assert not INLINE_SCRIPT.search(body), INLINE_SCRIPT.search(body).group(0)
    assert not STYLE_ATTRIBUTE.search(body)
    assert not EVENT_HANDLER.search(body)
    assert "<style" not in body.lower()
    assert "http://" not in body and "https://" not in body  # no external request, no CDN


def test_sign_in_page_extends_the_base_with_skip_link_and_language_switch(client):
    body = client.get("/accounts/sign-in/").content.decode()
    assert 'href="#main"' in body and 'id="main"' in body
    assert 'name="language"' in body and 'lang="ko"' in body
    assert "web/kirok.css" in body and "web/htmx.min.js" in body
    assert_csp_clean(body)


@pytest.mark.parametrize("role, offered, withheld", [
    ("documenter", ["/testimonies/new/", "/incidents/new/", "/evidence/upload/", "/events/"], ["/admin/"]),
    ("reviewer", ["/events/", "/persons/"], ["/testimonies/new/", "/incidents/new/", "/evidence/upload/", "/admin/"]),
    ("data_steward", ["/events/", "/admin/"], []),
])
def test_navigation_offers_what_the_role_may_do(world, client, role, offered, withheld):
    sign_in(client, member(f"{role}-nav", role))
    body = client.get("/dashboard/").content.decode()
    nav = body.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    for url in offered:
        assert f'href="{url}"' in nav
    for url in withheld:
        assert f'href="{url}"' not in nav
    assert 'aria-current="page"' in nav


def test_administrator_gets_no_record_pages(world, client):
    sign_in(client, member("admin-nav", "admin"))
    assert client.get("/dashboard/").status_code == 403
    body = client.get("/accounts/").content.decode()
    assert 'href="/events/"' not in body and 'href="/admin/"' in body


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    for url in ("/dashboard/", "/events/", "/testimonies/new/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")


def test_language_switch_turns_the_workspace_korean(world, client):
    sign_in(client, member("doc-ko", "documenter"))
    client.post("/i18n/setlang/", {"language": "ko", "next": "/dashboard/"})
    body = client.get("/dashboard/").content.decode()
    assert '<html lang="ko">' in body
    assert "본문으로 건너뛰기" in body or "Skip to content" in body  # catalogue owned by the translation helper


def test_every_workspace_page_is_csp_clean(world, client):
    from .helpers import event, person, source

    north, _south = world
    sign_in(client, member("doc-csp", "documenter"))
    for url in ("/dashboard/", "/events/", "/persons/", "/sources/", "/organizations/", "/places/",
                "/testimonies/new/", "/incidents/new/", "/evidence/upload/", f"/events/{event(north).uid}/",
                f"/persons/{person(north).uid}/", f"/sources/{source(north).uid}/history/", "/api/docs"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response.content.decode())


def test_views_declare_their_access_rule():
    """Every URL pattern of the workspace and the API names who may open it."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback

    mine = [(route, view) for route, view in walk(get_resolver().url_patterns)
            if not route.startswith(("admin/", "accounts/", "i18n/", "search/"))]
    assert len(mine) > 40
    missing = [route for route, view in mine if not getattr(view, "access_rule", None)]
    assert missing == []
