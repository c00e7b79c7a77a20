"""Low bandwidth: every page, with the styles and scripts it loads, under 200 KB on first load."""

import re

import pytest

from .helpers import event, member, person, sign_in, source

pytestmark = pytest.mark.django_db

LIMIT = 200 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"')


def first_load(client, url: str) -> tuple[int, list[str]]:
    """Bytes of the page and of every asset it names (as a browser with an empty cache fetches them)."""
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content
    total = len(body)
    assets = sorted(set(ASSET.findall(body.decode())))
    for asset in assets:
        assert asset.startswith("/"), f"{url} loads {asset} from elsewhere"
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        total += len(b"".join(fetched.streaming_content) if fetched.streaming else fetched.content)
    return total, assets


def test_every_page_is_light(world, client):
    north, _south = world
    assert first_load(client, "/accounts/sign-in/")[0] < LIMIT
    sign_in(client, member("doc-w", "documenter"))
    urls = ["/dashboard/", "/events/", "/persons/", "/sources/", "/organizations/", "/places/", "/testimonies/new/",
            "/incidents/new/", "/evidence/upload/", f"/events/{event(north).uid}/", f"/persons/{person(north).uid}/",
            f"/sources/{source(north).uid}/", f"/sources/{source(north).uid}/history/", "/api/docs"]
    weights = {}
    for url in urls:
        total, assets = first_load(client, url)
        assert any(a.endswith("kirok.css") for a in assets)
        weights[url] = total
    assert max(weights.values()) < LIMIT, weights
