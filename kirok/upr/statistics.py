"""Counts from the record for submissions and briefings, through the consent gate.

What is counted: **acts** (one violation against one victim) that

1. leave the consent gate for the recipient's scope (``kirok.protection.gate.Gate.queryset``:
   within the user's reach, and a source of their own, if any, consenting to the scope), and
2. are attested, through an ``information`` record about the act or its incident, by at least
   one source whose latest consent lists the scope (the gate lets records without a source
   through; a count must rest on a witness who agreed to this use), and
3. may have happened within the period (their uncertain start date overlaps it).

An act is counted in the year its earliest possible date falls in, under the top of its act
type's tree ("right to life", "personal integrity" …: the violation category), and in the first-
level division (province) its place lies in ("unknown" without a place). Tables shown outside
the workspace show a count below ``min_cell`` (``kirok/data/upr/submissions.yaml``) as "<N", and
where that would hide one cell of a table alone, the next smallest as "x" too: the total is
published, and a table's one hidden cell is the total minus the others (``withhold``).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field, replace
from datetime import date

from django.db import connection
from django.db.models import CharField, Count, Exists, OuterRef
from django.db.models.functions import Cast, Substr
from django.utils.translation import get_language, gettext as _

from kirok.protection.gate import Gate
from kirok.records.models import Act, Event, Information, Place, Source, Term
from kirok.records.services import dated_within

from .vocab import read


SMALL, COMPLEMENT = "small", "complement"


@dataclass(frozen=True)
class Cell:
    key: str
    label: str
    count: int
    withheld: str = ""  # SMALL (below min_cell), COMPLEMENT (hidden so that a small one stays hidden) or ""


@dataclass
class Statistics:
    scope: str
    period_from: date
    period_to: date
    acts: int = 0
    incidents: int = 0
    by_category: list[Cell] = field(default_factory=list)
    by_year: list[Cell] = field(default_factory=list)
    by_province: list[Cell] = field(default_factory=list)
    min_cell: int = 5

    def shown(self, count: int) -> str:
        """A total as published: "<N" when it is small."""
        return f"<{self.min_cell}" if 0 < count < self.min_cell else f"{count:,}"

    def text(self, cell: Cell) -> str:
        """A table's cell as published."""
        return {SMALL: f"<{self.min_cell}", COMPLEMENT: "x"}.get(cell.withheld, f"{cell.count:,}")


def withhold(cells: list[Cell], min_cell: int) -> list[Cell]:
    """Cells marked for publication: a count below ``min_cell`` (not 0) is withheld, and when a
    table would withhold one cell alone, its smallest other non-zero cell is withheld too —
    otherwise the hidden count is the published total minus the cells shown."""
    small = {c.key for c in cells if 0 < c.count < min_cell}
    complement: set[str] = set()
    if len(small) == 1:
        others = sorted((c for c in cells if c.key not in small and c.count > 0), key=lambda c: (c.count, c.key))
        complement = {others[0].key} if others else set()
    return [replace(c, withheld=SMALL if c.key in small else COMPLEMENT if c.key in complement else "") for c in cells]


_CONSENTING: "weakref.WeakKeyDictionary[Gate, object]" = weakref.WeakKeyDictionary()


def consenting_information(gate: Gate):
    """Information from sources that leave the gate: within reach, consent listing the scope.
    The sources are asked of the gate once per gate (it counts what it holds back each time)."""
    sources = _CONSENTING.get(gate)
    if sources is None:
        sources = _CONSENTING[gate] = gate.queryset("source", Source.objects.all()).values("pk")
    return Information.objects.filter(source_id__in=sources)


def attested(gate: Gate):
    """A condition on acts: some information from a consenting source is about the act or its incident."""
    consenting = consenting_information(gate)
    return Exists(consenting.filter(act_id=OuterRef("pk"))) | Exists(consenting.filter(event_id=OuterRef("event_id")))


def counted_acts(gate: Gate, period_from: date | None, period_to: date | None, among=None):
    """The acts the statistics count (module docstring), as a queryset; ``among`` narrows the
    acts before the gate looks at them (the gate counts what it holds back)."""
    acts = Act.objects.all() if among is None else among
    if period_from or period_to:
        acts = dated_within(acts, "start_date", period_from, period_to)
    return gate.queryset("act", acts).filter(attested(gate))


def korean() -> bool:
    return (get_language() or "").startswith("ko")


def categories() -> dict[int, tuple[str, str]]:
    """act type term id → (code, label) of the top of its tree."""
    terms = list(Term.objects.filter(vocabulary__key="act_types"))
    by_code = {t.code: t for t in terms}
    out = {}
    for term in terms:
        top = by_code.get(term.path.split("::")[0], term)
        out[term.pk] = (top.code, top.label_ko if korean() else top.label_en)
    return out


def provinces(place_ids) -> dict[int, tuple[str, str]]:
    """place id → (ISO code, name) of the first-level division it lies in, following parents."""
    places = {p.pk: p for p in Place.objects.only("id", "parent_id", "iso_code", "name_ko", "name_en")}
    out = {}
    for pk in place_ids:
        seen, current = set(), places.get(pk)
        while current is not None and not current.iso_code.startswith("KP-") and current.pk not in seen:
            seen.add(current.pk)
            current = places.get(current.parent_id)
        if current is not None and current.iso_code.startswith("KP-"):
            out[pk] = (current.iso_code, current.name_ko if korean() else (current.name_en or current.name_ko))
    return out


def compute(gate: Gate, period_from: date, period_to: date) -> Statistics:
    """The statistics over the acts ``gate`` lets count within the period, from one scan."""
    stats = Statistics(gate.scope.code, period_from, period_to, min_cell=int(read("submissions")["min_cell"]))
    rows = []
    for act_type, place, year_text, n, incidents in _tally(counted_acts(gate, period_from, period_to)):
        if incidents is None:
            rows.append((act_type, place, year_text, int(n)))
        else:
            stats.acts, stats.incidents = int(n or 0), incidents
    category_of, province_of = categories(), provinces({r[1] for r in rows if r[1]})
    unknown = _("unknown")
    tallies: dict[str, dict[str, list]] = {"category": {}, "year": {}, "province": {}}
    for act_type, place, year, n in rows:
        for table, (key, label) in (("category", category_of.get(act_type, ("unknown", unknown))),
                                    ("year", (year, year) if year else ("unknown", unknown)),
                                    ("province", province_of.get(place, ("unknown", unknown)))):
            tallies[table].setdefault(key, [label, 0])[1] += n
    cells = {table: [Cell(k, v[0], v[1]) for k, v in tally.items()] for table, tally in tallies.items()}
    stats.by_category = withhold(sorted(cells["category"], key=lambda c: (-c.count, c.key)), stats.min_cell)
    stats.by_year = withhold(sorted(cells["year"], key=lambda c: c.key), stats.min_cell)
    stats.by_province = withhold(sorted(cells["province"], key=lambda c: c.key), stats.min_cell)
    return stats


def _tally(acts) -> list[tuple]:
    """Counts of ``acts`` by (act type, place, year), then one row (None, None, None, acts,
    incidents). The acts are matched once (the consent and attestation tests are most of the
    cost): grouped by incident too in a materialized step, whose rows both tallies read — at a
    million acts, carrying the per-incident rows into Python cost more than the scan."""
    # The year is the date's first four characters: SQLite's dates are ISO text, PostgreSQL casts
    # them so, and a SQL substring is several times faster than Django's year function on SQLite.
    year = Substr(Cast("start_date_from", CharField()), 1, 4)
    sql, params = acts.values("event_id", "act_type_id", "place_id").annotate(year=year, n=Count("id")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH counted AS MATERIALIZED ({sql}) "
            'SELECT "act_type_id", "place_id", "year", SUM("n"), NULL FROM counted GROUP BY "act_type_id", "place_id", "year" '
            'UNION ALL SELECT NULL, NULL, NULL, SUM("n"), COUNT(DISTINCT "event_id") FROM counted',
            params,
        )
        return cursor.fetchall()


def evidence_counts(gate: Gate, links) -> dict[int, tuple[int, int]]:
    """{recommendation id: (acts, incidents)} among evidence ``links`` that may count under
    ``gate``: an act that is counted (consent and attestation as above, any date), an incident
    that leaves the gate and is attested; a linked source counts for nothing by itself: it is
    how, not what. Two queries for all the links, whatever their number."""
    links = list(links)
    acts = {link.record_uid for link in links if link.record_type == "act"}
    events = {link.record_uid for link in links if link.record_type == "event"}
    counted_act_uids = set(counted_acts(gate, None, None, among=Act.objects.filter(uid__in=acts)).values_list("uid", flat=True)) if acts else set()
    counted_event_uids: set = set()
    if events:
        consenting = consenting_information(gate)
        counted_event_uids = set(gate.queryset("event", Event.objects.filter(uid__in=events)).filter(
            Exists(consenting.filter(event_id=OuterRef("pk"))) | Exists(consenting.filter(act__event_id=OuterRef("pk"))))
            .values_list("uid", flat=True))
    out: dict[int, tuple[int, int]] = {}
    for link in links:
        n_acts, n_events = out.get(link.recommendation_id, (0, 0))
        out[link.recommendation_id] = (n_acts + (link.record_type == "act" and link.record_uid in counted_act_uids),
                                       n_events + (link.record_type == "event" and link.record_uid in counted_event_uids))
    return out
