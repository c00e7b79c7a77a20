"""The case matrix: legal elements by evidence, with coverage, conflicts and gaps.

For a case, the sections are the contextual and general mental elements of each charged
framework, then each charged crime (or right) with its own elements; for a suspect, the modes of
liability alleged against them follow. Each element row counts the links that support,
contradict or give context to it, and, behind its supporting links, how many distinct sources,
witnesses and kinds of source there are: three testimonies of one witness are one witness, and a
testimony beside a document beside satellite imagery is stronger than three testimonies.

For a reader, the counts are the case's tallies (``kirok.cases.tallies``): its links counted by
element, assessment, strength, standard, source and reach, kept by the changesets that change
them, so that a page reads a few hundred rows rather than grouping tens of thousands of links;
the tallies whose reach is out of the reader's reach are left out, decided once per reach row
(``kirok.cases.reach``). A disclosure (the case file) passes links already limited to what it may
carry, which are grouped in one SQL query over the link table alone. Either way one small query
more reads the witnesses and kinds of the sources found: the cost grows with the groups, not with
the elements.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from kirok.protection.principal import Principal

from . import frameworks, reach, tallies
from .frameworks import Element, Standard
from .models import Case, Suspect

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


def compute(case: Case, suspect: Suspect | None = None, *, reader: Principal) -> Matrix:
    """The matrix of ``case`` (and ``suspect``) as ``reader`` may see it. A suspect's matrix counts
    the case-wide links and the suspect's own. The counts are the case's tallies
    (``kirok.cases.tallies``, kept by the changesets); those whose reach is out of the reader's
    reach are left out (the rule of ``services.reachable_links``), decided once for the few
    hundred reach rows they name."""
    found = tallies.rows(case, suspect)
    refused = reach.refused({row[6]: (row[8], bool(row[9])) for row in found if row[6] is not None}, reader)
    return _assembled(case, suspect, (row[:6] + (row[7],) for row in found if row[6] is not None and row[6] not in refused))


def of_links(case: Case, links: QuerySet, suspect: Suspect | None = None) -> Matrix:
    """The matrix over ``links``, a queryset of the case's links already limited to what may be
    shown (a case file's consent-gated links): one narrow grouped query over the link table alone,
    read from the index ``case_link_matrix`` (COUNT(*), not COUNT(id): the key is not in that
    index on PostgreSQL)."""
    links = links.filter(case=case)
    if suspect is not None:
        links = links.filter(Q(suspect__isnull=True) | Q(suspect=suspect))
    columns = ("framework", "element", "assessment", "strength", "standard", "source_id")
    return _assembled(case, suspect, links.order_by().values_list(*columns).annotate(n=Count("*")))


def _assembled(case: Case, suspect: Suspect | None, grouped: Iterable[tuple]) -> Matrix:
    """The sections of the matrix filled from grouped counts: (framework, element, assessment,
    strength, standard, source id, links), a few rows per element, from which every count is exact."""
    tallied: dict[tuple[str, str], _Tally] = {}
    for framework_key, element_key, assessment, strength, standard, source_id, n in grouped:
        tallied.setdefault((framework_key, element_key), _Tally()).add(assessment, strength, standard, source_id, n)
    about = _sources(set().union(*(t.sources for t in tallied.values())))
    sections = _sections(case, suspect)
    index = {(row.framework, row.key): row for row in (r for s in sections for r in s.rows)}
    matrix = Matrix(case, suspect, sections)
    standards = frameworks.standards()
    for key, tally in tallied.items():
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
