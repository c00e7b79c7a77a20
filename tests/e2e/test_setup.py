"""The browser tests say why they skip, and CI can make a missing browser fail instead."""

from . import conftest


def test_a_missing_chromium_is_named_with_the_way_to_get_it(monkeypatch):
    monkeypatch.setattr(conftest, "CHROMIUM", "/nonexistent/chromium")
    reason = conftest._missing()
    assert "/nonexistent/chromium" in reason and "make test" in reason


def test_required_browser_turns_a_skip_into_a_failure(monkeypatch):
    """With KIROK_REQUIRE_BROWSER=1 the browser fixture fails where it would skip."""
    import pytest

    monkeypatch.setattr(conftest, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(conftest, "REQUIRED", True)
    with pytest.raises(pytest.fail.Exception, match="KIROK_REQUIRE_BROWSER=1"):
        conftest.browser.__wrapped__().__next__()
