"""A UN briefing pack for a period: counts by category, province and year, the trend, and
anonymised case summaries — as a PDF with charts and as CSV, through the consent gate.

Anonymised means that a summary says only what many cases share: the year (never a day or a
month), the province (never a county, a facility or coordinates), the categories of the acts, how
many victims, and the kinds of perpetrator units (institution, never a person). No title, no
description, no name, no free text leaves: those are where a witness's identity hides. Only
incidents that leave the gate and are attested by a consenting source can be summarised, and a
summary is left out when its province and year hold fewer counted acts than ``min_cell``: a
rare combination singles a family out.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from kirok.protection.gate import Gate
from kirok.records.models import Event, Involvement
from kirok.records.services import principal_for

from . import statistics


@dataclass
class Summary:
    year: str
    province: str
    categories: list[str]
    victims: int
    units: list[str] = field(default_factory=list)


@dataclass
class Pack:
    stats: statistics.Statistics
    summaries: list[Summary]
    left_out: int = 0
    charts: dict[str, str] = field(default_factory=dict)


def _summaries(gate: Gate, stats: statistics.Statistics, refs: list[str]) -> tuple[list[Summary], int]:
    if not refs:
        return [], 0
    acts = statistics.counted_acts(gate, stats.period_from, stats.period_to)
    events = gate.queryset("event", Event.objects.filter(external_id__in=refs) | Event.objects.filter(uid__in=_uids(refs)))
    events = events.filter(Exists(acts.filter(event_id=OuterRef("pk"))))
    categories = statistics.categories()
    by_province = {c.key: c.count for c in stats.by_province}
    out, left_out = [], len(set(refs))
    for event in events.order_by("start_date_from", "pk"):
        mine = list(acts.filter(event=event).values_list("act_type_id", "place_id", "victim_id", "start_date_from"))
        provinces = statistics.provinces({m[1] for m in mine if m[1]})
        province = next((provinces[m[1]] for m in mine if m[1] in provinces), ("unknown", _("unknown")))
        if by_province.get(province[0], 0) < stats.min_cell:
            continue
        years = sorted({m[3].year for m in mine if m[3]})
        units = Involvement.objects.filter(act__in=acts.filter(event=event), organization__isnull=False).values_list(
            "organization__kind__label_ko" if statistics.korean() else "organization__kind__label_en", flat=True).distinct()
        out.append(Summary(str(years[0]) if years else _("unknown"), province[1],
                           sorted({categories.get(m[0], ("", _("unknown")))[1] for m in mine}),
                           len({m[2] for m in mine if m[2]}) or len(mine), sorted({u for u in units if u})))
        left_out -= 1
    return out, left_out


def _uids(refs: list[str]) -> list[str]:
    from kirok.records.exchange import canonical_uuid

    return [u for u in (canonical_uuid(r) for r in refs) if u]


def _published(stats: statistics.Statistics, cells: list[statistics.Cell]) -> list[statistics.Cell]:
    """Cells as a chart may draw them: a withheld count is drawn as zero."""
    return [statistics.Cell(c.key, c.label, 0 if c.withheld else c.count) for c in cells]


def _chart(cells: list[statistics.Cell], title: str) -> str:
    """A bar chart as an SVG ``data:`` URL: the PDF embeds it, so nothing is fetched, and each
    chart is its own document (two inline SVGs would share their element ids). Drawn on a bare
    ``Figure`` (no pyplot, no global state: safe in a web worker); Hangul labels need a Korean
    font (fonts-nanum, as the PDF uses), DejaVu is the fallback."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"font.family": ["NanumGothic", "DejaVu Sans"], "svg.fonttype": "path"}):
        figure = Figure(figsize=(6.5, 2.6))
        axes = figure.subplots()
        axes.bar([c.label for c in cells], [c.count for c in cells], color="#35577d")
        axes.set_title(title, fontsize=9)
        axes.tick_params(axis="x", labelrotation=45, labelsize=7)
        axes.tick_params(axis="y", labelsize=7)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode("utf-8")).decode("ascii")


def build(*, user=None, scope: str, period_from: date, period_to: date, cases: list[str] = (), gate: Gate | None = None) -> Pack:
    principal = principal_for(user)
    gate = gate or Gate(principal=principal, scope=scope, destination="workspace preview", purpose="upr briefing pack")
    stats = statistics.compute(gate, period_from, period_to)
    summaries, left_out = _summaries(gate, stats, list(cases))
    pack = Pack(stats, summaries, left_out)
    pack.charts = {"year": _chart(_published(stats, stats.by_year), _("Acts by year")),
                   "category": _chart(_published(stats, stats.by_category), _("Acts by category"))}
    return pack


def to_csv(pack: Pack) -> bytes:
    """table,key,label,count — withheld counts written as in the PDF ("<N", "x")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["table", "key", "label", "count"])
    stats = pack.stats
    writer.writerow(["total", "acts", _("acts"), stats.shown(stats.acts)])
    writer.writerow(["total", "incidents", _("incidents"), stats.shown(stats.incidents)])
    for table, cells in (("category", stats.by_category), ("province", stats.by_province), ("year", stats.by_year)):
        for cell in cells:
            writer.writerow([table, cell.key, cell.label, stats.text(cell)])
    return buffer.getvalue().encode("utf-8")


def export(*, user=None, scope: str, period_from: date, period_to: date, cases: list[str] = (), destination: str = "") -> dict[str, bytes]:
    """The pack as files (PDF and CSV), made through the gate and recorded as one disclosure."""
    from kirok.web.documents import render_pdf

    principal = principal_for(user)
    gate = Gate(principal=principal, scope=scope, destination=destination or _("UN briefing"), purpose="upr briefing pack")
    pack = build(user=principal, scope=scope, period_from=period_from, period_to=period_to, cases=cases, gate=gate)
    stem = f"un-briefing-{period_from.isoformat()}-{period_to.isoformat()}"
    files = {f"{stem}.pdf": render_pdf("upr/print/briefing.html", {"pack": pack}), f"{stem}.csv": to_csv(pack)}
    gate.close({name: hashlib.sha256(data).hexdigest() for name, data in files.items()})
    return files
