"""Read endpoints for the record: events, persons and sources, as lists and one by one.

They call what the pages call: ``kirok.web.queries`` for filtered lists (compartments applied,
paged by key) and ``kirok.protection`` for one record (out of reach: 404) with protected values
masked, or revealed and audited when the caller gives a ``purpose`` and may see them.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from ninja import Query, Router, Schema

from kirok.protection import access
from kirok.protection.pseudonyms import pseudonym
from kirok.protection.reveal import Revealer
from kirok.records.exchange import to_dict
from kirok.web import display, queries

from .auth import principal

router = Router(tags=["records"])


class Summary(Schema):
    id: str
    external_id: str | None
    label: str
    url: str


class Listing(Schema):
    items: list[Summary]
    next_after: int | None


class EventFilters(Schema):
    q: str = ""
    category: str = ""
    act_type: str = ""
    place: str = ""
    after: str = ""
    from_year: str = ""
    to_year: str = ""


class PersonFilters(Schema):
    q: str = ""
    sex: str = ""
    role: str = ""
    after: str = ""


class SourceFilters(Schema):
    q: str = ""
    kind: str = ""
    basis: str = ""
    after: str = ""


def _listing(queryset, after: str) -> dict:
    page = queries.keyset(queryset, after)
    return {
        "items": [
            {"id": str(r.uid), "external_id": r.external_id, "label": display.label(r), "url": display.record_url(r)}
            for r in page.rows
        ],
        "next_after": page.next_after,
    }


def _params(filters: Schema, renames: dict[str, str] | None = None) -> QueryDict:
    params = QueryDict(mutable=True)
    for key, value in filters.dict().items():
        params[(renames or {}).get(key, key)] = value
    return params


def _one(request, record_type: str, ref: str, purpose: str) -> dict[str, Any]:
    who = principal(request, "read_records")
    record = access.get(record_type, ref, who)
    revealer = Revealer(who, purpose or f"api {record_type}", reveal=bool(purpose))
    data = revealer.dict(record_type, to_dict(record))
    revealer.flush()
    if record_type == "person":
        data["pseudonym"] = pseudonym(str(record.uid))
    return data


@router.get("/events", response=Listing, summary="Incidents you may see, newest first, filtered")
def events(request, filters: Query[EventFilters]):
    who = principal(request, "read_records")
    return _listing(queries.events(who, _params(filters, {"from_year": "from", "to_year": "to"})), filters.after)


@router.get("/events/{ref}", response=dict[str, Any], summary="One incident in the exchange format")
def event(request, ref: str, purpose: str = ""):
    return _one(request, "event", ref, purpose)


@router.get("/persons", response=Listing, summary="Persons you may see (by pseudonym); q finds a name through the blind index")
def persons(request, filters: Query[PersonFilters]):
    who = principal(request, "read_records")
    return _listing(queries.persons(who, _params(filters)), filters.after)


@router.get("/persons/{ref}", response=dict[str, Any], summary="One person; names masked unless revealed with a purpose")
def person(request, ref: str, purpose: str = ""):
    return _one(request, "person", ref, purpose)


@router.get("/sources", response=Listing, summary="Sources you may see, newest first, filtered")
def sources(request, filters: Query[SourceFilters]):
    who = principal(request, "read_records")
    return _listing(queries.sources(who, _params(filters)), filters.after)


@router.get("/sources/{ref}", response=dict[str, Any], summary="One source; transcript masked unless revealed with a purpose")
def source(request, ref: str, purpose: str = ""):
    return _one(request, "source", ref, purpose)
