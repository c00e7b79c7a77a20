"""Chain of command: who held a position in a unit on a date, and who was above them.

Positions are biographic details (a person, an organization, a position and rank, uncertain
start and end dates); the unit hierarchy over time is ``UnitParent`` (falling back to the
registry's undated ``Organization.parent`` for a unit that has no dated parents). A facility is
answered through the units that ran it on the date (``FacilityOperator``, falling back likewise
to the registry's undated ``Place.operator``).

Who **commanded** is not everyone who held a position: each position is classed as a command
post, a deputy, a political officer, a section head or another post (an agent, a guard) by its
relationship and its title, as ``kirok/data/command_posts.yaml`` says (data, not code). The
commanders of each unit come first and are marked so; the other holders follow, each with what
their post is, so that a reader never takes an agent for the commander.

Dates are uncertain on both sides, so every answer says how sure it is. A holder is **certain**
on a day when the position certainly began before it and certainly ended after it (the latest
possible start is before the day's earliest moment, the earliest possible end after its
latest), and **possible** when the two intervals merely overlap. An open end (no end date
recorded) is possible, never certain: Kirok cannot know the person still held the post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from html import escape
from pathlib import Path

import yaml

from django.db.models import Q
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kirok.protection import access
from kirok.protection.principal import Principal
from kirok.protection.pseudonyms import pseudonym
from kirok.records.models import BiographicDetail, Organization, Place
from kirok.types.dates import UncertainDate

from .frameworks import bilingual
from .models import FacilityOperator, UnitParent
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


POSTS_FILE = Path(__file__).resolve().parent.parent / "data" / "command_posts.yaml"
COMMAND, OTHER = "command", "other"
WORDS = re.compile(r"[0-9a-z\uac00-\ud7a3]+")  # Latin (lower-cased), digits, Hangul syllables


@dataclass(frozen=True)
class PostClass:
    """A class of posts (command, deputy, political officer, section head) and the titles that name it."""

    code: str
    label_by_language: dict
    titles: tuple[str, ...]

    @property
    def label(self) -> str:
        return bilingual(self.label_by_language)

    def names(self, text: str, words: list[str]) -> bool:
        """Does a title of this class name the post ``text`` (lower-cased, split into ``words``)?
        A Latin title is a word (or a phrase of words) of the text; a Korean title may end a
        compound word (관리소장 ends in 소장)."""
        for title in self.titles:
            if " " in title:
                if re.search(rf"(?<![a-z]){re.escape(title)}(?![a-z])", text):
                    return True
            elif title.isascii():
                if title in words:
                    return True
            elif any(word.endswith(title) for word in words):
                return True
        return False


@lru_cache(maxsize=1)
def post_classes() -> tuple[dict[str, str], tuple[PostClass, ...]]:
    """({relationship code: class}, classes in the order they are tried) from command_posts.yaml."""
    doc = yaml.safe_load(POSTS_FILE.read_text(encoding="utf-8"))
    classes = tuple(PostClass(c["code"], c["label"], tuple(str(t).lower() for t in c["titles"])) for c in doc["classes"])
    return dict(doc.get("relationships") or {}), classes


def post_of(detail: BiographicDetail) -> str:
    """The class of a position: by its relationship (``commander_of_organisation``), else by the
    first class whose title names its position text; ``OTHER`` when none does."""
    relationships, classes = post_classes()
    if detail.relationship_id and detail.relationship.code in relationships:
        return relationships[detail.relationship.code]
    text = " ".join((detail.position or "").lower().split())
    words = WORDS.findall(text)
    return next((c.code for c in classes if c.names(text, words)), OTHER)


def post_label(code: str) -> str:
    found = next((c for c in post_classes()[1] if c.code == code), None)
    return found.label if found else _("other post")


@dataclass
class Holder:
    detail: BiographicDetail
    label: str
    certainty: str
    post: str = OTHER

    @property
    def certainty_label(self) -> str:
        return _("certain") if self.certainty == CERTAIN else _("possible")

    @property
    def commands(self) -> bool:
        return self.post == COMMAND

    @property
    def post_label(self) -> str:
        return post_label(self.post)

    @property
    def period(self) -> str:
        """The position's period in the active language's date convention (1998년 3월 in Korean)."""
        from kirok.web.templatetags.kirok_web import kdate

        return f"{kdate(self.detail.start_date) or '?'} – {kdate(self.detail.end_date) or '…'}"


@dataclass
class Level:
    """One unit in the chain, the people holding positions in it, and how it hangs below the next."""

    unit: Organization
    holders: list[Holder] = field(default_factory=list)  # commanders first
    link: str = ""  # how the unit below hangs under this one: CERTAIN / POSSIBLE (dated), "registry" (undated)

    @property
    def commanders(self) -> list[Holder]:
        """Who commanded the unit on the date: the holders of its command posts."""
        return [h for h in self.holders if h.commands]

    @property
    def others(self) -> list[Holder]:
        """Everyone else who held a position in it (deputies, political officers, agents …)."""
        return [h for h in self.holders if not h.commands]



@dataclass
class Chain:
    on: UncertainDate
    start: Organization
    levels: list[Level]
    alternatives: list[tuple[Organization, Organization, str]] = field(default_factory=list)  # other possible parents
    operated: tuple[str, str] | None = None  # (facility, how sure) when the chain starts at a facility's operator

    @property
    def svg(self) -> str:
        return mark_safe(diagram(self))  # noqa: S308 — every text in it is escaped by diagram()


def holders(unit: Organization, on: UncertainDate, restrict: Restrict) -> list[Holder]:
    """Who held a position in ``unit`` on ``on``, as far as ``restrict`` lets them be shown:
    commanders first, then the other posts in the order of ``command_posts.yaml``; certain before
    possible within each."""
    rows = restrict("biographic_detail", BiographicDetail.objects.filter(organization=unit)).select_related("person", "relationship")
    out = []
    for detail in _overlapping(rows, on).order_by("start_date_from", "pk"):
        found = certainty(detail.start_date, detail.end_date, on)
        if found:
            out.append(Holder(detail, pseudonym(str(detail.person.uid)), found, post_of(detail)))
    order = [COMMAND] + [c.code for c in post_classes()[1] if c.code != COMMAND] + [OTHER]
    return sorted(out, key=lambda h: (order.index(h.post) if h.post in order else len(order), h.certainty != CERTAIN))


def _dated(rows, on: UncertainDate, attr: str) -> list[tuple[Organization, str]]:
    """The ``attr`` unit of each dated row (a parent, an operator) whose period may cover ``on``,
    with how sure that is; certain first."""
    out = []
    for row in _overlapping(rows, on).select_related(attr).order_by("start_date_from", "pk"):
        found = certainty(row.start_date, row.end_date, on)
        if found:
            out.append((getattr(row, attr), found))
    return sorted(out, key=lambda p: p[1] != CERTAIN)


def parents(unit: Organization, on: UncertainDate) -> list[tuple[Organization, str]]:
    """The units ``unit`` may have been under on ``on`` (certain first); the registry's undated
    parent when no dated parent is recorded for it at all."""
    dated = UnitParent.objects.filter(unit=unit)
    if not dated.exists():
        return [(unit.parent, "registry")] if unit.parent_id else []
    return _dated(dated, on, "parent")


def operators(place: Place, on: UncertainDate) -> list[tuple[Organization, str]]:
    """The units that may have run facility ``place`` on ``on`` (certain first), from its dated
    operators (``FacilityOperator``); the registry's undated ``Place.operator`` when none is
    recorded for it at all."""
    dated = FacilityOperator.objects.filter(place=place)
    if not dated.exists():
        return [(place.operator, "registry")] if place.operator_id else []
    return _dated(dated, on, "unit")


HOW = {CERTAIN: gettext_lazy("certain"), POSSIBLE: gettext_lazy("possible"), "registry": gettext_lazy("registry, undated")}


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


def units_of(ref: str, kind: str, principal: Principal, on: UncertainDate | None = None) -> list[Organization]:
    """The units a question is about: the unit itself, or the units that may have run a facility
    on ``on`` (any date when not given)."""
    if kind == "organization":
        return [access.get("organization", ref, principal)]
    place: Place = access.get("place", ref, principal)
    return [unit for unit, _how in operators(place, on or UncertainDate.parse(""))]


def chains_for(ref: str, kind: str, on: UncertainDate, principal: Principal, restrict: Restrict) -> list[Chain]:
    """The chains of command a question asks for: of the unit, or of each unit that may have run
    the facility on ``on``, each saying how sure it is that the unit ran it then."""
    if kind == "organization":
        return [chain(access.get("organization", ref, principal), on, restrict)]
    place: Place = access.get("place", ref, principal)
    out = []
    for unit, how in operators(place, on):
        result = chain(unit, on, restrict)
        result.operated = (str(place), str(HOW[how]))
        out.append(result)
    return out


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
            f"{h.post_label}: {h.label} · {h.detail.position or '—'}{f' ({h.detail.rank})' if h.detail.rank else ''} · {h.period}"
            + ("" if h.certainty == CERTAIN else f" · {_('possible')}")
            for h in level.holders
        ]
        if not level.commanders:
            lines.insert(1, _("no commander recorded for this date") if level.holders else _("no position holder recorded for this date"))
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
