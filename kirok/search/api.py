"""Search over the API (mounted at /api/search/): the same service as the page and the CLI.

Protected values are not revealed here: a hit found in one says so (``protected``) and the
caller reveals the record through the records endpoints, which audit it.
"""

from __future__ import annotations

from ninja import Query, Router, Schema

from kirok.api.auth import principal
from kirok.search.services import search as run

router = Router(tags=["search"])


class Params(Schema):
    q: str
    type: list[str] = []
    violation: list[str] = []
    province: list[str] = []
    facility: list[str] = []
    institution: list[str] = []
    source_type: list[str] = []
    basis: list[str] = []
    year: list[str] = []
    date_from: str = ""
    date_to: str = ""
    limit: int = 20
    offset: int = 0


class HitOut(Schema):
    record_type: str
    id: str
    external_id: str
    label: str
    score: float
    snippet: str
    highlights: list[list[int]]
    protected: bool


class FacetValue(Schema):
    value: str
    label: str
    count: int


class ResultsOut(Schema):
    query: str
    total: int
    hits: list[HitOut]
    facets: dict[str, list[FacetValue]]
    facets_over: int  # the facet values (not the record types) are counted over this many best hits
    error: str


@router.get("/", response=ResultsOut, summary="Search the record")
def search(request, params: Query[Params]):
    who = principal(request, "read_records")
    filters = {k: v for k, v in params.dict().items() if k not in ("q", "limit", "offset") and v}
    results = run(params.q, user=who, filters=filters, limit=params.limit, offset=params.offset, reveal=False)
    return {
        "query": results.query, "total": results.total, "error": results.error, "facets_over": results.facets_over,
        "hits": [h.as_dict() for h in results.hits],
        "facets": {name: [{"value": v, "label": str(label), "count": n} for v, label, n in values] for name, values in results.facets.items()},
    }
