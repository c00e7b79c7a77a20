"""What the workspace pages read: dashboard figures and filtered, paged lists.

Every query starts from ``kirok.protection.access.visible``, so a page never counts or lists a
record outside the user's compartments. Two rules keep pages fast at a million rows:

* lists page by key (``?after=<id>``, newest first on the primary key), never by OFFSET and never
  with a COUNT(*) of the whole result;
* dashboard figures are aggregate queries (GROUP BY in the database), cached per *view of the
  data* — the set of compartments and break-glass grants the user reaches — for a minute, and
  dropped at once when a changeset closes in this process.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from kirok.korean import keys
from kirok.protection import access
from kirok.protection.blind import lookup
from kirok.protection.models import BreakGlass, Membership
from kirok.protection.principal import Principal
from kirok.records.models import Act, Event, Organization, Person, Place, Source, Term
from kirok.records.services import dated_within

PAGE_SIZE = 50
DASHBOARD_SECONDS = 60
GENERATION_KEY = "kirok.web.generation"


# --- dashboard ----------------------------------------------------------------------------------

def data_changed(**_signal_kwargs) -> None:
    """A changeset closed: figures cached before it are stale (connected in ``WebConfig.ready``)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def _view_key(principal: Principal) -> str:
    """One cache entry per set of records reachable, not per user: colleagues in the same
    compartments share it, and a user who joins a compartment gets fresh figures."""
    compartments = sorted(Membership.objects.filter(user_id=principal.user_id).values_list("compartment_id", flat=True))
    grants = sorted(
        BreakGlass.objects.filter(user_id=principal.user_id, closed_at__isnull=True, expires_at__gt=timezone.now())
        .values_list("record_type", "record_id")
    )
    generation = cache.get(GENERATION_KEY, 0)
    raw = f"{compartments}|{grants}|{generation}|{principal.can('read_records')}"
    return "kirok.web.dashboard." + hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass
class Dashboard:
    totals: list[tuple[str, int]]
    by_type: list[tuple[Term | None, int]]
    by_province: list[tuple[Place | None, int]]
    by_year: list[tuple[int | None, int]]


def dashboard(principal: Principal) -> Dashboard:
    key = _view_key(principal)
    figures = cache.get(key)
    if figures is None:
        figures = _figures(principal)
        cache.set(key, figures, DASHBOARD_SECONDS)
    return _labelled(figures)


def _figures(principal: Principal) -> dict:
    """The dashboard's figures. The acts are scanned twice, not four times: one GROUP BY act
    type and place (at most types x places rows) gives the count of acts, the counts by type and
    by place; one GROUP BY year the rest. Each scan pays the access filter for every act, which
    is what a cold dashboard costs at a million acts."""
    acts = access.visible(Act.objects.all(), principal)
    by_type: Counter[int | None] = Counter()
    by_place: Counter[int | None] = Counter()
    for act_type, place, n in acts.values_list("act_type_id", "place_id").annotate(n=Count("id")).order_by():
        by_type[act_type] += n
        by_place[place] += n
    return {
        "totals": {
            "event": access.visible(Event.objects.all(), principal).count(),
            "act": sum(by_type.values()),
            "person": access.visible(Person.objects.all(), principal).count(),
            "source": access.visible(Source.objects.all(), principal).count(),
        },
        "by_type": sorted(by_type.items(), key=lambda item: (-item[1], item[0] is None, item[0] or 0))[:12],
        "by_place": list(by_place.items()),
        "by_year": list(
            acts.annotate(year=ExtractYear("start_date_from")).values_list("year").annotate(n=Count("id")).order_by("year")
        ),
    }


def _labelled(figures: dict) -> Dashboard:
    from kirok.records.registry import model_for

    totals = [(model_for(t)._meta.verbose_name_plural, n) for t, n in figures["totals"].items()]
    term_ids = [t for t, _ in figures["by_type"] if t]
    found = Term.objects.in_bulk(term_ids)
    by_type = [(found.get(t), n) for t, n in figures["by_type"]]
    return Dashboard(totals, by_type, _provinces(figures["by_place"]), [(y, n) for y, n in figures["by_year"]])


def _provinces(by_place: list[tuple[int | None, int]]) -> list[tuple[Place | None, int]]:
    """Counts per place rolled up to the top-level division (province or city) that holds it;
    the gazetteer is small, so the walk up its tree is done here rather than in SQL."""
    parents = dict(Place.objects.values_list("id", "parent_id"))
    totals: dict[int | None, int] = {}
    for place_id, n in by_place:
        top = place_id
        seen = set()
        while top is not None and parents.get(top) is not None and top not in seen:
            seen.add(top)
            top = parents[top]
        totals[top] = totals.get(top, 0) + n
    places = Place.objects.in_bulk([p for p in totals if p is not None])
    ranked = sorted(totals.items(), key=lambda item: (item[0] is None, -item[1]))
    return [(places.get(p), n) for p, n in ranked]


# --- lists --------------------------------------------------------------------------------------

@dataclass
class Page:
    rows: list
    next_after: int | None
    after: int | None


def keyset(queryset, after: str | None, size: int = PAGE_SIZE) -> Page:
    """Newest first by primary key, ``size`` rows after the key ``after``: an index range scan
    whatever the page number, where OFFSET would read every row before the page."""
    try:
        cursor = int(after) if after else None
    except ValueError:
        cursor = None
    if cursor is not None:
        queryset = queryset.filter(pk__lt=cursor)
    rows = list(queryset.order_by("-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, rows[-1].pk if more and rows else None, cursor)


def year_bounds(text: str) -> tuple[date | None, date | None]:
    try:
        year = int(text)
    except (TypeError, ValueError):
        return None, None
    if not 1 <= year <= 9999:
        return None, None
    return date(year, 1, 1), date(year, 12, 31)


def events(principal: Principal, params) -> object:
    qs = access.visible(Event.objects.all(), principal)
    if q := params.get("q", "").strip():
        qs = qs.filter(title__icontains=q)
    if category := params.get("category", "").strip():
        qs = qs.filter(violation_categories__code=category)
    if act_type := params.get("act_type", "").strip():
        qs = qs.filter(pk__in=Act.objects.filter(act_type__code=act_type).values("event_id"))
    earliest, _ = year_bounds(params.get("from", ""))
    _, latest = year_bounds(params.get("to", ""))
    if earliest or latest:
        qs = dated_within(qs, "start_date", earliest, latest)
    if place := params.get("place", "").strip():
        qs = qs.filter(Q(places__uid=place) | Q(places__parent__uid=place)).distinct()
    return qs.select_related("violation_status")


def persons(principal: Principal, params) -> object:
    q = params.get("q", "").strip()
    # Names are protected: a name is found through the blind index, never by reading names.
    qs = lookup("person", "names.full_name", q, principal) if q else access.visible(Person.objects.all(), principal)
    if sex := params.get("sex", "").strip():
        qs = qs.filter(sex__code=sex)
    role = params.get("role", "")
    if role == "victim":
        qs = qs.filter(pk__in=Act.objects.values("victim_id"))
    elif role == "witness":
        qs = qs.filter(pk__in=Source.objects.values("witness_id"))
    elif role == "group":
        qs = qs.filter(group_size__isnull=False)
    return qs.select_related("sex", "counting_unit")


def sources(principal: Principal, params) -> object:
    qs = access.visible(Source.objects.all(), principal)
    if q := params.get("q", "").strip():
        qs = qs.filter(title__icontains=q)
    if kind := params.get("kind", "").strip():
        qs = qs.filter(kind__code=kind)
    if basis := params.get("basis", "").strip():
        qs = qs.filter(testimony_basis__code=basis)
    return qs.select_related("kind", "testimony_basis")


def organizations(principal: Principal, params) -> object:
    qs = access.visible(Organization.objects.all(), principal)
    if q := params.get("q", "").strip():
        qs = qs.filter(Q(name_ko__icontains=q) | Q(name_en__icontains=q) | Q(names__name__icontains=q)).distinct()
    if kind := params.get("kind", "").strip():
        qs = qs.filter(kind__code=kind)
    return qs.select_related("kind")


def places(principal: Principal, params) -> object:
    qs = access.visible(Place.objects.all(), principal)
    if q := params.get("q", "").strip():
        qs = qs.filter(pk__in=gazetteer_matches(q))
    if kind := params.get("kind", "").strip():
        qs = qs.filter(kind=kind)
    return qs


# --- the gazetteer picker -----------------------------------------------------------------------

def _place_keys() -> dict[str, set[int]]:
    """Matching key -> places, over every name of every place; rebuilt when the gazetteer changes.

    The gazetteer is a few hundred places, so its keys fit in memory; kirok.korean.keys makes
    "Yodok", "Yoduk", "Yodŏk", "요덕" and the DPRK spelling land on one key.
    """
    stamp = (Place.objects.count(), str(Place.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()))
    cached = cache.get("kirok.web.gazetteer")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    index: dict[str, set[int]] = {}
    names = list(Place.objects.values_list("id", "name_ko", "name_rok", "name_en", "mr", "rr", "dprk"))
    from kirok.records.models import PlaceName

    names += [(pid, name) for pid, name in PlaceName.objects.values_list("place_id", "name")]
    for pid, *texts in names:
        for text in texts:
            if text:
                for key in keys(text, "place"):
                    index.setdefault(key, set()).add(pid)
    cache.set("kirok.web.gazetteer", (stamp, index), None)
    return index


def gazetteer_matches(text: str) -> list[int]:
    """Places one of whose names matches ``text`` in Hangul (either orthography) or any romanization;
    failing that, places whose name starts with it (for typing in progress)."""
    index = _place_keys()
    found: set[int] = set()
    for key in keys(text, "place"):
        found |= index.get(key, set())
    if found:
        return sorted(found)
    text = text.strip()
    if not text:
        return []
    return list(
        Place.objects.filter(
            Q(name_ko__startswith=text) | Q(name_rok__startswith=text) | Q(name_en__istartswith=text)
            | Q(mr__istartswith=text) | Q(rr__istartswith=text) | Q(dprk__istartswith=text)
        ).values_list("id", flat=True)[:50]
    )
