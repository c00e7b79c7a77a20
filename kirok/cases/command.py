"""Chain of command: who held a position in a unit on a date, and who was above them.

Positions are biographic details (a person, an organization, a position and rank, uncertain
start and end dates); the unit hierarchy over time is ``UnitParent`` (falling back to the
registry's undated ``Organization.parent`` for a unit that has no dated parents). A facility is
answered through the units that operate it (``Place.operator``).

Dates are uncertain on both sides, so every answer says how sure it is. A holder is **certain**
on a day when the position certainly began before it and certainly ended after it (the latest
possible start is before the day's earliest moment, the earliest possible end after its
latest), and **possible** when the two intervals merely overlap. An open end (no end date
recorded) is possible, never certain: Kirok cannot know the person still held the post.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape

from django.db.models import Q
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kirok.protection import access
from kirok.protection.principal import Principal
from kirok.protection.pseudonyms import pseudonym
from kirok.records.models import BiographicDetail, Organization, Place
from kirok.types.dates import UncertainDate

from .models import UnitParent
from .services import Restrict

CERTAIN, POSSIBLE = "certain", "possible"
MAX_DEPTH = 8  # a hierarchy deeper than this is a loop in the data, not a chain of command


def certainty(start: UncertainDate, end: UncertainDate, on: UncertainDate) -> str | None:
    """CERTAIN, POSSIBLE or None: could a period from ``start`` to ``end`` cover the date ``on``?"""
    earliest, latest = on.earliest or date.min, on.latest or date.max
    if start.is_known and start.earliest > latest:
        return None
    if end.is_known and end.latest < earliest:
        return None
    sure_start = start.is_known and start.latest <= earliest
    sure_end = end.is_known and end.earliest >= latest
    return CERTAIN if sure_start and sure_end and on.is_known else POSSIBLE


def _overlapping(queryset, on: UncertainDate):
    """Rows whose start/end columns could cover the date (SQL, so only candidates are read)."""
    if on.is_known:
        queryset = queryset.filter(Q(start_date_from__isnull=True) | Q(start_date_from__lte=on.latest))
        queryset = queryset.filter(Q(end_date_to__isnull=True) | Q(end_date_to__gte=on.earliest))
    return queryset


@dataclass
class Holder:
    detail: BiographicDetail
    label: str
    certainty: str

    @property
    def certainty_label(self) -> str:
        return _("certain") if self.certainty == CERTAIN else _("possible")

    @property
    def period(self) -> str:
        start, end = str(self.detail.start_date) or "?", str(self.detail.end_date) or "…"
        return f"{start} – {end}"


@dataclass
class Level:
    """One unit in the chain, the people holding positions in it, and how it hangs below the next."""

    unit: Organization
    holders: list[Holder] = field(default_factory=list)
    link: str = ""  # how the unit below hangs under this one: CERTAIN / POSSIBLE (dated), "registry" (undated)


@dataclass
class Chain:
    on: UncertainDate
    start: Organization
    levels: list[Level]
    alternatives: list[tuple[Organization, Organization, str]] = field(default_factory=list)  # other possible parents

    @property
    def svg(self) -> str:
        return mark_safe(diagram(self))  # noqa: S308 — every text in it is escaped by diagram()


def holders(unit: Organization, on: UncertainDate, restrict: Restrict) -> list[Holder]:
    """Who held a position in ``unit`` on ``on``: certain first, then possible, as far as
    ``restrict`` lets them be shown."""
    rows = restrict("biographic_detail", BiographicDetail.objects.filter(organization=unit)).select_related("person")
    out = []
    for detail in _overlapping(rows, on).order_by("start_date_from", "pk"):
        found = certainty(detail.start_date, detail.end_date, on)
        if found:
            out.append(Holder(detail, pseudonym(str(detail.person.uid)), found))
    return sorted(out, key=lambda h: h.certainty != CERTAIN)


def parents(unit: Organization, on: UncertainDate) -> list[tuple[Organization, str]]:
    """The units ``unit`` may have been under on ``on`` (certain first); the registry's undated
    parent when no dated parent is recorded for it at all."""
    dated = UnitParent.objects.filter(unit=unit)
    if not dated.exists():
        return [(unit.parent, "registry")] if unit.parent_id else []
    out = []
    for row in _overlapping(dated, on).select_related("parent"):
        found = certainty(row.start_date, row.end_date, on)
        if found:
            out.append((row.parent, found))
    return sorted(out, key=lambda p: p[1] != CERTAIN)


def chain(unit: Organization, on: UncertainDate, restrict: Restrict) -> Chain:
    """``unit`` and its superiors on ``on``, each with its holders; the first parent found (certain
    first) is followed, and the others are listed as alternatives."""
    result = Chain(on, unit, [])
    current, link, seen = unit, "", set()
    while current is not None and current.pk not in seen and len(seen) < MAX_DEPTH:
        seen.add(current.pk)
        result.levels.append(Level(current, holders(current, on, restrict), link))
        above = parents(current, on)
        result.alternatives += [(current, other, how) for other, how in above[1:]]
        current, link = above[0] if above else (None, "")
    return result


def units_of(ref: str, kind: str, principal: Principal) -> list[Organization]:
    """The units a question is about: the unit itself, or the units that operate a facility."""
    if kind == "organization":
        return [access.get("organization", ref, principal)]
    place: Place = access.get("place", ref, principal)
    return [place.operator] if place.operator_id else []


def positions_of(person, restrict: Restrict):
    """A person's positions in units over time (biographic details with an organization)."""
    rows = BiographicDetail.objects.filter(person=person, organization__isnull=False)
    return restrict("biographic_detail", rows).select_related("organization").order_by("start_date_from", "pk")


# --- the diagram --------------------------------------------------------------------------------

BOX_WIDTH, LINE, PAD, GAP_Y = 520, 16, 8, 28


def diagram(result: Chain) -> str:
    """The chain as an SVG drawing, top unit first: boxes with the unit and its holders, joined by
    lines (solid: certain or registry, dashed: possible). Text is escaped; no script, no style."""
    boxes, y = [], 10
    for level in reversed(result.levels):
        lines = [str(level.unit)] + [
            f"{h.label} · {h.detail.position or '—'}{f' ({h.detail.rank})' if h.detail.rank else ''} · {h.period}"
            + ("" if h.certainty == CERTAIN else f" · {_('possible')}")
            for h in level.holders
        ]
        if len(lines) == 1:
            lines.append(_("no position holder recorded for this date"))
        height = PAD * 2 + LINE * len(lines)
        boxes.append((y, height, lines, level.link))
        y += height + GAP_Y
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{BOX_WIDTH + 20}" height="{y}" role="img" '
             f'aria-label="{escape(_("Chain of command"))}" font-family="NanumGothic, sans-serif" font-size="11">']
    for n, (top, height, lines, link) in enumerate(boxes):
        parts.append(f'<rect x="10" y="{top}" width="{BOX_WIDTH}" height="{height}" fill="#f7f7f7" stroke="#333"/>')
        for i, text in enumerate(lines):
            weight = ' font-weight="bold"' if i == 0 else ""
            parts.append(f'<text x="{10 + PAD}" y="{top + PAD + LINE * (i + 1) - 4}"{weight}>{escape(text)}</text>')
        if n + 1 < len(boxes):
            dash = ' stroke-dasharray="4 3"' if link == POSSIBLE else ""
            x = 10 + BOX_WIDTH // 2
            parts.append(f'<line x1="{x}" y1="{top + height}" x2="{x}" y2="{top + height + GAP_Y}" stroke="#333"{dash}/>')
    parts.append("</svg>")
    return "".join(parts)
