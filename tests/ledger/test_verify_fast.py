"""`verify`'s fast paths say only what the exact ones would: version digests from the stored JSON
text, entry times from SQLite's text, changeset subjects, and the second process that recomputes
what the entries log beside the check of the log."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timezone

import pytest
from django.conf import settings
from django.db import connection, transaction
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kirok.ledger import services, verification, verifier
from kirok.ledger.models import Entry
from kirok.records import exchange, history
from kirok.records.exchange import canonical_json
from kirok.records.models import Version

POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]

# --- version digests from the stored text ------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False, allow_infinity=False) | st.text()
_envelope = st.fixed_dictionaries({"commit": st.text("0123456789abcdef", min_size=64, max_size=64),
                                   "ct": st.text(min_size=1), "kid": st.text(min_size=1)},
                                  optional={"names": st.lists(st.text(), max_size=2)})
_json = st.recursive(
    _scalars | st.builds(lambda e: {exchange.SEALED: e}, _envelope),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def _stored_forms(value) -> list[str]:
    """The texts a version's data is stored as: Django's JSONField (json.dumps, ASCII escapes)
    and the importer's canonical JSON."""
    return [json.dumps(value), canonical_json(value).decode()]


@hypothesis_settings(max_examples=150, deadline=None)
@given(_json)
def test_a_version_digest_from_its_text_is_the_digest_of_its_data(value):
    exact = history.digest(value)
    for text in _stored_forms(value):
        fast = verification.version_digest(text)
        assert fast in (None, exact)
        if not verification._EXPONENT.search(canonical_json(value)):  # only numbers with an exponent take the exact path
            assert fast == exact


@pytest.mark.parametrize("text", [
    '{"a": NaN}', '{"a": Infinity}', '{"a": 123456789012345678901234567890}', '{"a": -92233720368547758090}',
    '["\\ud800"]', "not json", '{"a": 1} trailing', "",
])
def test_text_the_fast_decoder_could_read_differently_goes_the_exact_way(text):
    assert verification.version_digest(text) is None


def test_a_float_with_an_exponent_is_left_to_the_exact_path_and_a_word_with_e_plus_is_not():
    assert verification.version_digest('{"a": 1e+22}') is None
    text = '{"remarks": "one+two"}'
    assert verification.version_digest(text) == history.digest(json.loads(text))


# --- entry times as SQLite stores them ---------------------------------------------------------


def _exact_time_text(raw: str) -> str:
    """What verify did before: Django's converter (parse_datetime), then the entry's time text."""
    from django.utils.dateparse import parse_datetime

    moment = parse_datetime(raw)
    return moment.isoformat(timespec="microseconds") + "Z" if moment.tzinfo is None else verifier.format_time(moment)


def _outcome(fn, raw):
    try:
        return fn(raw)
    except Exception as exc:  # the exception's type and text are what verify reports
        return type(exc), str(exc)


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
def test_a_stored_time_becomes_the_entry_time_text(moment):
    raw = str(moment.replace(microsecond=moment.microsecond or 1))  # Django stores str(naive UTC)
    assert verification._sqlite_time_text(raw) == _exact_time_text(raw) == verifier.format_time(moment.replace(
        microsecond=moment.microsecond or 1, tzinfo=timezone.utc))


@pytest.mark.parametrize("raw", [
    "2025-03-01 09:30:00", "2025-02-29 10:00:00.000000", "2024-02-29 10:00:00.000000", "2025-13-01 10:00:00.000000",
    "2025-03-01 24:00:00.000000", "2025-03-01 23:59:60.000000", "0000-01-01 00:00:00.000000", "2025-03-01T09:30:00.000000",
    "2025-03-01 09:30:00.123456+05:00", "2025-03-01 09:30:00,5", "２０２５-03-01 09:30:00.000000", "garbage", "",
])
def test_an_unusual_stored_time_gets_what_djangos_parser_makes_of_it(raw):
    assert _outcome(verification._sqlite_time_text, raw) == _outcome(_exact_time_text, raw)


@given(st.text(max_size=30))
def test_any_stored_time_text_gets_what_djangos_parser_makes_of_it(raw):
    assert _outcome(verification._sqlite_time_text, raw) == _outcome(_exact_time_text, raw)


@pytest.mark.parametrize(("subject", "expected"), [
    ("changeset:17", 17), ("changeset:0", 0), ("changeset:017", None), ("changeset:", None), ("changeset:１７", None),
    ("changeset:-1", None), ("changeset:17 ", None), ("custody:17", None), ("dhangeset:17", None),
])
def test_only_a_changeset_subject_written_as_kirok_writes_it_takes_the_fast_path(subject, expected):
    assert verification._changeset_id(subject) == expected


# --- the fast path never confirms what the exact one would not ---------------------------------

def _write_raw(version_id: int, text: str, digest: str) -> None:
    with connection.cursor() as cur:
        cur.execute("UPDATE records_version SET data = %s, digest = %s WHERE id = %s", [text, digest, version_id])


@pytest.mark.django_db
def test_a_version_stored_as_non_canonical_text_with_that_texts_hash_is_named(workspace, person_edits):
    version = Version.objects.order_by("id").first()
    text = json.dumps({"z": 1, "a": 2})  # valid JSON, not the canonical form its digest must be taken over
    _write_raw(version.pk, text, hashlib.sha256(text.encode()).hexdigest())
    problem = str(services.verify().problem)
    assert problem.startswith(f"version {version.pk} (") and f"its data hashes to {history.digest({'z': 1, 'a': 2})}" in problem


@pytest.mark.django_db
def test_a_changeset_logged_twice_under_two_spellings_does_not_hide_an_unlogged_one(workspace, person_edits):
    from kirok.records.models import Changeset

    first = Entry.objects.filter(kind="changeset").order_by("index").first()
    number = first.subject.partition(":")[2]
    with transaction.atomic():
        services.append("changeset", f"changeset:0{number}", first.digest)  # the same changeset, spelled with a leading zero
    cs = Changeset.objects.create(actor="intruder", reason="unlogged")
    Version.objects.create(changeset=cs, record_type="person", record_uid=person_edits.uid, action="update", data={},
                           digest=history.digest({}))
    assert str(services.verify().problem).startswith(f"changeset:{cs.pk}: expected an entry in the ledger, found none")


# --- the second process ------------------------------------------------------------------------


@pytest.fixture
def helpers(monkeypatch):
    """Every helper process verify starts, from the first entry on."""
    started = []

    class Counted(verification._Helper):
        def __init__(self, size):
            started.append(size)
            super().__init__(size)

    monkeypatch.setattr(verification, "PARALLEL_FROM", 1)
    monkeypatch.setattr(verification, "_Helper", Counted)
    return started


def _both_ways() -> tuple[str | None, str | None]:
    one = services.verify(parallel=False)
    two = services.verify(parallel=True)
    assert (one.entries, one.size) == (two.entries, two.size)
    return (str(one.problem) if one.problem else None), (str(two.problem) if two.problem else None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not POSTGRES, reason="on SQLite the test database is in memory, which a second process cannot open; "
                                         "test_the_second_process_on_a_sqlite_workspace covers SQLite")
def test_the_second_process_reads_the_same_snapshot_and_reports_what_one_process_would(workspace, person_edits, helpers):
    services.checkpoint()
    assert _both_ways() == (None, None) and helpers
    versions = list(Version.objects.order_by("id"))
    late, early = versions[-1], Entry.objects.get(index=0)
    Version.objects.filter(pk=late.pk).update(digest="0" * 64)
    one, two = _both_ways()
    assert one == two and one.startswith(f"version {late.pk} ")
    # the helpers share the entries out: a problem in the first share is reported before one in the last
    first = versions[0]
    Version.objects.filter(pk=first.pk).update(digest="0" * 64)
    one, two = _both_ways()
    assert one == two and one.startswith(f"version {first.pk} ")
    Version.objects.filter(pk=first.pk).update(digest=first.digest)
    # a changed leaf before it comes first, though the other process finds the version
    Entry.objects.filter(index=0).update(leaf_hash=bytes(32))
    one, two = _both_ways()
    assert one == two and one.startswith(f"entry 0 ({early.subject}): expected leaf hash ")


@pytest.mark.django_db
def test_no_second_process_inside_a_callers_transaction(workspace, person_edits, helpers):
    assert services.verify(parallel=True).ok
    assert helpers == []


SCRIPT = textwrap.dedent('''
    import json, sys
    import django
    django.setup()
    from kirok.ledger import verification
    from kirok.records import history
    from kirok.records.models import Person
    for i in range(int(sys.argv[1])):
        with history.changeset(actor="test", reason=f"fictional person {i}"):
            Person.objects.create(remarks=f"fictional {i}")
    started = []
    class Counted(verification._Helper):
        def __init__(self, size):
            started.append(size)
            super().__init__(size)
    verification._Helper, verification.PARALLEL_FROM = Counted, 1
    out = {}
    for parallel in (False, True):
        report = verification.verify(parallel=parallel)
        out[str(parallel)] = [str(report.problem) if report.problem else None, report.entries]
    out["helpers"] = len(started)
    print(json.dumps(out))
''')


@pytest.mark.sqlite_workspace  # the PostgreSQL test above covers PostgreSQL
def test_the_second_process_on_a_sqlite_workspace(tmp_path):
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIROK_")} | {
        "KIROK_HOME": str(home), "DJANGO_SETTINGS_MODULE": "kirok.config.settings"}
    subprocess.run([sys.executable, "-m", "kirok.cli", "init"], env=env, check=True, capture_output=True, timeout=300)

    def run(persons: int) -> dict:
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(persons)], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    first = run(4)
    assert first["False"] == first["True"] and first["False"][0] is None and first["helpers"] == 1
    with sqlite3.connect(home / "kirok.sqlite3") as db:
        (version_id,) = db.execute("SELECT MAX(id) FROM records_version").fetchone()
        db.execute("UPDATE records_version SET digest = ? WHERE id = ?", ("0" * 64, version_id))
    changed = run(0)
    assert changed["False"] == changed["True"] and changed["False"][0].startswith(f"version {version_id} ")
