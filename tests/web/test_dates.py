"""Dates in both conventions: 2024-03-05 in English, 2024년 3월 5일 in Korean, uncertain ones too."""

from datetime import date, datetime, timezone

import pytest
from django.utils import translation
from hypothesis import given, settings, strategies as st

from kirok.types.dates import UncertainDate
from kirok.web.templatetags.kirok_web import kdate


@pytest.mark.parametrize("value, english, korean", [
    (date(2024, 3, 5), "2024-03-05", "2024년 3월 5일"),
    ("1998-03", "1998-03", "1998년 3월"),
    ("1998", "1998", "1998년"),
    ("1998~", "1998~", "1998년경"),
    ("1997/1999", "1997/1999", "1997년 ~ 1999년"),
    ("1998-03-02/1998-05", "1998-03-02/1998-05", "1998년 3월 2일 ~ 1998년 5월"),
    (datetime(2024, 3, 5, 14, 30, tzinfo=timezone.utc), "2024-03-05 14:30 UTC", "2024년 3월 5일 14:30 UTC"),
])
def test_both_conventions(value, english, korean):
    with translation.override("en"):
        assert kdate(value) == english
    with translation.override("ko"):
        assert kdate(value) == korean


def test_unknown_and_empty():
    with translation.override("en"):
        assert kdate(UncertainDate()) == "unknown" and kdate(None) == "" and kdate("") == ""


days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=150, deadline=None)
@given(days, days, st.booleans())
def test_korean_form_reads_back_as_the_same_date(a, b, estimate):
    """The Korean display is one the date parser reads back to the same interval (it accepts
    1998년 3월 2일), so what the page shows can be typed into a form again."""
    earliest, latest = min(a, b), max(a, b)
    value = UncertainDate(earliest, latest, "estimate" if estimate else "range").normalized()
    with translation.override("ko"):
        shown = kdate(value)
    ends = [UncertainDate.parse(part.strip().removesuffix("경")) for part in shown.split("~")]
    assert (ends[0].earliest, ends[-1].latest) == (value.earliest, value.latest)
    assert shown.endswith("경") == (value.type == "estimate")
