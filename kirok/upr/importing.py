"""Importing recommendations from CSV or XLSX, in Kirok's format or the UN's matrix layout.

Two layouts are read (docs/upr.md says which columns each has):

* **Kirok's format**: one column per field (``cycle``, ``paragraph``, ``text``,
  ``recommending_states`` …), lists separated by ``;``.
* **The OHCHR "matrix of recommendations"**: columns ``Recommendation`` (number, text, the
  recommending states in brackets at the end, and "Source of position: …"), ``Position`` and
  ``Full list of themes`` (themes, then "Affected persons:" with "- group" lines, and SDG
  lines). The matrix does not say its cycle: the importer is told (``--cycle``).

Every row is read and checked before anything is written; one bad value anywhere and nothing
lands, and the error lists each problem as FILE:ROW:FIELD. A recommendation is known by its cycle
and number, so importing the same file again changes nothing, and a corrected file updates the
rows it corrects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from kirok.protection.principal import Principal
from kirok.records.importing.readers import ReadError, reader_for
from kirok.records.importing.writer import bulk_insert

from . import vocab
from .models import Cycle, Recommendation, Tag
from .repeats import reduce_text

PARAGRAPH = re.compile(r"^\d{1,4}(?:\.\d{1,4}){0,3}$", re.ASCII)
LEADING_NUMBER = re.compile(r"^\s*(\d{1,4}(?:\.\d{1,4}){1,3})\.?\s+(.*)$", re.DOTALL | re.ASCII)
TRAILING_STATE = re.compile(r"\(([^()]+)\)\s*[;.,]?\s*$")
POSITION_SOURCE = re.compile(r"source of position\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)
SDG = re.compile(r"^(?:sdg|goal)\s*(\d{1,2})\b", re.IGNORECASE | re.ASCII)
MAX_PROBLEMS = 100

KIROK_COLUMNS = ("cycle", "paragraph", "text", "recommending_states", "position", "position_source", "themes",
                 "affected_groups", "sdgs", "action_category", "document_symbol")
MATRIX_COLUMNS = ("recommendation", "position", "full list of themes")


@dataclass(frozen=True)
class Problem:
    path: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.row}:{self.field}: {self.message}"


class ImportFailed(ValueError):
    """Nothing was imported; ``problems`` says what, where."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:MAX_PROBLEMS])
        more = len(problems) - MAX_PROBLEMS
        super().__init__(shown + (f"\n… {more} more" if more > 0 else ""))


@dataclass
class Parsed:
    cycle: int
    paragraph: str
    text: str
    states: list[str] = field(default_factory=list)
    position: str = "pending"
    position_source: str = ""
    themes: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    sdgs: list[str] = field(default_factory=list)
    action_category: int | None = None
    document_symbol: str = ""


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    layout: str = ""


def _split(value: str) -> list[str]:
    seen: dict[str, None] = {}
    for part in (value or "").split(";"):
        part = " ".join(part.split())
        if part:
            seen[part] = None
    return list(seen)


def split_recommendation(cell: str) -> tuple[str, str, list[str], str]:
    """A matrix cell → (number, text, recommending states, position source); the number is ""
    when the cell does not start with one."""
    cell = (cell or "").strip()
    source = ""
    found = POSITION_SOURCE.search(cell)
    if found:
        source = " ".join(found.group(1).split())
        cell = cell[: found.start()].rstrip()
    number = ""
    lead = LEADING_NUMBER.match(cell)
    if lead:
        number, cell = lead.group(1), lead.group(2)
    states: list[str] = []
    while (tail := TRAILING_STATE.search(cell)) is not None:
        states.insert(0, " ".join(tail.group(1).split()))
        cell = cell[: tail.start()].rstrip()
    return number, " ".join(cell.split()).rstrip(";").rstrip(), states, source


def split_themes(cell: str) -> tuple[list[str], list[str], list[str]]:
    """A matrix's "Full list of themes" cell → (themes, affected groups, SDG numbers)."""
    themes, groups, sdgs = [], [], []
    in_groups = False
    for raw in (cell or "").splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        if line.lower().rstrip(":") in ("affected persons", "affected groups"):
            in_groups = True
            continue
        sdg = SDG.match(line)
        if sdg:
            sdgs.append(str(int(sdg.group(1))))
            in_groups = False
        elif in_groups and line.startswith(("-", "•")):
            groups.append(line.lstrip("-• ").strip())
        else:
            in_groups = False
            themes.append(line)
    return themes, groups, sdgs


def _layout(header: Iterable[str]) -> str:
    names = {h.strip().lower() for h in header}
    if all(c in names for c in MATRIX_COLUMNS):
        return "un-matrix"
    if {"cycle", "paragraph", "text"} <= names:
        return "kirok"
    return ""


class _Row:
    """One row being checked: its problems are collected, not raised, so a file is judged whole."""

    def __init__(self, path: str, number: int, values: dict, problems: list[Problem]):
        self.path, self.number, self.problems = path, number, problems
        self.values = {k.strip().lower(): ("" if v is None else str(v)) for k, v in values.items()}

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def fail(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.number, name, message))


def _parse_kirok(row: _Row, cycles: set[int], default_cycle: int | None) -> Parsed | None:
    raw = row.get("cycle") or (str(default_cycle) if default_cycle else "")
    cycle = int(raw) if raw.isascii() and raw.isdigit() else None
    if cycle is None:
        row.fail("cycle", _("a cycle number is required (1, 2, 3 …)"))
    elif cycle not in cycles:
        row.fail("cycle", _("no UPR cycle %(n)s in the workspace (run `kirok upr load-cycles`)") % {"n": cycle})
    paragraph = row.get("paragraph")
    if not PARAGRAPH.match(paragraph):
        row.fail("paragraph", _("%(value)r is not a recommendation number like 124.37") % {"value": paragraph[:40]})
    text = " ".join(row.get("text").split())
    if not text:
        row.fail("text", _("the recommendation's text is empty"))
    parsed = Parsed(cycle or 0, paragraph, text, states=_split(row.get("recommending_states")),
                    position_source=" ".join(row.get("position_source").split()), themes=_split(row.get("themes")),
                    groups=_split(row.get("affected_groups")), document_symbol=row.get("document_symbol"))
    _position(row, parsed, "position")
    _sdgs(row, parsed, _split(row.get("sdgs")), "sdgs")
    category = row.get("action_category")
    if category:
        if category in {"1", "2", "3", "4", "5"}:
            parsed.action_category = int(category)
        else:
            row.fail("action_category", _("%(value)r is not an action category from 1 to 5") % {"value": category[:20]})
    return parsed


def _parse_matrix(row: _Row, cycle: Cycle | None) -> Parsed | None:
    number, text, states, source = split_recommendation(row.get("recommendation"))
    if not number:
        row.fail("Recommendation", _("the cell does not start with the recommendation's number (e.g. 124.37)"))
    if not text:
        row.fail("Recommendation", _("the recommendation's text is empty"))
    themes, groups, sdgs = split_themes(row.values.get("full list of themes", ""))
    parsed = Parsed(cycle.number if cycle else 0, number, text, states=states, position_source=source, themes=themes,
                    groups=groups, document_symbol=cycle.report_symbol if cycle else "")
    _position(row, parsed, "Position")
    _sdgs(row, parsed, sdgs, "Full list of themes")
    return parsed


def _position(row: _Row, parsed: Parsed, name: str) -> None:
    value = row.get(name.lower())
    code = vocab.position_of(value)
    if code is None:
        row.fail(name, _("%(value)r is not a position (supported, partially supported, noted)") % {"value": value[:40]})
    else:
        parsed.position = code


def _sdgs(row: _Row, parsed: Parsed, values: list[str], name: str) -> None:
    for value in values:
        goal = value.upper().removeprefix("SDG").strip()
        if goal.isascii() and goal.isdigit() and 1 <= int(goal) <= 17:
            parsed.sdgs.append(str(int(goal)))
        else:
            row.fail(name, _("%(value)r is not a Sustainable Development Goal from 1 to 17") % {"value": value[:20]})


LIMITS = {"position_source": 200, "document_symbol": 40}


def _lengths(row: _Row, item: Parsed, layout: str) -> None:
    """Values longer than their column holds are errors, not silently cut."""
    for name, most in LIMITS.items():
        if len(getattr(item, name)) > most:
            row.fail("Recommendation" if layout == "un-matrix" else name,
                     _("longer than %(n)s characters") % {"n": most})


def read_file(path: Path, *, cycle: int | None = None) -> tuple[str, list[Parsed]]:
    """Every row of the file, checked; ``ImportFailed`` with all problems if any row is bad."""
    name = str(path)
    problems: list[Problem] = []
    try:
        rows = list(reader_for(path)(path))
    except ReadError as exc:
        raise ImportFailed([Problem(exc.path, exc.row or 0, "-", exc.message)]) from None
    except (OSError, ValueError) as exc:
        raise ImportFailed([Problem(name, 0, "-", str(exc))]) from None
    if not rows:
        raise ImportFailed([Problem(name, 1, "-", _("the file has no rows"))])
    layout = _layout(rows[0][1].keys())
    if not layout:
        raise ImportFailed([Problem(name, 1, "-", _("neither Kirok's columns (cycle, paragraph, text …) nor the UN matrix's "
                                                    "(Recommendation, Position, Full list of themes)"))])
    cycles = {c.number: c for c in Cycle.objects.all()}
    matrix_cycle = None
    if layout == "un-matrix":
        matrix_cycle = cycles.get(cycle or 0)
        if matrix_cycle is None:
            raise ImportFailed([Problem(name, 0, "cycle", _("a UN matrix does not say its cycle: give --cycle N for a cycle in the workspace"))])
    parsed: list[Parsed] = []
    seen: dict[tuple[int, str], int] = {}
    for number, values in rows:
        row = _Row(name, number, values, problems)
        if not any(v.strip() for v in row.values.values()):
            continue
        item = _parse_matrix(row, matrix_cycle) if layout == "un-matrix" else _parse_kirok(row, set(cycles), cycle)
        _lengths(row, item, layout)
        key = (item.cycle, item.paragraph)
        if item.paragraph and key in seen:
            row.fail("paragraph", _("recommendation %(p)s of cycle %(c)s is also in row %(row)s")
                     % {"p": item.paragraph, "c": item.cycle, "row": seen[key]})
        seen.setdefault(key, number)
        parsed.append(item)
    if problems:
        raise ImportFailed(problems)
    return layout, parsed


def import_file(path: Path, *, principal: Principal, cycle: int | None = None) -> Result:
    """Import a recommendations file whole, or nothing of it."""
    principal.require("write_records")
    layout, parsed = read_file(Path(path), cycle=cycle)
    result = Result(layout=layout)
    cycles = {c.number: c for c in Cycle.objects.all()}
    file_name = Path(path).name
    existing = {(r.cycle_id, r.paragraph): r for r in Recommendation.objects.filter(
        cycle__number__in={item.cycle for item in parsed}).prefetch_related("tag_rows")}
    created: list[tuple[Recommendation, list]] = []
    with transaction.atomic():
        for item in parsed:
            rec, values, tags = _values(item, cycles[item.cycle])
            old = existing.get((rec.cycle_id, rec.paragraph))
            if old is None:
                rec.imported_from = file_name
                created.append((rec, tags))
                continue
            if all(getattr(old, k) == v for k, v in values.items()) and [(t.kind, t.value) for t in old.tag_rows.all()] == tags:
                result.unchanged += 1
                continue
            for k, v in values.items():
                setattr(old, k, v)
            old.imported_from = file_name
            old.save()
            old.tag_rows.all().delete()
            _tags(old, tags)
            result.updated += 1
        Recommendation.objects.bulk_create([rec for rec, _tags_ in created], batch_size=1000)
        bulk_insert(Tag._meta.db_table, ["recommendation_id", "kind", "value", "position"],
                    [(rec.pk, k, v, i) for rec, tags in created for i, (k, v) in enumerate(tags)])
        result.created = len(created)
    return result


def _values(item: Parsed, cycle: Cycle) -> tuple[Recommendation, dict, list[tuple[str, str]]]:
    """The row as an unsaved recommendation, its values, and its tags in order."""
    values = {"text": item.text, "document_symbol": item.document_symbol or cycle.report_symbol, "position": item.position,
              "position_source": item.position_source, "action_category": item.action_category, "words": reduce_text(item.text)}
    tags = [(kind, value) for kind, values_ in (("state", item.states), ("theme", item.themes), ("group", item.groups),
                                                ("sdg", item.sdgs)) for value in dict.fromkeys(v[:200] for v in values_)]
    return Recommendation(cycle=cycle, paragraph=item.paragraph, **values), values, tags


def _tags(rec: Recommendation, tags: list[tuple[str, str]]) -> None:
    bulk_insert(Tag._meta.db_table, ["recommendation_id", "kind", "value", "position"], [(rec.pk, k, v, i) for i, (k, v) in enumerate(tags)])
