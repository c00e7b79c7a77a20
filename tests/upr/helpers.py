"""Helpers of the UPR tests: synthetic recommendation files and the demo set's consent line."""

from __future__ import annotations

import csv

from kirok.records.models import Consent, Event, Information

FICTIONAL = "[FICTIONAL TEST RECOMMENDATION]"


def consenting(scope: str) -> set[int]:
    """Sources whose latest consent entry lists ``scope`` and is not a withdrawal (by hand)."""
    latest: dict[int, Consent] = {}
    for consent in Consent.objects.order_by("id"):
        latest[consent.source_id] = consent
    return {s for s, c in latest.items() if not c.withdrawn and scope in (c.scopes or [])}


def events_by_consent(scope: str) -> tuple[Event, Event]:
    """A demo incident attested by a source consenting to ``scope``, and one attested by none."""
    ok = consenting(scope)
    attested, unattested = None, None
    for event in Event.objects.order_by("pk"):
        sources = set(Information.objects.filter(event=event).values_list("source_id", flat=True))
        sources |= set(Information.objects.filter(act__event=event).values_list("source_id", flat=True))
        if event.acts.exists() and sources & ok and attested is None:
            attested = event
        if event.acts.exists() and sources and not sources & ok and unattested is None:
            unattested = event
    assert attested and unattested, "the demo set has incidents on both sides of the consent line"
    return attested, unattested


def kirok_rows(cycle: int, count: int, start: int = 1) -> list[dict]:
    """Synthetic recommendations in Kirok's format, marked fictional."""
    themes = ["Torture", "Arbitrary detention", "Freedom of movement"]
    states = ["Fictionland", "Utopia", "Erewhon"]
    return [{
        "cycle": str(cycle), "paragraph": f"124.{n}", "text": f"{FICTIONAL} Close every fictional camp number {n} and free its inmates",
        "recommending_states": f"{states[n % 3]};{states[(n + 1) % 3]}", "position": "Noted" if n % 2 else "Supported",
        "position_source": f"A/HRC/42/10/Add.1 - Para. {n}", "themes": themes[n % 3], "affected_groups": "persons deprived of liberty",
        "sdgs": "16", "action_category": str(1 + n % 5), "document_symbol": "A/HRC/42/10",
    } for n in range(start, start + count)]


def write_csv(path, rows: list[dict]):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
