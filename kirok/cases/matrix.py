"""The case matrix: legal elements by evidence, with coverage, conflicts and gaps.

For a case, the sections are the contextual and general mental elements of each charged
framework, then each charged crime (or right) with its own elements; for a suspect, the modes of
liability alleged against them follow. Each element row counts the links that support,
contradict or give context to it, and, behind its supporting links, how many distinct sources,
witnesses and kinds of source there are: three testimonies of one witness are one witness, and a
testimony beside a document beside satellite imagery is stronger than three testimonies.

All counts come from one grouped SQL query over the links the caller passes in, on the link table
alone (each link keeps a copy of its target's source, ``ElementLink.source``, and of what the
target hangs off, ``ElementLink.reach``), plus one small query for the witnesses and kinds of the
sources found: the cost grows with the links, not with the elements. For a reader, the same scan
carries each link's reach, and the links out of the reader's reach are left out by those few
reach rows (``kirok.cases.reach``); a disclosure passes links already limited to what it may carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from kirok.protection.principal import Principal

from . import frameworks, reach
from .frameworks import Element, Standard
from .models import Case, Reach, Suspect

GAP, CONTRADICTED, CONFLICT, SINGLE, COVERED = "gap", "contradicted", "conflict", "single_source", "covered"


@dataclass
class Row:
    framework: str
    key: str
    element: Element | None
    supports: int = 0
    contradicts: int = 0
    context: int = 0
    strong: int = 0
    sources: int = 0
    witnesses: int = 0
    source_kinds: int = 0
    standard: Standard | None = None

    @property
    def status(self) -> str:
        if not self.supports:
            return CONTRADICTED if self.contradicts else GAP
        if self.contradicts:
            return CONFLICT
        return SINGLE if self.sources <= 1 else COVERED

    @property
    def status_label(self) -> str:
        return {
            GAP: _("gap"), CONTRADICTED: _("contradicted only"), CONFLICT: _("conflict"),
            SINGLE: _("single source"), COVERED: _("covered"),
        }[self.status]


@dataclass
class Section:
    kind: str  # common, crime, right, mode
    title: str
    citation: str
    rows: list[Row]


@dataclass
class Matrix:
    case: Case
    suspect: Suspect | None
    sections: list[Section]
    links: int = 0
    unplaced: list[Row] = field(default_factory=list)  # links to elements outside these sections

    @property
    def rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows]

    @property
    def coverage(self) -> tuple[int, int]:
        """(elements with supporting evidence, elements)."""
        rows = self.rows
        return sum(1 for r in rows if r.supports), len(rows)

    @property
    def gaps(self) -> list[str]:
        out = []
        for section in self.sections:
            for row in section.rows:
                if row.status in (GAP, CONTRADICTED):
                    out.append(_("No evidence yet for: %(element)s — %(section)s (%(citation)s)") % {
                        "element": row.element.text, "section": section.title, "citation": row.element.citation})
        return out

    @property
    def conflicts(self) -> list[str]:
        return [
            _("Conflicting evidence for %(element)s (%(supports)s supporting, %(contradicts)s contradicting)") % {
                "element": row.element.text, "supports": row.supports, "contradicts": row.contradicts}
            for row in self.rows if row.status == CONFLICT
        ]


def _sections(case: Case, suspect: Suspect | None) -> list[Section]:
    sections: list[Section] = []
    shared_done: set[str] = set()
    known = frameworks.frameworks()
    charged = [ref.partition(":") for ref in case.charges]
    for framework_key, _sep, item_key in charged:
        framework = known.get(framework_key)
        if framework is None or framework.key in shared_done or not framework.common:
            continue
        shared_done.add(framework.key)
        sections.append(Section("common", _("Elements common to every charge: %(framework)s") % {"framework": framework.title},
                                framework.key, [Row(framework.key, e.key, e) for e in framework.common]))
    modes = [ref.partition(":") for ref in (suspect.modes if suspect else [])]
    for references, kind in ((charged, None), (modes, "mode")):
        for framework_key, _sep, item_key in references:
            framework = known.get(framework_key)
            item = framework.item(item_key) if framework else None
            if item is None:
                continue
            section_kind = kind or ("right" if framework.kind == "rights" else "crime")
            sections.append(Section(section_kind, item.label, item.citation, [Row(framework.key, e.key, e) for e in item.elements]))
    return sections


def compute(case: Case, links: QuerySet, suspect: Suspect | None = None, *, reader: Principal | None = None) -> Matrix:
    """The matrix of ``case`` (and ``suspect``) over ``links``, a queryset of the case's links. A
    suspect's matrix counts the case-wide links and the suspect's own. With ``reader``, the links
    whose target is out of the reader's reach are not counted (the rule of
    ``services.reachable_links``, decided in the same scan); without, ``links`` must already be
    limited to what may be shown (the case file's consent-gated links)."""
    links = links.filter(case=case)
    if suspect is not None:
        links = links.filter(Q(suspect__isnull=True) | Q(suspect=suspect))
    # One narrow grouped query over the link table alone: a few rows per element (one per
    # assessment, strength, standard, source and, for a reader, reach), from which every count
    # below is exact. It is read from the index ``case_link_matrix`` alone (COUNT(*), not
    # COUNT(id): the key is not in that index on PostgreSQL).
    columns = ("framework", "element", "assessment", "strength", "standard", "source_id", "reach_id")
    grouped = links.order_by().values_list(*(columns if reader is not None else columns[:-1])).annotate(n=Count("*"))
    if reader is not None:
        # Each group's reach row comes with it (joined after grouping: a few hundred rows, one
        # round trip), then one probe of the keys they name decides which groups the reader sees.
        sql, params = grouped.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT g.*, r.keys, r.gone FROM ({sql}) g LEFT JOIN {Reach._meta.db_table} r ON r.id = g.reach_id", params)
            found = cursor.fetchall()
        refused = reach.refused({row[6]: (row[8], bool(row[9])) for row in found if row[6] is not None}, reader)
        grouped = [row[:6] + (row[7],) for row in found if row[6] is not None and row[6] not in refused]
    tallies: dict[tuple[str, str], _Tally] = {}
    for framework_key, element_key, assessment, strength, standard, source_id, n in grouped:
        tallies.setdefault((framework_key, element_key), _Tally()).add(assessment, strength, standard, source_id, n)
    about = _sources(set().union(*(t.sources for t in tallies.values())))
    sections = _sections(case, suspect)
    index = {(row.framework, row.key): row for row in (r for s in sections for r in s.rows)}
    matrix = Matrix(case, suspect, sections)
    standards = frameworks.standards()
    for key, tally in tallies.items():
        matrix.links += tally.links
        row = index.get(key)
        if row is None:
            framework = frameworks.frameworks().get(key[0])
            if suspect is None and framework is not None and framework.kind == "liability":
                continue  # a suspect's mode of liability: shown in that suspect's matrix
            row = Row(key[0], key[1], framework.element(key[1]) if framework else None)
            matrix.unplaced.append(row)
        tally.fill(row, about, standards)
    return matrix


@dataclass
class _Tally:
    """The links of one element, counted from the grouped rows."""

    links: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"supports": 0, "contradicts": 0, "context": 0})
    strong: int = 0
    sources: set[int] = field(default_factory=set)  # behind supporting links
    standards: set[str] = field(default_factory=set)  # reached by supporting links

    def add(self, assessment: str, strength: str, standard: str, source_id: int | None, n: int) -> None:
        self.links += n
        if assessment in self.counts:
            self.counts[assessment] += n
        if assessment != "supports":
            return
        self.strong += n if strength == "strong" else 0
        if source_id is not None:
            self.sources.add(source_id)
        if standard:
            self.standards.add(standard)

    def fill(self, row: Row, about: dict[int, tuple[int | None, int | None]], standards: dict[str, Standard]) -> None:
        """Witnesses and source types are counted distinct, as the sources are: three testimonies
        of one witness are one witness; a source without a witness (a document) adds none."""
        row.supports, row.contradicts, row.context = self.counts["supports"], self.counts["contradicts"], self.counts["context"]
        row.strong, row.sources = self.strong, len(self.sources)
        row.witnesses = len({about[s][0] for s in self.sources} - {None})
        row.source_kinds = len({about[s][1] for s in self.sources} - {None})
        reached = [standards[code] for code in self.standards if code in standards]
        row.standard = max(reached, key=lambda standard: standard.rank, default=None)


def _sources(ids: set[int]) -> dict[int, tuple[int | None, int | None]]:
    """Each source's (witness, kind), for the sources behind supporting links."""
    from kirok.records.models import Source

    return {pk: (witness, kind) for pk, witness, kind in Source.all_objects.filter(pk__among=ids).values_list("pk", "witness_id", "kind_id")}
