"""The issue's checks: a recommendations file imported, demo incidents linked, and a submission
whose statistics equal an independent count, whose word count follows the UN's rule, and from
which nothing outside the consent scope comes."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.db import connection

from kirok.protection.models import Disclosure
from kirok.protection.principal import Principal
from kirok.records.models import Act, Consent, Information
from kirok.upr import importing, services, submissions

from .helpers import consenting, events_by_consent, kirok_rows, write_csv

PERIOD = (date(1990, 1, 1), date(2024, 11, 6))


def independent_count(scope: str, start: date, end: date) -> tuple[int, int]:
    """(acts, incidents) in plain SQL: live acts with no source or a consenting one, dated within
    the period, attested by live information from a consenting live source."""
    ok = sorted(consenting(scope)) or [-1]
    marks = ",".join(["%s"] * len(ok))
    sql = f"""
        SELECT COUNT(*), COUNT(DISTINCT a.event_id) FROM records_act a
        WHERE a.deleted_at IS NULL AND (a.source_id IS NULL OR a.source_id IN ({marks}))
          AND a.start_date_from IS NOT NULL AND a.start_date_from <= %s AND a.start_date_to >= %s
          AND EXISTS (SELECT 1 FROM records_information i JOIN records_source s ON s.id = i.source_id
                      WHERE i.deleted_at IS NULL AND s.deleted_at IS NULL AND s.id IN ({marks})
                        AND (i.act_id = a.id OR i.event_id = a.event_id))"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ok, end, start, *ok])
        return tuple(cursor.fetchone())


def docx_text(data: bytes) -> tuple[list[str], list[str]]:
    """(paragraphs before the annex, the annex's) of a DOCX, read back with python-docx."""
    from docx import Document

    body, annex, into_annex = [], [], False
    for p in Document(io.BytesIO(data)).paragraphs:
        if p.style.name.startswith("Heading") and p.text == submissions.section_label("annex"):
            into_annex = True
            continue
        (annex if into_annex else body).append(p.text)
    return body, annex


def word_rule(text: str) -> int:
    """OHCHR's rule restated independently: white-space separated runs with a letter or digit."""
    return len([w for w in re.split(r"\s+", text) if re.search(r"[^\W_]|\d", w)])


@pytest.fixture
def followed(world, tmp_path):
    analyst = world.users["analyst"]
    importing.import_file(write_csv(tmp_path / "recs.csv", kirok_rows(3, 10)), principal=Principal.of(analyst))
    rec = services.get_recommendation(3, "124.1", user=analyst)
    attested, unattested = events_by_consent("un")
    services.link(rec, "event", str(attested.uid), bearing="non_implementation", note="attested (fictional)", user=analyst)
    services.link(rec, "event", str(unattested.uid), bearing="non_implementation", note="SECRET-NOTE-XYZ", user=analyst)
    act = Act.objects.filter(event=attested).first()
    services.link(rec, "act", str(act.uid), bearing="non_implementation", user=analyst)
    services.assess(rec, status="not_implemented", summary="No camp was closed (fictional assessment).", user=analyst)
    return rec, attested, unattested


def test_statistics_equal_an_independent_count_and_leave_as_a_recorded_disclosure(world, followed):
    analyst = world.users["analyst"]
    draft = submissions.create(services.get_cycle(4), title="Fictional NGO submission", scope="un",
                               period_from=PERIOD[0], period_to=PERIOD[1], user=analyst)
    data, name, doc = submissions.export(draft, "docx", user=analyst, destination="OHCHR (test)")
    acts, incidents = independent_count("un", *PERIOD)
    assert acts > 0 and (doc.stats.acts, doc.stats.incidents) == (acts, incidents)
    assert sum(c.count for c in doc.stats.by_category) == acts == sum(c.count for c in doc.stats.by_year)
    assert sum(c.count for c in doc.stats.by_province) == acts
    body, _annex = docx_text(data)
    assert any(f"documents {doc.stats.shown(acts)} violations (acts) in {doc.stats.shown(incidents)} incidents" in p for p in body)
    disclosure = Disclosure.objects.get()
    assert disclosure.scope == "un" and disclosure.actor == "analyst-user" and name in disclosure.files
    import hashlib

    assert disclosure.files[name] == hashlib.sha256(data).hexdigest()


def test_nothing_outside_the_consent_scope_comes_out(world, followed):
    analyst = world.users["analyst"]
    rec, attested, unattested = followed
    draft = submissions.create(services.get_cycle(4), title="Fictional NGO submission", scope="un",
                               period_from=PERIOD[0], period_to=PERIOD[1], user=analyst)
    _data, _name, doc = submissions.export(draft, "docx", user=analyst)
    follow_up = next(b for b in doc.blocks if b.code == "follow_up").paragraphs
    # two incidents linked, one attested by a consenting source: only it (and its one linked act) count
    assert any("Recommendation 124.1 (Utopia; Erewhon) (Noted): Not implemented. Documented in the record: 1 act(s) in 1 incident(s)." == p
               for p in follow_up)
    text = "\n".join(doc.counted_lines())
    assert "SECRET-NOTE-XYZ" not in text and unattested.title not in text and attested.title not in text
    # withdraw consent of every source attesting the linked incident: the next export counts it no more
    from kirok.records.history import changeset

    before = doc.stats.acts
    sources = set(Information.objects.filter(event=attested).values_list("source_id", flat=True))
    sources |= set(Information.objects.filter(act__event=attested).values_list("source_id", flat=True))
    with changeset(actor="test", reason="fictional withdrawal"):
        for source_id in sources:
            Consent.objects.create(source_id=source_id, scopes=[], withdrawn=True)
    _data, _name, after = submissions.export(draft, "docx", user=analyst)
    assert after.stats.acts == independent_count("un", *PERIOD)[0] < before
    follow_up = next(b for b in after.blocks if b.code == "follow_up").paragraphs
    assert any("0 act(s) in 0 incident(s)" in p for p in follow_up)


def test_the_word_count_follows_the_un_rule_and_the_limit(world, followed):
    analyst = world.users["analyst"]
    draft = submissions.create(services.get_cycle(4), title="Fictional NGO submission", kind="joint", organisations="Fictional NGO A; Fictional NGO B",
                               period_from=PERIOD[0], period_to=PERIOD[1], user=analyst)
    written = {"introduction": "We are two fictional organisations — based in Seoul.\n\nSecond paragraph, with 3 numbers: 1, 2 and 3.",
               "new_developments": "A fictional law was passed in 2023 ( see note ) .", "footnotes": "1 Fictional source, 2024.",
               "annex": "This annex is long " * 50}
    revision = submissions.save(draft, written, user=analyst, reason="first text")
    data, _name, doc = submissions.export(draft, "docx", user=analyst)
    body, annex = docx_text(data)
    assert doc.words == word_rule("\n".join(body)) == revision.words  # what Word would count in the main text
    assert annex and word_rule("\n".join(annex)) == 200  # the annex is not counted
    assert doc.limit == 5630 and not doc.over_limit
    assert submissions.count_words("— – • ( ) . word") == 1 and submissions.count_words("한국어 문장 두") == 3
    individual = submissions.create(services.get_cycle(4), title="Long", period_from=PERIOD[0], period_to=PERIOD[1], user=analyst)
    submissions.save(individual, {"introduction": "word " * 2815}, user=analyst)
    assert submissions.build(individual, Principal.of(analyst)).over_limit  # 2,815 written plus headings and statistics


def test_a_pdf_export_carries_the_same_text(world, followed):
    analyst = world.users["analyst"]
    draft = submissions.create(services.get_cycle(4), title="Fictional NGO submission", period_from=PERIOD[0], period_to=PERIOD[1], user=analyst)
    data, name, doc = submissions.export(draft, "pdf", user=analyst)
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert name.endswith(".pdf") and "124.1" in " ".join(text.split()) and "FICTIONAL" in text


def test_exports_need_export_and_links_need_the_record_in_reach(world, followed):
    from kirok.protection.principal import AccessDenied, NotFound

    rec, attested, _unattested = followed
    documenter = world.users["documenter"]
    draft = submissions.create(services.get_cycle(4), title="Draft", period_from=PERIOD[0], period_to=PERIOD[1], user=documenter)
    assert any("made at export" in n for n in submissions.build(draft, Principal.of(documenter), preview=True).notes)
    with pytest.raises(AccessDenied):
        submissions.export(draft, "docx", user=documenter)
    with pytest.raises(NotFound):
        services.link(rec, "event", str(attested.uid), bearing="implementation", user=world.outsider)
    assert services.evidence(rec, user=world.outsider) == []
    assert len(services.evidence(rec, user=world.users["reviewer"])) == 3
    with pytest.raises(AccessDenied):
        services.link(rec, "event", str(attested.uid), bearing="implementation", user=world.users["reviewer"])


def test_a_small_count_alone_in_its_table_takes_the_next_smallest_with_it():
    """With the total published, one hidden cell would be the total minus the others."""
    from kirok.upr.statistics import Cell, Statistics, withhold

    stats = Statistics("un", *PERIOD, min_cell=5)
    one = withhold([Cell("a", "A", 40), Cell("b", "B", 3), Cell("c", "C", 12), Cell("d", "D", 0)], 5)
    assert [stats.text(c) for c in one] == ["40", "<5", "x", "0"]
    two = withhold([Cell("a", "A", 40), Cell("b", "B", 3), Cell("c", "C", 1)], 5)
    assert [stats.text(c) for c in two] == ["40", "<5", "<5"]  # two hidden: only their sum is known
    assert [stats.text(c) for c in withhold([Cell("a", "A", 2)], 5)] == ["<5"]  # the total is "<5" too
    assert [stats.text(c) for c in withhold([Cell("a", "A", 1_200), Cell("b", "B", 7)], 5)] == ["1,200", "7"]
