"""Follow-up: links and assessments are versioned by appending, in the ledger, and tamper-evident;
the same recommendation is found again across cycles; the briefing pack names no one."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from kirok.ledger.verification import verify
from kirok.protection.principal import Principal
from kirok.upr import briefing, importing, repeats, services
from kirok.upr.models import Assessment, EvidenceLink, Recommendation

from .helpers import FICTIONAL, events_by_consent, kirok_rows, write_csv


@pytest.fixture
def recs(world, tmp_path):
    importing.import_file(write_csv(tmp_path / "recs.csv", kirok_rows(3, 6)), principal=Principal.of(world.users["analyst"]))
    return services.get_recommendation(3, "124.1", user=world.users["analyst"])


def test_assessments_supersede_links_close_and_the_ledger_verifies_and_catches_an_edit(world, recs):
    analyst = world.users["analyst"]
    attested, unattested = events_by_consent("un")
    first = services.link(recs, "event", str(attested.uid), bearing="non_implementation", user=analyst)
    with pytest.raises(services.FollowUpError):
        services.link(recs, "event", str(attested.uid), bearing="non_implementation", user=analyst)
    services.link(recs, "event", str(unattested.uid), bearing="implementation", user=analyst)
    old = services.assess(recs, status="not_implemented", user=analyst)
    assert old.review.number == 4 and len(old.evidence) == 2
    with pytest.raises(services.FollowUpError):
        services.unlink(first, reason="  ", user=analyst)
    services.unlink(first, reason="wrong incident (fictional)", user=analyst)
    new = services.assess(recs, status="partially_implemented", summary="fictional", user=analyst)
    assert new.evidence == [str(EvidenceLink.objects.get(record_uid=unattested.uid).uid)]
    assert [a.status for a in services.assessments(recs)] == ["partially_implemented", "not_implemented"]
    assert services.status_counts(recs.cycle) == {"partially_implemented": 1, "unassessed": 5}
    with pytest.raises(services.FollowUpError):
        services.assess(recs, status="done", user=analyst)
    with pytest.raises(services.FollowUpError):
        services.assess(recs, status="implemented", review=services.get_cycle(3), user=analyst)
    assert verify().problem is None
    Assessment.objects.filter(pk=old.pk).update(status="implemented")  # a quiet edit in the database
    report = verify()
    assert report.problem is not None and f"upr-assessment:{old.pk}" in str(report.problem)


def test_the_same_recommendation_made_again_in_a_later_cycle(cycles, tmp_path):
    rows = [
        {"cycle": "2", "paragraph": "124.10", "text": f"{FICTIONAL} Ratify the Rome Statute of the International Criminal Court (Fictionland);"},
        {"cycle": "3", "paragraph": "126.5", "text": f"{FICTIONAL} Ratify the Rome Statute of the International Criminal Court (Utopia)"},
        {"cycle": "4", "paragraph": "125.7", "text": f"{FICTIONAL} Consider ratifying the Rome Statute of the International Criminal Court"},
        {"cycle": "4", "paragraph": "125.8", "text": f"{FICTIONAL} Abolish the death penalty for all crimes"},
    ]
    importing.import_file(write_csv(tmp_path / "r.csv", rows), principal=Principal.console("test"))
    rec = Recommendation.objects.get(cycle__number=3, paragraph="126.5")
    found = repeats.made_again(rec)
    assert [(m.recommendation.cycle.number, m.recommendation.paragraph, m.repeated) for m in found] == [(2, "124.10", True), (4, "125.7", False)]
    assert all(m.recommendation.paragraph != "125.8" for m in found)
    assert repeats.reduce_text("124.1 Ratify the Statute (Utopia);") == "ratify statute"


def test_the_briefing_pack_counts_through_the_gate_and_names_no_one(world):
    from kirok.records.models import Act, Event

    analyst = world.users["analyst"]
    attested, unattested = events_by_consent("un")
    pack = briefing.build(user=analyst, scope="un", period_from=date(1990, 1, 1), period_to=date(2024, 12, 31),
                          cases=[str(attested.uid), str(unattested.uid)])
    stats = pack.stats
    assert sum(c.count for c in stats.by_province) == stats.acts == sum(c.count for c in stats.by_category) > 0
    assert len(pack.summaries) + pack.left_out == 2 and pack.left_out >= 1  # the unattested incident is never summarised
    files = briefing.export(user=analyst, scope="un", period_from=date(1990, 1, 1), period_to=date(2024, 12, 31), cases=[str(attested.uid)])
    rows = list(csv.DictReader(io.StringIO(files[next(n for n in files if n.endswith(".csv"))].decode())))
    assert {r["table"] for r in rows} == {"total", "category", "province", "year"}
    assert all(r["count"].startswith("<") or int(r["count"].replace(",", "")) >= stats.min_cell for r in rows if r["table"] != "total")
    from pypdf import PdfReader

    pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(files[next(n for n in files if n.endswith(".pdf"))])).pages)
    event = Event.objects.get(pk=attested.pk)
    assert event.title not in pdf
    exact = [a.start_date_from.isoformat() for a in Act.objects.filter(event=event) if a.start_date_from]
    assert not any(day in pdf for day in exact)  # a year at most, never a day
    from kirok.records.services import get_record

    victims = {str(a.victim.uid) for a in Act.objects.filter(event=event, victim__isnull=False)}
    names = [n["full_name"] for uid in victims for n in get_record("person", uid, purpose="test").get("names", [])]
    assert names and not any(name in pdf for name in names)
