"""Uncertain dates sort and filter correctly in the database, on SQLite and PostgreSQL alike."""

from datetime import date

import pytest

from kirok.records.importing import import_files
from kirok.records.models import Event
from kirok.records.services import dated_within, in_date_order

from .helpers import write

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(reference, tmp_path):
    rows = ["external_id,title,start_date"] + [
        f"q:{i},{text or 'unknown'},{text}" for i, text in enumerate(["1998-03-02", "1998", "1997/1999", "1998-03~", "", "2001-06"])
    ]
    import_files([write(tmp_path, "events.csv", "\n".join(rows) + "\n")])


def titles(qs):
    return [e.title for e in qs]


def test_sorted_by_earliest_possible_day_unknown_last(events):
    assert titles(in_date_order(Event.objects.all(), "start_date")) == [
        "1997/1999", "1998", "1998-03~", "1998-03-02", "2001-06", "unknown",
    ]


def test_a_filter_for_march_1998_finds_everything_that_could_be_then(events):
    march = dated_within(Event.objects.all(), "start_date", date(1998, 3, 1), date(1998, 3, 31))
    assert sorted(titles(march)) == sorted(["1998-03-02", "1998", "1997/1999", "1998-03~"])


def test_open_ended_filters(events):
    assert titles(dated_within(Event.objects.all(), "start_date", earliest=date(2000, 1, 1))) == ["2001-06"]
    assert "unknown" not in titles(dated_within(Event.objects.all(), "start_date"))
