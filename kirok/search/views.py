"""The search page: a form, ranked hits with highlighted snippets, and facets to narrow by.

Everything comes from ``kirok.search.services.search`` for the signed-in user (compartments and
protected fields are applied there). The page does not reveal protected values: a hit found in
one is marked, and its record page offers the audited reveal.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kirok.search.documents import FACETS
from kirok.search.services import search as run
from kirok.web.rules import page

PER_PAGE = 20
FACET_TITLES = {
    "type": _("Record type"), "violation": _("Violation type"), "province": _("Province"),
    "facility": _("Facility"), "institution": _("Perpetrator institution"), "source_type": _("Source type"),
    "basis": _("Testimony basis"), "year": _("Year"),
}
PARAMS = ("type", *FACETS)


@page("read_records")
def search(request):
    text = request.GET.get("q", "").strip()
    wanted = {name: request.GET.getlist(name) for name in PARAMS if request.GET.getlist(name)}
    for param, name in (("from", "date_from"), ("to", "date_to")):
        if value := request.GET.get(param, "").strip():
            wanted[name] = value
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    results = run(text, user=request.user, filters=wanted, limit=PER_PAGE, offset=(number - 1) * PER_PAGE, reveal=False) if text else None
    context = {
        "q": text, "results": results, "page": number, "start": (number - 1) * PER_PAGE + 1, "from": request.GET.get("from", ""), "to": request.GET.get("to", ""),
        "facets": _facets(request, results), "chosen": wanted,
        "next": _link(request, page=number + 1) if results and results.total > number * PER_PAGE else "",
        "previous": _link(request, page=number - 1) if number > 1 else "",
    }
    return render(request, "search/search.html", context)


def _link(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        params[key] = str(value)
    return "?" + params.urlencode()


def _facets(request, results) -> list[dict]:
    """Each facet's values with their counts and the link that adds (or removes) the filter."""
    if results is None or results.error:
        return []
    out = []
    for name, title in FACET_TITLES.items():
        values = results.facets.get(name) or []
        if not values:
            continue
        chosen = set(request.GET.getlist(name))
        items = []
        for value, label, count in values[:12]:
            params = [(k, v) for k, v in request.GET.lists() for v in v if k not in ("page",) and not (k == name and v == value)]
            if value not in chosen:
                params.append((name, value))
            items.append({"label": label, "count": count, "chosen": value in chosen, "url": "?" + urlencode(params)})
        out.append({"name": name, "title": title, "items": items})
    return out
