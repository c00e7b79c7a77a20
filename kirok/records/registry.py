"""The record types Kirok exchanges, by their exchange-format names, in import order.

The order puts every record before the records whose required references point to it
(an act needs its event); optional references that form cycles (a person came from a source
whose witness is that person) are resolved after all rows have landed.
"""

from __future__ import annotations

from django.apps import apps

ORDER = (
    "source", "place", "organization", "person", "event", "act", "involvement", "information",
    "biographic_detail", "chain_of_events", "intervention",
)

_MODELS = {
    "source": "Source", "place": "Place", "organization": "Organization", "person": "Person",
    "event": "Event", "act": "Act", "involvement": "Involvement", "information": "Information",
    "biographic_detail": "BiographicDetail", "chain_of_events": "ChainOfEvents",
    "intervention": "Intervention",
}

# File-name forms people use for each type ("persons.csv", "acts.jsonl").
ALIASES = {name: name for name in ORDER} | {
    "sources": "source", "places": "place", "organizations": "organization", "organisations": "organization",
    "persons": "person", "people": "person", "events": "event", "acts": "act", "involvements": "involvement",
    "biographic_details": "biographic_detail", "chains_of_events": "chain_of_events",
    "interventions": "intervention",
}


def model_for(record_type: str):
    return apps.get_model("records", _MODELS[record_type])


def record_type_of(name: str) -> str | None:
    """The record type a file or a row names, or None."""
    return ALIASES.get(name.strip().lower().replace("-", "_"))
