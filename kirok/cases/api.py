"""Cases over the API (mounted at /api/cases/): the cases a caller may read and their matrices,
from the same services as the pages and the command line. A case out of reach is 404."""

from __future__ import annotations

from ninja import Router, Schema

from kirok.api.auth import principal

from . import matrix, services

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: str
    key: str
    title: str
    charges: list[str]


class RowOut(Schema):
    framework: str
    element: str
    kind: str
    citation: str
    status: str
    supports: int
    contradicts: int
    context: int
    sources: int
    witnesses: int
    source_kinds: int
    standard: str


class SectionOut(Schema):
    kind: str
    title: str
    citation: str
    rows: list[RowOut]


class MatrixOut(Schema):
    case: str
    suspect: str
    links: int
    covered: int
    elements: int
    sections: list[SectionOut]
    gaps: list[str]
    conflicts: list[str]


@router.get("/", response=list[CaseOut], summary="The cases you may read")
def cases(request):
    who = principal(request, "read_records")
    return [{"id": str(c.uid), "key": c.key, "title": c.title, "charges": c.charges} for c in services.cases_for(who).order_by("key")]


@router.get("/{ref}/matrix", response=MatrixOut, summary="A case's matrix (or one suspect's, with ?suspect=)")
def case_matrix(request, ref: str, suspect: str = ""):
    who = principal(request, "read_records")
    found = services.get_case(ref, who)
    subject = services.get_suspect(found, suspect) if suspect else None
    result = matrix.compute(found, subject, reader=who)
    covered, total = result.coverage
    return {
        "case": str(found.uid), "suspect": str(subject.uid) if subject else "", "links": result.links, "covered": covered,
        "elements": total, "gaps": result.gaps, "conflicts": result.conflicts,
        "sections": [{"kind": s.kind, "title": s.title, "citation": s.citation, "rows": [{
            "framework": r.framework, "element": r.key, "kind": r.element.kind, "citation": r.element.citation, "status": r.status,
            "supports": r.supports, "contradicts": r.contradicts, "context": r.context, "sources": r.sources,
            "witnesses": r.witnesses, "source_kinds": r.source_kinds, "standard": r.standard.code if r.standard else "",
        } for r in s.rows]} for s in result.sections],
    }
