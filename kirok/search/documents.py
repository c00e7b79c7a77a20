"""What the index knows of a record: its open text, its protected text and names (in memory
only, to be analysed and hashed), its date, and its facet values.

Texts are read off the record's exchange form (``kirok.records.exporting.iter_dicts``), so a
field added to a model is searched without more code: every text and line field, the
translations, the custom fields and the owned rows (names). A value that is sealed in the stored
form is protected (``kirok.protection``): it is opened here (``sealing.opened``) and goes to the
protected side; the protected paths listed under ``blind_index`` (person names) are names, the
others protected text. A destroyed value (purge) stays a commitment and is left out.

Facets come from the record and the records it names, in batches: a value learned from another
record that is not public (an act's unit comes from an involvement) keeps that record as its
``via``, so that it is counted only for users who may see it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from kirok.protection import policy
from kirok.protection.sealing import opened
from kirok.records import exchange
from kirok.records.exchange import SEALED
from kirok.records.exporting import iter_dicts
from kirok.records.registry import model_for
from kirok.types.dates import DateError, UncertainDate

INDEXED = ("source", "place", "organization", "person", "event", "act", "information")
# A change to a record of the key type changes the facets of the records it names in these fields.
DEPENDENTS = {"act": ("event",), "involvement": ("act",), "information": ("event", "act")}
# Consent entries are the record of what a witness agreed to (scopes, who obtained it, a note
# such as a withdrawal's reason), not testimony: not searched. Leaving them out also keeps a
# consent withdrawal from changing its source's open text, so a purge re-indexes without Kiwi.
SKIPPED_FIELDS = frozenset({"external_id", "url", "language", "consents"})
LABEL_FIELDS = {"source": ("title",), "event": ("title",), "place": ("name_ko", "name_en"), "organization": ("name_ko", "name_en")}
DATE_FIELDS = {"event": ("start_date", "end_date"), "act": ("start_date", "end_date"), "source": ("date", None)}
FACETS = ("violation", "province", "facility", "institution", "source_type", "basis", "year")
SPAN = "span"  # year facet value of a date that may fall in more than one year


@dataclass
class Doc:
    record_type: str
    record_id: int
    uid: str
    external_id: str = ""
    label: str = ""
    open_texts: list[str] = field(default_factory=list)
    sealed_texts: list[str] = field(default_factory=list)
    sealed_names: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    facets: set[tuple[str, str, str, int | None]] = field(default_factory=set)


def build(record_type: str, pks: list[int]) -> list[Doc]:
    """The documents of the live records of ``record_type`` among ``pks`` (missing ones are
    deleted or never were: the caller removes their documents)."""
    if not pks:
        return []
    restrict = partial(_only, pks=pks)
    names = {p.path for p in policy.current().blind.get(record_type, ())}
    docs = []
    by_uid = {}
    for raw in iter_dicts(record_type, restrict=restrict):
        doc = _texts(record_type, raw, opened(record_type, raw), names)
        by_uid[doc.uid] = doc
        docs.append(doc)
    model = model_for(record_type)
    for pk, uid in model.objects.filter(pk__in=pks).values_list("pk", "uid"):
        if str(uid) in by_uid:
            by_uid[str(uid)].record_id = pk
    Facets(record_type, {d.record_id: d for d in docs}).collect()
    return docs


def _only(queryset, pks):
    return queryset.filter(pk__in=pks)


def _texts(record_type: str, raw: dict, plain: dict, names: set[str]) -> Doc:
    spec = exchange.type_spec(record_type)
    doc = Doc(record_type, 0, raw["id"], raw.get("external_id", ""))
    doc.label = " · ".join(raw[f] for f in LABEL_FIELDS.get(record_type, ()) if isinstance(raw.get(f), str))
    for f in spec.fields:
        if f.name in SKIPPED_FIELDS or f.name not in raw:
            continue
        if f.kind in ("text", "line"):
            _put(doc, raw[f.name], plain.get(f.name), f.name in names)
        elif f.kind == "json":
            _walk_json(doc, raw[f.name], plain.get(f.name))
        elif f.kind == "children":
            child_spec = f.children
            for item, plain_item in zip(raw[f.name], plain.get(f.name) or ()):
                sealed_here = set((item.get(SEALED) or {}).get("names") or ())
                for c in child_spec.fields:
                    if c.kind in ("text", "line") and c.name in plain_item:
                        protected = c.name in sealed_here
                        value = plain_item[c.name]
                        if not isinstance(value, str):
                            continue
                        if not protected:
                            doc.open_texts.append(value)
                        elif f"{f.name}.{c.name}" in names:
                            doc.sealed_names.append(value)
                        elif c.name not in ("family_name", "given_name"):
                            doc.sealed_texts.append(value)  # parts of a name are hashed with the whole
    if (dates := DATE_FIELDS.get(record_type)) is not None:
        doc.date_from, doc.date_to = _date_span(raw.get(dates[0]), raw.get(dates[1]) if dates[1] else None)
        if doc.date_from is not None:
            doc.facets.add(("year", str(doc.date_from.year) if doc.date_from.year == doc.date_to.year else SPAN, "", None))
    return doc


def _put(doc: Doc, raw, plain, is_name: bool) -> None:
    if isinstance(raw, str):
        doc.open_texts.append(raw)
    elif isinstance(raw, dict) and SEALED in raw and isinstance(plain, str):
        (doc.sealed_names if is_name else doc.sealed_texts).append(plain)


def _walk_json(doc: Doc, raw, plain) -> None:
    if isinstance(raw, str):
        doc.open_texts.append(raw)
    elif isinstance(raw, dict):
        if SEALED in raw:
            if isinstance(plain, str):
                doc.sealed_texts.append(plain)
            return
        for k, v in raw.items():
            _walk_json(doc, v, plain.get(k) if isinstance(plain, dict) else None)
    elif isinstance(raw, list):
        for i, v in enumerate(raw):
            _walk_json(doc, v, plain[i] if isinstance(plain, list) and i < len(plain) else None)


def _date_span(start, end) -> tuple[date | None, date | None]:
    try:
        first = UncertainDate.parse(start)
        last = UncertainDate.parse(end) if end else first
    except DateError:
        return None, None
    if not first.is_known:
        return None, None
    latest = last.latest if last.is_known and last.latest >= first.earliest else first.latest
    return first.earliest, latest


class Facets:
    """Facet values for a batch of documents of one type, a few queries per batch."""

    def __init__(self, record_type: str, docs: dict[int, Doc]):
        self.record_type = record_type
        self.docs = docs
        self.pks = list(docs)

    def add(self, pk: int, facet: str, value, via_type: str = "", via_id: int | None = None) -> None:
        if value not in (None, "") and pk in self.docs:
            self.docs[pk].facets.add((facet, str(value)[:64], via_type, via_id))

    def place(self, pk: int, place_id: int | None, via_type: str = "", via_id: int | None = None) -> None:
        if place_id is None:
            return
        province, facility = gazetteer().get(place_id, (None, None))
        self.add(pk, "province", province, via_type, via_id)
        self.add(pk, "facility", facility, via_type, via_id)

    def collect(self) -> None:
        if self.pks:
            getattr(self, f"_{self.record_type}")()

    def _event(self) -> None:
        from kirok.records.models import Act, Event, Information, Involvement

        for pk, code in Event.violation_categories.through.objects.filter(event_id__in=self.pks).values_list("event_id", "term__code"):
            self.add(pk, "violation", code)
        for pk, place in Event.places.through.objects.filter(event_id__in=self.pks).values_list("event_id", "place_id"):
            self.place(pk, place)
        for pk, act, code, place in Act.objects.filter(event_id__in=self.pks).values_list("event_id", "id", "act_type__code", "place_id"):
            self.add(pk, "violation", code, "act", act)
            self.place(pk, place, "act", act)
        for pk, inv, org in Involvement.objects.filter(act__event_id__in=self.pks, organization__isnull=False).values_list("act__event_id", "id", "organization_id"):
            self.add(pk, "institution", institutions().get(org), "involvement", inv)
        self._about(Information.objects.filter(event_id__in=self.pks), "event_id")

    def _act(self) -> None:
        from kirok.records.models import Act, Information, Involvement

        for pk, code, place, source, kind, basis in Act.objects.filter(pk__in=self.pks).values_list(
            "id", "act_type__code", "place_id", "source_id", "source__kind__code", "source__testimony_basis__code"
        ):
            self.add(pk, "violation", code)
            self.place(pk, place)
            self.add(pk, "source_type", kind, "source", source)
            self.add(pk, "basis", basis, "source", source)
        for pk, inv, org in Involvement.objects.filter(act_id__in=self.pks, organization__isnull=False).values_list("act_id", "id", "organization_id"):
            self.add(pk, "institution", institutions().get(org), "involvement", inv)
        self._about(Information.objects.filter(act_id__in=self.pks), "act_id")

    def _about(self, queryset, owner: str) -> None:
        """Source type and testimony basis of the information about each record (visible only
        to those who may see that information, hence its source)."""
        for pk, info, basis, kind in queryset.values_list(owner, "id", "testimony_basis__code", "source__kind__code"):
            self.add(pk, "basis", basis, "information", info)
            self.add(pk, "source_type", kind, "information", info)

    def _source(self) -> None:
        from kirok.records.models import Source

        for pk, kind, basis in Source.objects.filter(pk__in=self.pks).values_list("id", "kind__code", "testimony_basis__code"):
            self.add(pk, "source_type", kind)
            self.add(pk, "basis", basis)

    def _information(self) -> None:
        from kirok.records.models import Information

        for pk, basis, kind, act_place in Information.objects.filter(pk__in=self.pks).values_list(
            "id", "testimony_basis__code", "source__kind__code", "act__place_id"
        ):
            self.add(pk, "basis", basis)
            self.add(pk, "source_type", kind)
            self.place(pk, act_place)

    def _person(self) -> None:
        from kirok.records.models import Person

        for pk, origin, birth in Person.objects.filter(pk__in=self.pks).values_list("id", "origin_id", "birth_place_id"):
            self.place(pk, origin)
            self.place(pk, birth)

    def _place(self) -> None:
        for pk in self.pks:
            self.place(pk, pk)

    def _organization(self) -> None:
        for pk in self.pks:
            self.add(pk, "institution", institutions().get(pk))


_gazetteer: dict[int, tuple[str | None, str | None]] | None = None
_institutions: dict[int, str] | None = None
reference_cache: dict[str, object] = {}  # other derived reference data (facet labels), dropped with these


def gazetteer() -> dict[int, tuple[str | None, str | None]]:
    """{place key: (province ISO code or top place id, facility id or None)}: the gazetteer is
    small (hundreds to a few thousand places), so it is read whole once per indexing run."""
    global _gazetteer
    if _gazetteer is None:
        from kirok.records.models import Place

        rows = {pk: (parent, kind, iso, uid) for pk, parent, kind, iso, uid in Place.all_objects.values_list("id", "parent_id", "kind", "iso_code", "uid")}
        result = {}
        for pk, (parent, kind, iso, uid) in rows.items():
            top, seen = pk, set()
            while rows[top][0] is not None and rows[top][0] in rows and top not in seen:
                seen.add(top)
                top = rows[top][0]
            result[pk] = (rows[top][2] or str(rows[top][3]), str(uid) if kind == "facility" else None)
        _gazetteer = result
    return _gazetteer


def institutions() -> dict[int, str]:
    """{organization key: the id of the institution at the top of its hierarchy}."""
    global _institutions
    if _institutions is None:
        from kirok.records.models import Organization

        rows = dict(Organization.all_objects.values_list("id", "parent_id"))
        uids = dict(Organization.all_objects.values_list("id", "uid"))
        result = {}
        for pk in rows:
            top, seen = pk, set()
            while rows.get(top) is not None and top not in seen:
                seen.add(top)
                top = rows[top]
            result[pk] = str(uids[top])
        _institutions = result
    return _institutions


def forget_reference() -> None:
    """Drop the cached gazetteer and institutions (a place or an organization changed)."""
    global _gazetteer, _institutions
    _gazetteer = _institutions = None
    reference_cache.clear()


def dependents(record_type: str, pks: list[int]) -> dict[str, set[int]]:
    """Records whose facets change when these change: an act's event, an involvement's act, …"""
    out: dict[str, set[int]] = defaultdict(set)
    targets = DEPENDENTS.get(record_type, ())
    if not targets or not pks:
        return out
    model = model_for(record_type)
    columns = [f"{t}_id" for t in targets]
    for row in model.all_objects.filter(pk__in=pks).values_list(*columns):
        for target, pk in zip(targets, row):
            if pk is not None:
                out[target].add(pk)
    if record_type == "involvement":  # and through the act, its event
        from kirok.records.models import Act

        out["event"] |= set(Act.all_objects.filter(pk__in=out["act"]).values_list("event_id", flat=True))
    return out
