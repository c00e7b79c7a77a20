"""Fuzzing the importer: whatever arrives, it imports or refuses cleanly, and never half-writes."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kirok.records.importing import ImportFailed, ReadError, import_files

from .helpers import table_fingerprint

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
cells = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "1998", "1998-13", "male", "female", "고문", "|", "::", "[", "{}", "t:p1", "리명수|Lee"]),
)
columns = st.lists(
    st.sampled_from(["names", "sex", "birth_date", "external_id", "remarks", "deceased", "group_size", "extra.x", "bogus"]),
    min_size=1, max_size=5, unique=True,
)


@FUZZ
@given(header=columns, rows=st.lists(st.lists(cells, min_size=5, max_size=5), max_size=6))
def test_random_person_spreadsheets(reference, tmp_path_factory, header, rows):
    folder = tmp_path_factory.mktemp("fuzz")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row[: len(header)])
    path = folder / "persons.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    before = table_fingerprint()
    try:
        import_files([path])
    except (ImportFailed, ReadError) as exc:
        assert table_fingerprint() == before
        for error in getattr(exc, "errors", []):
            assert str(error).startswith(f"{path}:")


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_as_json_lines(reference, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "events.jsonl"
    path.write_bytes(data)
    before = table_fingerprint()
    try:
        import_files([path])
    except (ImportFailed, ReadError):
        assert table_fingerprint() == before
