"""The case matrix: legal elements by evidence, with coverage, conflicts and gaps.

For a case, the sections are the contextual and general mental elements of each charged
framework, then each charged crime (or right) with its own elements; for a suspect, the modes of
liability alleged against them follow. Each element row counts the links that support,
contradict or give context to it, and, behind its supporting links, how many distinct sources,
witnesses and kinds of source there are: three testimonies of one witness are one witness, and a
testimony beside a document beside satellite imagery is stronger than three testimonies.

What must be proved is counted by requirement: an ``any_of`` group of alternatives (art. 25(3)(a):
direct, co- or indirect perpetration) is met when one alternative is supported, its other rows
say so instead of showing gaps, and the gap list names the group once. Each gap carries the
element's means of proof, so the page says what evidence to look for next.

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
UNSOURCED = "unsourced"  # supported only by links whose records name no source: nothing to corroborate
ALTERNATIVE = "alternative"  # unsupported, but another alternative of its any_of group is supported


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
    # the other rows of this element's any_of group (not compared or printed: they point back)
    alternatives: list[Row] = field(default_factory=list, repr=False, compare=False)

    @property
    def status(self) -> str:
        """Supporting links with no source behind them (an unsourced evidence item, a position
        whose record names none) are "unsourced", not "single source": there is no source to count."""
        if not self.supports:
            if any(row.supports for row in self.alternatives):
                return ALTERNATIVE
            return CONTRADICTED if self.contradicts else GAP
        if self.contradicts:
            return CONFLICT
        if not self.sources:
            return UNSOURCED
        return SINGLE if self.sources == 1 else COVERED

    @property
    def status_label(self) -> str:
        return {
            GAP: _("gap"), CONTRADICTED: _("contradicted only"), CONFLICT: _("conflict"), UNSOURCED: _("unsourced"),
            SINGLE: _("single source"), COVERED: _("covered"), ALTERNATIVE: _("met by an alternative"),
        }[self.status]

    @property
    def alternative_position(self) -> int:
        """1, 2, … among the alternatives of its group (0 when the element stands on its own), so
        that a page can put "or" between them."""
        if not self.alternatives:
            return 0
        return self.element.alternatives.index(self.key) + 1


def _rows(framework: str, elements: tuple[Element, ...]) -> list[Row]:
    """The rows of ``elements``, each alternative of an any_of group knowing the others."""
    rows = [Row(framework, e.key, e) for e in elements]
    for row in rows:
        if row.element.alternatives:
            row.alternatives = [other for other in rows if other is not row and other.key in row.element.alternatives]
    return rows


@dataclass
class Section:
    kind: str  # common, crime, right, mode
    title: str
    citation: str
    rows: list[Row]

    @property
    def requirements(self) -> list[list[Row]]:
        """The rows grouped as what must be proved: one row, or the rows of one any_of group."""
        out: list[list[Row]] = []
        for row in self.rows:
            if row.alternative_position <= 1:
                out.append([row, *row.alternatives])
        return out

    @property
    def has_alternatives(self) -> bool:
        return any(row.alternatives for row in self.rows)


@dataclass
class Gap:
    """A requirement with no supporting evidence, and the kinds of evidence that would prove it."""

    keys: tuple[str, ...]
    text: str
    means_of_proof: list[str]


@dataclass
class Matrix:
    case: Case
    suspect: Suspect | None
    sections: list[Section]
    links: int = 0
    unplaced: list[Row] = field(default_factory=list)  # links to elements outside these sections
    not_loaded: list[str] = field(default_factory=list)  # charges and modes whose framework or item is not loaded

    @property
    def rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows]

    @property
    def skipped_files(self) -> tuple[frameworks.Skipped, ...]:
        """The workspace framework files skipped as bad, when a charge may be missing because of one."""
        return frameworks.skipped() if self.not_loaded else ()

    @property
    def coverage(self) -> tuple[int, int]:
        """(requirements with supporting evidence, requirements): an any_of group of alternatives
        is one requirement, met when one of them is supported."""
        groups = [group for section in self.sections for group in section.requirements]
        return sum(1 for group in groups if any(r.supports for r in group)), len(groups)

    @property
    def missing(self) -> list[Gap]:
        """The gap list: each requirement without supporting evidence once (an any_of group once,
        naming its alternatives), with its means of proof."""
        out = []
        for section in self.sections:
            for group in section.requirements:
                if any(row.supports for row in group):
                    continue
                elements = [row.element for row in group]
                proof = list(dict.fromkeys(text for element in elements for text in element.means_of_proof_text))
                if len(elements) == 1:
                    text = _("No evidence yet for: %(element)s — %(section)s (%(citation)s)") % {
                        "element": elements[0].text, "section": section.title, "citation": elements[0].citation}
                else:
                    text = _("No evidence yet for any of: %(elements)s — %(section)s (%(citation)s)") % {
                        "elements": " / ".join(e.text for e in elements), "section": section.title,
                        "citation": "; ".join(dict.fromkeys(e.citation for e in elements))}
                out.append(Gap(tuple(e.key for e in elements), text, proof))
        return out

    @property
    def gaps(self) -> list[str]:
        return [gap.text for gap in self.missing]

    @property
    def conflicts(self) -> list[str]:
        return [
            _("Conflicting evidence for %(element)s (%(supports)s supporting, %(contradicts)s contradicting)") % {
                "element": row.element.text, "supports": row.supports, "contradicts": row.contradicts}
            for row in self.rows if row.status == CONFLICT
        ]


def _sections(case: Case, suspect: Suspect | None) -> tuple[list[Section], list[str]]:
    """The sections of the matrix, and the charges and modes whose framework or item is not
    loaded (a workspace file removed or skipped as bad): shown as such, never dropped silently."""
    sections: list[Section] = []
    not_loaded: list[str] = []
    shared_done: set[str] = set()
    known = frameworks.frameworks()
    charged = [ref.partition(":") for ref in case.charges]
    for framework_key, _sep, item_key in charged:
        framework = known.get(framework_key)
        if framework is None or framework.key in shared_done or not framework.common:
            continue
        shared_done.add(framework.key)
        sections.append(Section("common", _("Elements common to every charge: %(framework)s") % {"framework": framework.title},
                                framework.key, _rows(framework.key, framework.common)))
    modes = [ref.partition(":") for ref in (suspect.modes if suspect else [])]
    for references, kind in ((charged, None), (modes, "mode")):
        for framework_key, _sep, item_key in references:
            framework = known.get(framework_key)
            item = framework.item(item_key) if framework else None
            if item is None:
                not_loaded.append(f"{framework_key}:{item_key}")
                continue
            section_kind = kind or ("right" if framework.kind == "rights" else "crime")
            sections.append(Section(section_kind, item.label, item.citation, _rows(framework.key, item.elements)))
    return sections, not_loaded


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
    sections, not_loaded = _sections(case, suspect)
    index = {(row.framework, row.key): row for row in (r for s in sections for r in s.rows)}
    matrix = Matrix(case, suspect, sections, not_loaded=not_loaded)
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
