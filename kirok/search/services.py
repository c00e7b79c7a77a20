"""Search: what the page, the API and ``kirok search`` all call.

``search(text, user=…)`` parses the query, plans it for the user (protected text and names are
searched only for users who may see protected values), asks the backend for matching
documents, and keeps only those the user may see — each record type through
``kirok.protection.access.visible``, and each facet value learned from another record through
that record's visibility too — before anything is ranked, counted or shown. Snippets come from
the open text stored in the index; a hit found in protected text gets its snippet from the
record itself, revealed through ``kirok.records.services.get_record`` (audited).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _

from kirok.protection import access
from kirok.protection.principal import NotFound, Principal
from kirok.records.registry import model_for
from kirok.records.services import get_record, principal_for
from kirok.search import analysis, backends, documents
from kirok.search.documents import FACETS, INDEXED, SPAN
from kirok.search.query import FILTERS, Plan, QueryError, add_filter, parse, plan

MAX_LIMIT = 100
FACET_SAMPLE = 500  # facet values are counted over this many best hits (types and total: over all)
SNIPPET = 200
PURPOSE = "search result snippet"
_WORD = re.compile(r"\S+")


@dataclass
class Hit:
    record_type: str
    uid: str
    external_id: str
    label: str
    score: float
    snippet: str = ""
    highlights: list[tuple[int, int]] = field(default_factory=list)
    protected: bool = False  # found in protected text or a protected name

    @property
    def url(self) -> str:
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse(f"web:{self.record_type}", args=[self.uid])
        except NoReverseMatch:
            return ""

    def parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, highlighted) pieces, for a template to escape and mark."""
        out, at = [], 0
        for start, end in self.highlights:
            out += [(self.snippet[at:start], False), (self.snippet[start:end], True)]
            at = end
        out.append((self.snippet[at:], False))
        return [p for p in out if p[0]]

    def as_dict(self) -> dict:
        return {
            "record_type": self.record_type, "id": self.uid, "external_id": self.external_id, "label": self.label,
            "score": round(self.score, 6), "snippet": self.snippet, "highlights": [list(h) for h in self.highlights],
            "protected": self.protected,
        }


@dataclass
class Results:
    query: str
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)  # facet -> (value, label, count)
    filters: dict[str, list] = field(default_factory=dict)
    error: str = ""
    facets_over: int = 0  # how many of the best hits the facet values were counted over (types: all)

    @property
    def facets_partial(self) -> bool:
        return 0 < self.facets_over < self.total


def search(text: str, *, user=None, filters: dict | None = None, limit: int = 20, offset: int = 0,
           facets: bool = True, snippets: bool = True, reveal: bool = True) -> Results:
    """Ranked hits the user may see, with snippets and facet counts. ``filters``: {name: value
    or values} with names from ``FILTERS`` (type, violation, province, facility, institution,
    source_type, basis, year, date_from, date_to). A query that cannot run gives ``error``.
    ``reveal=False`` (the pages and the API, which reveal only on an explicit action): hits found
    in protected values are marked and masked, not revealed."""
    principal = principal_for(user)
    principal.require("read_records")
    results = Results(text)
    try:
        parsed = parse(text)
        wanted = dict(parsed.filters)
        for name, values in (filters or {}).items():
            if name not in FILTERS.values():
                raise QueryError(_("unknown filter %(name)r; use one of: %(names)s") % {"name": name, "names": ", ".join(sorted(FILTERS.values()))})
            for value in values if isinstance(values, (list, tuple)) else [values]:
                if value not in (None, ""):
                    add_filter(wanted, name, value)
        results.filters = wanted
        planned = plan(parsed.tree, protected=principal.can("see_protected"))
    except QueryError as exc:
        results.error = str(exc)
        return results
    backend = backends.current()
    match_sql, match_params = backend.match(planned.expr, planned.boost)
    where, params = _conditions(wanted, principal)
    base = f"FROM ({match_sql}) m JOIN {backend.documents} ON d.id = m.doc_id WHERE {where}"
    limit = max(1, min(int(limit), MAX_LIMIT))
    with connection.cursor() as cur:
        top, counts = _match(cur, base, [*match_params, *params], principal, limit, max(0, int(offset)), facets)
        rows = _documents(cur, [doc_id for doc_id, _score in top])
    results.total = sum(counts.get("type", {}).values())
    if facets:
        results.facets = _labelled(counts)
        results.facets_over = min(results.total, FACET_SAMPLE)
    shown = [(doc_id, score) for doc_id, score in top if doc_id in rows]  # a document gone meanwhile is left out
    results.hits = [
        Hit(rows[doc_id][0], str(uuid.UUID(str(rows[doc_id][1]))), rows[doc_id][2] or "", rows[doc_id][3], score)
        for doc_id, score in shown
    ]
    if snippets:
        memo: dict[str, bool] = {}
        for hit, (doc_id, _score) in zip(results.hits, shown):
            _snippet(hit, rows[doc_id][4], planned, memo)
            hit.protected = not hit.highlights or hit.record_type == "person"
        if reveal:
            _protected_snippets(results.hits, planned, principal)
    return results


def _match(cur, base: str, params: list, principal: Principal, limit: int, offset: int, facets: bool):
    """Match once, in one statement: the page of (doc id, score), the count per record type over
    every hit, and (``facets``) the facet counts over the ``FACET_SAMPLE`` best hits.

    One statement instead of three (page, total, facets) because each of them ran the match and
    BM25 again; the facet values are counted over the best hits only because counting them
    costs per hit (about 10 µs each on SQLite), so a common word over 300,000 records would cost
    more than the whole search should. The per-type counts, the total and every filter stay
    exact; ``Results.facets_over`` says how many hits the facet counts cover.
    """
    sql = (
        f"WITH hits AS MATERIALIZED (SELECT d.id, d.record_type, m.score {base}) "
        "SELECT 0, CAST(id AS TEXT), NULL, score FROM "
        "(SELECT id, score FROM hits ORDER BY score DESC, id LIMIT %s OFFSET %s) page "
        "UNION ALL SELECT 1, record_type, NULL, COUNT(*) FROM hits GROUP BY record_type"
    )
    sql_params = [*params, limit, offset]
    if facets:
        via, via_params = visible_sql("f.via_type", "f.via_id", principal, own_ok=True)
        sql += (
            " UNION ALL SELECT 2, f.facet, f.value, COUNT(DISTINCT f.document_id) FROM search_facet f "
            "WHERE f.document_id IN (SELECT id FROM (SELECT id FROM hits ORDER BY score DESC, id LIMIT %s) best) "
            f"AND {via} GROUP BY f.facet, f.value"
        )
        sql_params += [FACET_SAMPLE, *via_params]
    cur.execute(sql, sql_params)
    top: list[tuple[int, float]] = []
    counts: dict[str, dict[str, int]] = {"type": {}}
    for kind, name, value, n in cur.fetchall():
        if kind == 0:
            top.append((int(name), float(n)))
        elif kind == 1:
            counts["type"][name] = int(n)
        else:
            counts.setdefault(name, {})[value] = int(n)
    top.sort(key=lambda t: (-t[1], t[0]))
    return top, counts


def _documents(cur, ids: list[int]) -> dict[int, tuple]:
    """The shown hits' stored columns, read by key once the page is known (not carried through
    the ranking of every hit: the open text is the largest column)."""
    if not ids:
        return {}
    cur.execute(
        f"SELECT id, record_type, uid, external_id, label, text FROM search_document WHERE id IN ({', '.join(['%s'] * len(ids))})",
        ids,
    )
    return {row[0]: row[1:] for row in cur.fetchall()}


def _conditions(wanted: dict, principal: Principal) -> tuple[str, list]:
    parts, params = [], []
    visible, visible_params = visible_sql("d.record_type", "d.record_id", principal)
    parts.append(visible)
    params += visible_params
    if wanted.get("type"):
        types = [t for t in wanted["type"] if t in INDEXED] or ["-"]
        parts.append(f"d.record_type IN ({', '.join(['%s'] * len(types))})")
        params += types
    for name in FACETS:
        values = wanted.get(name)
        if not values:
            continue
        via, via_params = visible_sql("f.via_type", "f.via_id", principal, own_ok=True)
        parts.append(
            f"d.id IN (SELECT f.document_id FROM search_facet f WHERE f.facet = %s AND f.value IN "
            f"({', '.join(['%s'] * len(values))}) AND {via})"
        )
        params += [name, *values, *via_params]
    if wanted.get("date_from"):
        parts.append("d.date_to >= %s")
        params.append(wanted["date_from"][0])
    if wanted.get("date_to"):
        parts.append("d.date_from <= %s")
        params.append(wanted["date_to"][0])
    return " AND ".join(f"({p})" for p in parts) or "1 = 1", params


def visible_sql(type_column: str, id_column: str, principal: Principal, *, own_ok: bool = False) -> tuple[str, list]:
    """SQL true for the (record type, key) pairs the principal may see: compartments, anchors and
    break-glass as ``kirok.protection.access`` says, as subqueries. ``own_ok``: an empty type
    (a facet value of the document's own record) passes."""
    if principal.operator:
        return "1 = 1", []
    if not principal.can("read_records"):
        return "1 = 0", []
    parts, params = ([f"{type_column} = ''"], []) if own_ok else ([], [])
    for record_type in (*INDEXED, "involvement"):
        if record_type in access.PUBLIC:
            parts.append(f"{type_column} = %s")
            params.append(record_type)
            continue
        sub, sub_params = access.visible(model_for(record_type).objects.all(), principal).values("pk").query.sql_with_params()
        parts.append(f"({type_column} = %s AND {id_column} IN ({sub}))")
        params += [record_type, *sub_params]
    return "(" + " OR ".join(parts) + ")", params


def _labelled(counts: dict[str, dict[str, int]]) -> dict[str, list[tuple[str, str, int]]]:
    """Facet counts with the labels of their values, most frequent first."""
    labels = facet_labels({name: list(values.items()) for name, values in counts.items()})
    return {
        name: sorted(((v, labels.get((name, v), v), n) for v, n in values.items()), key=lambda x: (-x[2], x[1]))
        for name, values in counts.items()
    }


def facet_labels(counts: dict[str, list[tuple[str, int]]]) -> dict[tuple[str, str], str]:
    """Labels of facet values in the user's language: terms, places, organizations, types."""
    from django.utils.translation import get_language

    korean = (get_language() or "").startswith("ko")
    known = _labels()
    labels = {key: pair[1] if korean or not pair[0] else pair[0] for key, pair in known.items()}
    for t in INDEXED:
        labels[("type", t)] = str(model_for(t)._meta.verbose_name)
    labels[("year", SPAN)] = _("spans several years")
    return labels


def _labels() -> dict[tuple[str, str], tuple[str, str]]:
    """(English, Korean) labels of every facet value that has one: vocabulary terms, places,
    institutions. Read once per process and again after a place or organization changes here
    (``documents.forget_reference``); the vocabularies change only with a reference-data load."""
    cached = documents.reference_cache.get("labels")
    if cached is not None:
        return cached
    from kirok.records.models import Organization, Place, Term

    labels: dict[tuple[str, str], tuple[str, str]] = {}
    vocabularies = {"violation": ("act_types", "coi_violation_categories"), "source_type": ("source_kinds",), "basis": ("testimony_basis",)}
    for name, vocabs in vocabularies.items():
        for code, en, ko in Term.objects.filter(vocabulary__key__in=vocabs).values_list("code", "label_en", "label_ko"):
            labels[(name, code)] = (en, ko)
    for iso, uid, ko, en in Place.all_objects.values_list("iso_code", "uid", "name_ko", "name_en"):
        if iso:
            labels[("province", iso)] = (en, ko)
        labels[("province", str(uid))] = labels[("facility", str(uid))] = (en, ko)
    for uid, ko, en in Organization.all_objects.values_list("uid", "name_ko", "name_en"):
        labels[("institution", str(uid))] = (en, ko)
    documents.reference_cache["labels"] = labels
    return labels


def _matches(word: str, planned: Plan) -> bool:
    norm = analysis.folded_word(word)
    if not norm:
        return False
    if any(norm.startswith(p) for p in planned.prefixes):
        return True
    if norm.isascii():
        return norm in planned.terms or analysis.key(norm) in planned.keys
    return any(t in norm for t in planned.terms if len(t) > 1 or t == norm) or analysis.key(norm) in planned.keys


def _snippet(hit: Hit, text: str, planned: Plan, memo: dict[str, bool] | None = None) -> None:
    """A window of ``text`` around its first matching words, with the matches marked.
    ``memo``: words already judged for this query (texts repeat their words)."""
    memo = {} if memo is None else memo
    words = [(m.start(), m.end()) for m in _WORD.finditer(text or "")]
    marked = []
    for s, e in words:
        word = text[s:e]
        found = memo.get(word)
        if found is None:
            found = memo[word] = _matches(word, planned)
        if found:
            marked.append((s, e))
    if not text:
        return
    start = max(0, marked[0][0] - SNIPPET // 3) if marked else 0
    if start:
        start = next((s for s, _e in words if s >= start), start)
    end = min(len(text), start + SNIPPET)
    prefix = "…" if start else ""
    hit.snippet = prefix + text[start:end] + ("…" if end < len(text) else "")
    hit.highlights = [(s - start + len(prefix), e - start + len(prefix)) for s, e in marked if s >= start and e <= end]


def _protected_snippets(hits: list[Hit], planned: Plan, principal: Principal) -> None:
    """Hits with nothing marked in their open text were found in protected text or names:
    for a user who may see protected values, the snippet (and a person's name) comes from the
    record revealed for them (audited); nobody else gets such hits."""
    if not principal.can("see_protected"):
        return
    for hit in hits:
        if hit.highlights and hit.record_type != "person":
            continue
        try:
            data = get_record(hit.record_type, hit.uid, user=principal, purpose=PURPOSE)
        except NotFound:
            continue
        if hit.record_type == "person":
            names = [n.get("full_name") for n in data.get("names") or () if isinstance(n.get("full_name"), str)]
            hit.label = " · ".join(names) or hit.label
        if not hit.highlights:
            texts = [v for k, v in data.items() if isinstance(v, str) and k not in ("id", "external_id", "url") and " " in v]
            _snippet(hit, "\n".join(texts), planned)

