"""Uncertain dates as testimony gives them, and as EDTF writes them."""

from datetime import date

import pytest
from hypothesis import given, strategies as st

from kirok.types.dates import DateError, UncertainDate


@pytest.mark.parametrize(
    "text, canonical, kind, earliest, latest",
    [
        ("1998-03-02", "1998-03-02", "exact", date(1998, 3, 2), date(1998, 3, 2)),
        ("1998-03", "1998-03", "unknown_day", date(1998, 3, 1), date(1998, 3, 31)),
        ("1998", "1998", "unknown_month_and_day", date(1998, 1, 1), date(1998, 12, 31)),
        ("1998~", "1998~", "estimate", date(1998, 1, 1), date(1998, 12, 31)),
        ("c. 1998", "1998~", "estimate", date(1998, 1, 1), date(1998, 12, 31)),
        ("1998년경", "1998~", "estimate", date(1998, 1, 1), date(1998, 12, 31)),
        ("약 1998년 3월", "1998-03~", "estimate", date(1998, 3, 1), date(1998, 3, 31)),
        ("1998년 3월 2일", "1998-03-02", "exact", date(1998, 3, 2), date(1998, 3, 2)),
        ("1998.3.2", "1998-03-02", "exact", date(1998, 3, 2), date(1998, 3, 2)),
        ("1997/1999", "1997/1999", "range", date(1997, 1, 1), date(1999, 12, 31)),
        ("1998-03-05/1998-04", "1998-03-05/1998-04", "range", date(1998, 3, 5), date(1998, 4, 30)),
        ("199X", "1990/1999", "range", date(1990, 1, 1), date(1999, 12, 31)),
        ("2000-02", "2000-02", "unknown_day", date(2000, 2, 1), date(2000, 2, 29)),
        ("1998-01-01/1998-12-31", "1998", "unknown_month_and_day", date(1998, 1, 1), date(1998, 12, 31)),
        ("", "", "unknown", None, None),
        ("미상", "", "unknown", None, None),
    ],
)
def test_forms_people_write(text, canonical, kind, earliest, latest):
    d = UncertainDate.parse(text)
    assert (str(d), d.type, d.earliest, d.latest) == (canonical, kind, earliest, latest)


@pytest.mark.parametrize("text", ["1998-13", "2001-02-29", "spring", "1999/1997", "98", "1998-03-02-01"])
def test_impossible_dates_are_refused_with_the_accepted_forms(text):
    with pytest.raises(DateError) as exc:
        UncertainDate.parse(text)
    assert text in str(exc.value) or "ends before" in str(exc.value)


def test_sorting_puts_unknown_last_and_vague_before_precise_in_the_same_period():
    dates = [UncertainDate.parse(t) for t in ["1998-03-02", "", "1998", "1997/1999", "1998-03"]]
    assert [str(d) for d in sorted(dates, key=UncertainDate.sort_key)] == ["1997/1999", "1998", "1998-03", "1998-03-02", ""]


def test_overlap_is_what_a_filter_means():
    spring = UncertainDate.parse("1998-03")
    assert spring.overlaps(date(1998, 3, 15), date(1998, 6, 1))
    assert not spring.overlaps(date(1998, 4, 1), None)
    assert not UncertainDate.parse("").overlaps(None, None)


days = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))


@given(a=days, b=days, approx=st.booleans())
def test_text_form_round_trips(a, b, approx):
    earliest, latest = min(a, b), max(a, b)
    d = UncertainDate(earliest, latest, "estimate" if approx else "range").normalized()
    again = UncertainDate.parse(str(d))
    assert (again.earliest, again.latest) == (earliest, latest)
    assert str(again) == str(d)
    assert (again.type == "estimate") == approx
