"""Uwazi CSV import: an Uwazi collection's CSV, or a ZIP with ``import.csv`` and its files.

Uwazi (HURIDOCS) keeps one template per kind of entity; its CSV import and export put one
entity per row, with columns named after the template's properties. Kirok reads such a file with
a *mapping* (``kirok/data/uwazi/<name>.yaml``, or ``<KIROK_HOME>/uwazi/<name>.yaml``) that says
which Kirok record type the template becomes and which Kirok field each property fills; see
``docs/uwazi.md`` for the format. The Uwazi conventions are kept (``app/api/csv`` in
huridocs/uwazi):

    delimiter          ``,`` or ``;``
    several values     ``|`` between them
    thesaurus value    its label (English or Korean), or ``Parent::Child``; more than one ``::``
                       is an error. An unknown value is an error: Kirok never creates terms
    date               the instance format (``date_format``, default YYYY/MM/DD), then ``LL``
                       ("March 2, 1998"), YYYY MM DD, YYYY/MM/DD, YYYY-MM-DD, YYYY (and YYYY-MM):
                       stored as EDTF text ("1998-03-02", "1998-03", "1998")
    date range         ``from:to`` as Uwazi imports it, or ``from~to`` as Uwazi exports it
    geolocation        ``lat|lon`` (Kirok keeps 0.01°)
    link               ``label|url``
    translations       ``<name>__<lang>`` columns: beside a plain column (older Uwazi), or one per
                       language with the collection's language among them (current Uwazi)
    relationship       ``|`` between titles, looked for among the rows of this file, then records
                       that came from Uwazi, then all of Kirok's; an unknown title is an error:
                       Kirok never creates records from a relationship
    id                 Uwazi's sharedId → external id ``uwazi:<sharedId>``, so a re-import updates
                       the same records (a Kirok id there is taken as the record's Kirok id)
    file, attachments  (ZIP only, sources only) names of files in the ZIP, taken into the
                       evidence vault as items of the source (hashed, deduplicated, custody-logged)

Unlike Uwazi, a value that cannot be read is never dropped: the import fails, naming
``FILE:ROW:COLUMN: reason`` for every bad value, and writes nothing. A row that updates a Kirok
record replaces only the fields its file has columns for; fields the mapping does not cover
(and Kirok-only details such as a name's romanization) are kept.
"""

from __future__ import annotations

import calendar
import csv
import difflib
import io
import mimetypes
import os
import re
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlparse

import yaml

from kirok.records import exchange
from kirok.records.exchange import FieldError
from kirok.records.registry import ORDER, model_for, record_type_of
from kirok.types.dates import DateError, UncertainDate
from kirok.types.text import clean, clean_line

from .readers import ReadError, decode_utf8, read_csv_stream

MULTI = "|"
PARENT_CHILD = "::"
RANGE_SEPARATORS = (":", "~")
EXPORT_RANGE_SEPARATOR = "~"
EXTERNAL_PREFIX = "uwazi:"
IMPORT_CSV = "import.csv"
PACKAGED_MAPPINGS = Path(__file__).resolve().parents[2] / "data" / "uwazi"

# Uwazi property types Kirok reads, and the Kirok field kinds each may fill.
ACCEPTS: dict[str, set[str]] = {
    "text": {"line", "text", "children"},
    "markdown": {"line", "text"},
    "generatedid": {"line", "text"},
    "numeric": {"int", "decimal", "line", "text"},
    "date": {"date", "plain_date"},
    "multidate": {"date", "plain_date"},
    "daterange": {"date"},
    "multidaterange": {"date"},
    "select": {"term", "terms", "choice"},
    "multiselect": {"term", "terms"},
    "relationship": {"ref", "refs"},
    "geolocation": {"decimal"},
    "link": {"line", "text"},
}
TRANSLATABLE = {"text", "markdown"}
# How many Kirok fields a property fills: (fewest, most).
FIELD_COUNT = {"geolocation": (2, 2), "daterange": (1, 2), "multidaterange": (1, 2), "link": (1, 2)}

# What a record is called, for relationships by title: the fields tried on import (the first is
# written on export) and, for types with name children, the child's name field.
TITLE_FIELDS: dict[str, tuple[str, ...]] = {
    "event": ("title",),
    "source": ("title",),
    "place": ("name_ko", "name_en", "name_rok", "mr", "rr", "dprk"),
    "organization": ("name_ko", "name_en"),
    "person": (),
}
NAME_CHILD_FIELD = {"person": "full_name", "place": "name", "organization": "name"}

# Columns of Uwazi's own export (/api/export) that carry nothing Kirok keeps.
EXPORT_ONLY_COLUMNS = {"date_added", "creationdate", "published", "documents"}

# Which script a title translation is written in, for person names.
LANGUAGE_SCRIPT = {"ko": "Hang", "zh": "Hani", "ja": "Hani"}

_LANG_SUFFIX = re.compile(r"^(.*\S)__([A-Za-z]{2,3})$")


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the entry."""


# --- names ------------------------------------------------------------------------------------

def safe_name(label: str, new_generation: bool = False) -> str:
    """Uwazi's property name for a label (``templateUtils.safeName``), so a column headed by the
    label (as in Uwazi's own export) finds its property."""
    text = label.strip()
    if new_generation:
        text = re.sub(r"[#\\/|*?\"<>=\s:.\[\]%!\-&^+(){}~]", "_", text)
        return re.sub(r"^[ _\-+$]", "", text).lower()
    return re.sub(r"[^a-z0-9]", "_", text, flags=re.IGNORECASE).lower()


def _norm(value: str) -> str:
    return clean_line(value).casefold()


# --- mappings ---------------------------------------------------------------------------------

@dataclass
class Property:
    """One Uwazi property (or the title) and the Kirok field(s) it fills."""

    name: str
    type: str
    fields: tuple[str, ...]
    labels: tuple[str, ...] = ()
    values: dict[str, str] = field(default_factory=dict)         # normalised Uwazi label -> Kirok code
    export_values: dict[str, str] = field(default_factory=dict)  # Kirok code -> Uwazi label
    translations: dict[str, str] = field(default_factory=dict)   # language -> Kirok field
    parent_labels: bool = True

    @property
    def field(self) -> str:
        return self.fields[0]

    @property
    def translatable(self) -> bool:
        return self.type in TRANSLATABLE


@dataclass
class Mapping:
    """How one Uwazi template becomes one Kirok record type."""

    name: str
    path: Path
    record_type: str
    title: Property
    properties: list[Property]
    templates: tuple[str, ...] = ()
    language: str = "en"
    languages: tuple[str, ...] = ()
    date_format: str = "YYYY/MM/DD"
    defaults: dict = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()

    def __post_init__(self):
        self._index: dict[str, tuple[str, Property | None]] = {}
        for special in ("title", "id", "file", "attachments", "template"):
            self._index[special] = (special, self.title if special == "title" else None)
        for prop in self.properties:
            self._index.setdefault(prop.name, ("property", prop))
            self._index.setdefault(prop.name.casefold(), ("property", prop))
        for label in self.title.labels:
            self._index.setdefault(_norm(label), ("title", self.title))
        for prop in self.properties:
            for label in prop.labels:
                self._index.setdefault(_norm(label), ("property", prop))
        geo = [p for p in self.properties if p.type == "geolocation"]
        if len(geo) == 1:  # Uwazi's export heads the first geolocation column "Geolocation"
            self._index.setdefault("geolocation", ("property", geo[0]))
        elif not geo:  # … and writes it empty for a template without one
            self._index.setdefault("geolocation", ("empty", None))
        for name in (*EXPORT_ONLY_COLUMNS, *self.ignore):
            self._index.setdefault(_norm(name), ("ignore", None))

    def identify(self, header: str) -> tuple[str, Property | None, str | None] | None:
        """(role, property, language) of a column, or None if the mapping does not know it."""
        text = clean_line(header)
        attempts = [(text, None)]
        m = _LANG_SUFFIX.match(text)
        if m:
            attempts.append((m.group(1).strip(), m.group(2).lower()))
        for base, lang in attempts:
            for key in dict.fromkeys((base, base.casefold(), safe_name(base), safe_name(base, True))):
                hit = self._index.get(key)
                if hit:
                    return hit[0], hit[1], lang
        return None

    def fits_template(self, template: str) -> bool:
        wanted = {_norm(template), safe_name(template)}
        return any(_norm(t) in wanted or safe_name(t) in wanted for t in (*self.templates, self.name))


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def _field_kind(spec, name: str, where: str) -> str:
    f = spec.by_name.get(name)
    if f is None or name in ("id", "external_id", "translations", "extra"):
        known = ", ".join(n for n in spec.by_name if n not in ("id", "external_id", "translations", "extra"))
        raise MappingError(f"{where}: {name!r} is not a field of {spec.record_type}; fields: {known}")
    if f.kind == "children" and name != "names":
        raise MappingError(f"{where}: {name!r} cannot be filled from Uwazi")
    return f.kind


def _build_property(raw, spec, where: str, *, is_title: bool = False) -> Property:
    if is_title:
        if isinstance(raw, str):
            raw = {"field": raw}
        if not isinstance(raw, dict) or "field" not in raw:
            raise MappingError(f"{where}: give the Kirok field for Uwazi's title (title: FIELD)")
        raw = {"name": "title", "type": "text", **raw}
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: each property is a mapping with name, type and field")
    name, ptype = str(raw.get("name", "")).strip(), str(raw.get("type", "")).strip()
    if not name:
        raise MappingError(f"{where}: a property needs its Uwazi name")
    where = f"{where} {name!r}"
    if ptype not in ACCEPTS:
        raise MappingError(f"{where}: Uwazi type {ptype!r} is not supported; use one of {', '.join(sorted(ACCEPTS))}")
    fields = _as_tuple(raw.get("field"))
    low, high = FIELD_COUNT.get(ptype, (1, 1))
    if not low <= len(fields) <= high:
        raise MappingError(f"{where}: a {ptype} property fills {low if low == high else f'{low} or {high}'} field(s)")
    for index, fname in enumerate(fields):
        kind = _field_kind(spec, fname, where)
        allowed = {"line", "text"} if ptype == "link" and index == 1 else ACCEPTS[ptype]
        if kind not in allowed:
            raise MappingError(f"{where}: a {ptype} property cannot fill {fname!r} ({kind})")
        if ptype in ("daterange", "multidaterange") and len(fields) == 2 and kind != "date":
            raise MappingError(f"{where}: {fname!r} is not an uncertain date")
        if ptype == "relationship":
            target = spec.by_name[fname].target
            if target not in TITLE_FIELDS:
                raise MappingError(f"{where}: {target} records have no title to relate by")
    values = raw.get("values") or {}
    if not isinstance(values, dict):
        raise MappingError(f"{where}: values is a table of Uwazi label: Kirok code")
    export_values: dict[str, str] = {}
    for label, code in values.items():
        export_values.setdefault(str(code), str(label))
    translations = raw.get("translations") or {}
    if not isinstance(translations, dict):
        raise MappingError(f"{where}: translations is a table of language: Kirok field")
    for lang, fname in translations.items():
        if _field_kind(spec, str(fname), f"{where} translations") not in ("line", "text", "children"):
            raise MappingError(f"{where}: the {lang} translation cannot fill {fname!r}")
    return Property(
        name=name, type=ptype, fields=fields, labels=_as_tuple(raw.get("label")),
        values={_norm(str(k)): str(v) for k, v in values.items()}, export_values=export_values,
        translations={str(k).lower(): str(v) for k, v in translations.items()},
        parent_labels=bool(raw.get("parent_labels", True)),
    )


def build_mapping(doc: dict, path: Path) -> Mapping:
    """Check a mapping document against the Kirok models and return it."""
    where = str(path)
    if not isinstance(doc, dict):
        raise MappingError(f"{where}: a mapping is a YAML mapping (name, record_type, title, properties)")
    record_type = record_type_of(str(doc.get("record_type", "")))
    if not record_type:
        raise MappingError(f"{where}: record_type must be one of {', '.join(ORDER)}")
    spec = exchange.type_spec(record_type)
    title = _build_property(doc.get("title"), spec, f"{where}: title", is_title=True)
    raw_props = doc.get("properties") or []
    if not isinstance(raw_props, list):
        raise MappingError(f"{where}: properties is a list")
    properties = [_build_property(p, spec, f"{where}: property") for p in raw_props]
    seen: set[str] = set()
    for p in properties:
        if p.name in seen or p.name in ("title", "id", "file", "attachments", "template"):
            raise MappingError(f"{where}: property {p.name!r} appears twice or uses a reserved name")
        seen.add(p.name)
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise MappingError(f"{where}: defaults is a table of Kirok field: value")
    for fname in defaults:
        _field_kind(spec, str(fname), f"{where}: defaults")
    language = str(doc.get("language") or "en").lower()
    languages = tuple(dict.fromkeys([language, *(str(l).lower() for l in _as_tuple(doc.get("languages")))]))
    date_format = str(doc.get("date_format") or "YYYY/MM/DD")
    try:
        _format_pattern(date_format)
    except ValueError as exc:
        raise MappingError(f"{where}: date_format {date_format!r}: {exc}") from None
    return Mapping(
        name=str(doc.get("name") or path.stem), path=path, record_type=record_type, title=title,
        properties=properties, templates=_as_tuple(doc.get("templates") or doc.get("template")),
        language=language, languages=languages, date_format=date_format, defaults=dict(defaults),
        ignore=frozenset(_norm(x) for x in _as_tuple(doc.get("ignore"))),
    )


def load_mapping(path: Path) -> Mapping:
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot read the mapping ({exc})") from None
    return build_mapping(doc, path)


def mapping_folders() -> list[Path]:
    """Where mappings are looked for: the workspace's ``uwazi/`` folder first, then Kirok's own."""
    from django.conf import settings

    folders = []
    workspace = getattr(settings, "WORKSPACE", None)
    if workspace is not None:
        folders.append(Path(workspace.home) / "uwazi")
    folders.append(PACKAGED_MAPPINGS)
    return folders


def all_mappings() -> dict[str, Mapping]:
    """Every mapping by name; a workspace mapping replaces a packaged one of the same name."""
    found: dict[str, Mapping] = {}
    for folder in mapping_folders():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")):
            mapping = load_mapping(path)
            found.setdefault(mapping.name, mapping)
    return found


def find_mapping(
    *, name: str | Path | None = None, record_type: str | None = None, template: str | None = None,
    file_stem: str | None = None,
) -> Mapping:
    """Choose a mapping: by name or path, else by the file's template, record type or file name."""
    if name is not None and (Path(name).suffix in (".yaml", ".yml") or os.sep in str(name)):
        return load_mapping(Path(name))
    mappings = all_mappings()
    if name is not None:
        key = str(name)
        if key in mappings:
            return mappings[key]
        rtype = record_type_of(key)
        for m in mappings.values():
            if m.record_type == rtype or m.fits_template(key):
                return m
        raise MappingError(f"no Uwazi mapping named {key!r}; mappings: {', '.join(sorted(mappings))}")
    if template:
        for m in mappings.values():
            if m.fits_template(template):
                if record_type and m.record_type != record_type:
                    continue
                return m
        raise MappingError(
            f"no mapping for the Uwazi template {template!r}; add it to a mapping's `templates` "
            f"({', '.join(sorted(mappings))}) or write one (docs/uwazi.md)"
        )
    if record_type:
        for m in mappings.values():
            if m.record_type == record_type:
                return m
        raise MappingError(f"no Uwazi mapping for {record_type}")
    if file_stem:
        if file_stem in mappings:
            return mappings[file_stem]
        rtype = record_type_of(file_stem)
        for m in mappings.values():
            if m.fits_template(file_stem) or (rtype and m.record_type == rtype):
                return m
        # "nkpd_incidents_2024": one word of the name names exactly one mapping
        words = [w for w in re.split(r"[^0-9a-z가-힣]+", file_stem.lower()) if w]
        hits = {
            m.name for m in mappings.values() for w in words
            if w == m.name or m.fits_template(w) or record_type_of(w) == m.record_type
        }
        if len(hits) == 1:
            return mappings[hits.pop()]
    raise MappingError(
        "cannot tell which Uwazi template this file holds: name it after a mapping "
        f"({', '.join(sorted(mappings))}), give a `template` column, or say --type"
    )


# --- values -----------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _i in range(1, 13):
    _MONTHS[calendar.month_name[_i].casefold()] = _i
    _MONTHS[calendar.month_abbr[_i].casefold()] = _i
_MONTHS["sept"] = 9

_LL = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_LL_DAY_FIRST = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_YMD = re.compile(r"^(\d{4})[ /\-.](\d{1,2})[ /\-.](\d{1,2})$")
_YM = re.compile(r"^(\d{4})[/\-](\d{1,2})$")
_Y = re.compile(r"^(\d{4})$")


def _format_pattern(fmt: str) -> tuple[re.Pattern, tuple[str, ...]]:
    """A regular expression for an Uwazi (moment) date format made of YYYY, MM/M and DD/D."""
    text = fmt.upper()
    pattern, order, i = "", [], 0
    while i < len(text):
        if text.startswith("YYYY", i):
            pattern, i = pattern + r"(\d{4})", i + 4
            order.append("y")
        elif text[i] in "MD":
            width = 2 if text.startswith(text[i] * 2, i) else 1
            pattern, i = pattern + r"(\d{1,2})", i + width
            order.append(text[i - 1].lower())
        elif text[i].isalnum():
            raise ValueError("use YYYY, MM and DD with separators between them")
        else:
            pattern, i = pattern + r"[ /\-.]", i + 1
    if sorted(order) != ["d", "m", "y"]:
        raise ValueError("a date format names the year (YYYY), the month (MM) and the day (DD) once each")
    return re.compile(f"^{pattern}$"), tuple(order)


def _ymd(year: int, month: int | None, day: int | None, text: str) -> str:
    try:
        if month is None:
            date(year, 1, 1)
            return f"{year:04d}"
        if day is None:
            date(year, month, 1)
            return f"{year:04d}-{month:02d}"
        return date(year, month, day).isoformat()
    except ValueError:
        raise FieldError(f"{text!r} is not a real date") from None


def parse_date(text: str, date_format: str = "YYYY/MM/DD") -> str:
    """An Uwazi date as EDTF text: a day, or a month or a year when only that is given."""
    value = clean_line(text)
    pattern, order = _format_pattern(date_format)
    m = pattern.match(value)
    if m:
        parts = dict(zip(order, (int(g) for g in m.groups())))
        return _ymd(parts["y"], parts["m"], parts["d"], value)
    m = _LL.match(value)
    if m and m.group(1).casefold() in _MONTHS:
        return _ymd(int(m.group(3)), _MONTHS[m.group(1).casefold()], int(m.group(2)), value)
    m = _LL_DAY_FIRST.match(value)
    if m and m.group(2).casefold() in _MONTHS:
        return _ymd(int(m.group(3)), _MONTHS[m.group(2).casefold()], int(m.group(1)), value)
    m = _YMD.match(value)
    if m:
        return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3)), value)
    m = _YM.match(value)
    if m:
        return _ymd(int(m.group(1)), int(m.group(2)), None, value)
    m = _Y.match(value)
    if m:
        return _ymd(int(m.group(1)), None, None, value)
    raise FieldError(
        f"{value!r} is not a date Uwazi writes: use {date_format}, YYYY-MM-DD, YYYY "
        "or a date like 'March 2, 1998'"
    )


def parse_range(text: str, date_format: str = "YYYY/MM/DD") -> tuple[str | None, str | None]:
    """An Uwazi date range ``from:to`` (or ``from~to``); either end may be empty."""
    value = clean_line(text)
    used = [s for s in RANGE_SEPARATORS if s in value]
    if not used:
        return parse_date(value, date_format), None
    if len(used) > 1 or value.count(used[0]) > 1:
        raise FieldError(f"{value!r}: write a range as FROM:TO (or FROM~TO), with one separator")
    left, right = (part.strip() for part in value.split(used[0]))
    start = parse_date(left, date_format) if left else None
    end = parse_date(right, date_format) if right else None
    if start is None and end is None:
        raise FieldError(f"{value!r} gives neither end of the range")
    if start and end and UncertainDate.parse(end).latest < UncertainDate.parse(start).earliest:
        raise FieldError(f"{value!r} ends before it starts")
    return start, end


def parse_geolocation(text: str) -> tuple[str, str]:
    parts = [p.strip() for p in clean_line(text).split(MULTI)]
    if len(parts) != 2 or not all(parts):
        raise FieldError(f"{text!r}: give latitude|longitude, e.g. 39.03|125.75")
    numbers = []
    for part, limit, what in ((parts[0], 90, "latitude"), (parts[1], 180, "longitude")):
        try:
            number = Decimal(part)
        except InvalidOperation:
            raise FieldError(f"{what} {part!r} is not a number") from None
        if not number.is_finite() or abs(number) > limit:
            raise FieldError(f"{what} {part} is outside ±{limit}°")
        numbers.append(format(number, "f"))
    return numbers[0], numbers[1]


def parse_link(text: str) -> tuple[str, str]:
    """(label, url) of an Uwazi link ``label|url``; a bare URL is its own label."""
    value = clean_line(text)
    label, sep, url = value.partition(MULTI)
    if not sep:
        label, url = value, value
    label, url = label.strip(), url.strip()
    parsed = urlparse(url)
    if not parsed.scheme or not parsed.netloc:
        raise FieldError(f"{url!r} is not a web address (give label|https://…)")
    return label, url


def parse_number(text: str, kind: str) -> int | str:
    value = clean_line(text)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise FieldError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise FieldError(f"{value!r} is not a number")
    if abs(number) >= 10**15:
        raise FieldError(f"{value!r} is too large")
    if kind == "int":
        if number != number.to_integral_value():
            raise FieldError(f"{value!r} is not a whole number")
        return int(number)
    return format(number, "f") if kind == "decimal" else value


def split_values(text: str) -> list[str]:
    """``a|b|a`` → [a, b]: Uwazi's several values, empty ones dropped, each once."""
    return list(dict.fromkeys(p.strip() for p in clean(text).split(MULTI) if p.strip()))


class Thesauri:
    """Kirok's vocabularies (and a field's choices) as Uwazi thesauri: labels, ``Parent::Child``."""

    def __init__(self):
        from kirok.records.models import Term

        self.terms: dict[str, dict[str, tuple[str, str, str | None]]] = {}  # vocab -> code -> (en, ko, parent)
        self.labels: dict[str, dict[str, set[str]]] = {}
        self.codes: dict[str, dict[str, str]] = {}
        for vocab, code, en, ko, parent in Term.objects.values_list(
            "vocabulary__key", "code", "label_en", "label_ko", "parent__code"
        ).order_by("vocabulary__key", "position", "id"):
            self._add(vocab, code, en, ko, parent)

    def _add(self, vocab: str, code: str, en: str, ko: str, parent: str | None) -> None:
        self.terms.setdefault(vocab, {})[code] = (en, ko, parent)
        labels = self.labels.setdefault(vocab, {})
        for label in {en, ko} - {""}:
            labels.setdefault(_norm(label), set()).add(code)
        self.codes.setdefault(vocab, {})[code.casefold()] = code

    def add_choices(self, key: str, choices) -> None:
        """A field's fixed choices (place kind) behave as a flat thesaurus."""
        if key in self.terms:
            return
        from django.utils import translation

        self.terms[key] = {}
        with translation.override("en"):
            for code, label in choices:
                if code:
                    self._add(key, code, str(label), "", None)

    def ancestors(self, vocab: str, code: str) -> set[str]:
        found, terms = set(), self.terms[vocab]
        parent = terms[code][2]
        while parent and parent not in found:
            found.add(parent)
            parent = terms.get(parent, (None, None, None))[2]
        return found

    def _lookup(self, vocab: str, label: str) -> set[str]:
        hits = self.labels[vocab].get(_norm(label))
        if hits:
            return set(hits)
        code = self.codes[vocab].get(clean_line(label).casefold())
        return {code} if code else set()

    def resolve(self, vocab: str, value: str, prop: Property) -> str:
        """The Kirok code of one Uwazi thesaurus value, or FieldError saying why not."""
        text = clean_line(value)
        if prop.values and _norm(text) in prop.values:
            return prop.values[_norm(text)]
        parts = text.split(PARENT_CHILD)
        if len(parts) > 2:
            raise FieldError(f"{text!r} has more than one '::'; Uwazi thesauri have two levels: Parent::Child")
        if vocab not in self.terms:
            raise FieldError(f"the vocabulary {vocab!r} is not loaded; run `kirok init`")
        parent, child = (None, parts[0].strip()) if len(parts) == 1 else (parts[0].strip(), parts[1].strip())
        if not child or parent == "":
            raise FieldError(f"{text!r}: write Parent::Child with both labels")
        if prop.values and _norm(child) in prop.values:
            return prop.values[_norm(child)]
        candidates = self._lookup(vocab, child)
        if candidates and parent is not None:
            parents = self._lookup(vocab, parent)
            candidates = {c for c in candidates if self.ancestors(vocab, c) & parents}
            if not candidates:
                raise FieldError(f"{child!r} is not under {parent!r} in {vocab}")
        if len(candidates) == 1:
            return candidates.pop()
        if candidates:
            under = sorted(self.label(vocab, c, "en").split(PARENT_CHILD)[0] for c in candidates)
            raise FieldError(f"{child!r} is in {vocab} more than once (under {', '.join(under)}); write Parent::Child")
        known = [t[0] for t in self.terms[vocab].values()] + [t[1] for t in self.terms[vocab].values() if t[1]]
        close = difflib.get_close_matches(child, known, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else f"; see `kirok vocab show {vocab}`"
        raise FieldError(
            f"{text!r} is not a term of {vocab}{hint} (Kirok does not create terms on import: add it to "
            "the vocabulary, or map the label in the mapping's `values`)"
        )

    def label(self, vocab: str, code: str, language: str, with_parent: bool = True) -> str:
        """An Uwazi label for a Kirok term: ``Parent::Child`` below the top of the tree."""
        en, ko, parent = self.terms[vocab][code]
        text = (ko or en) if language == "ko" else en
        if with_parent and parent:
            pen, pko, _ = self.terms[vocab][parent]
            return f"{(pko or pen) if language == 'ko' else pen}{PARENT_CHILD}{text}"
        return text


def _looks_like_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) in (32, 36)


# --- the file -------------------------------------------------------------------------------

@dataclass
class Column:
    header: str
    role: str  # title, id, file, attachments, template, ignore, empty (must be), property
    prop: Property | None = None
    lang: str | None = None


@dataclass
class _Row:
    number: int
    data: dict = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    translations: dict = field(default_factory=dict)
    relations: list = field(default_factory=list)  # (property, field, header, [titles])
    files: list = field(default_factory=list)      # {"role", "name", "language"?}
    uid: str = ""
    external_id: str = ""
    given_uid: str = ""


def _sniff(text: str) -> str:
    first = text[:65536].split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _header_of(text: str) -> list[str]:
    try:
        header = next(csv.reader(io.StringIO(text[:1 << 20], newline=""), delimiter=_sniff(text)), [])
    except csv.Error:
        return []
    return [h.lstrip("\ufeff").strip() for h in header]


class UwaziFile:
    """One Uwazi CSV (or ZIP): its rows, read with its mapping, checked, then handed to the importer."""

    def __init__(self, path: Path | str, *, record_type: str | None = None, mapping: str | Path | Mapping | None = None):
        self.path = Path(path)
        self.name = str(path)
        self.members: dict[str, zipfile.ZipInfo] = {}
        self._with_files: list[_Row] = []  # rows naming files, taken into the vault once written
        text = self._load()
        self.header = _header_of(text)
        self.rows = list(read_csv_stream(io.StringIO(text, newline=""), self.name))
        if not self.header:
            raise ReadError(self.name, 1, "the file is empty: an Uwazi CSV starts with a header row")
        self.mapping = self._choose(mapping, record_type)
        self.columns = self._identify()
        if not any(c.role == "title" for c in self.columns):
            raise ReadError(self.name, 1, "an Uwazi CSV has a `title` column (Uwazi requires one)")

    # reading

    def _load(self) -> str:
        if self.path.suffix.lower() != ".zip":
            try:
                data = self.path.read_bytes()
            except OSError as exc:
                raise ReadError(self.name, None, f"cannot read ({exc.strerror or exc})") from None
            return decode_utf8(data, self.name)
        try:
            with zipfile.ZipFile(self.path) as archive:
                infos = [i for i in archive.infolist() if not i.is_dir()]
                csvs = [i for i in infos if i.filename.casefold() == IMPORT_CSV]
                if not csvs:
                    nested = [i for i in infos if i.filename.casefold().endswith("/" + IMPORT_CSV)]
                    csvs = nested if len(nested) == 1 else []
                if not csvs:
                    raise ReadError(self.name, None, "an Uwazi ZIP holds import.csv and the files it names; there is no import.csv")
                chosen = csvs[0]
                folder = chosen.filename[: -len(IMPORT_CSV)]
                for info in infos:
                    if info is chosen:
                        continue
                    name = info.filename[len(folder):] if info.filename.startswith(folder) else info.filename
                    self.members.setdefault(name, info)
                    self.members.setdefault(name.rsplit("/", 1)[-1], info)
                data = archive.read(chosen)
        except ReadError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
            raise ReadError(self.name, None, f"not a readable ZIP file ({exc})") from None
        return decode_utf8(data, self.name)

    def _choose(self, mapping, record_type: str | None) -> Mapping:
        if isinstance(mapping, Mapping):
            return mapping
        template = None
        template_headers = [h for h in self.header if safe_name(h) == "template"]
        if template_headers:
            values = {clean_line(r.get(template_headers[0], "")) for _, r in self.rows} - {""}
            if len(values) > 1:
                raise ReadError(
                    self.name, None,
                    f"one Uwazi template per file; this one mixes {', '.join(sorted(values))}: export each template on its own",
                )
            template = values.pop() if values else None
        try:
            chosen = find_mapping(
                name=mapping, record_type=record_type, template=template, file_stem=self.path.name.split(".")[0].lower(),
            )
        except MappingError as exc:
            raise ReadError(self.name, None, str(exc)) from None
        if record_type and chosen.record_type != record_type:
            raise ReadError(self.name, None, f"the mapping {chosen.name!r} makes {chosen.record_type} records, not {record_type}")
        if template and not chosen.fits_template(template) and mapping is not None:
            raise ReadError(self.name, None, f"the file holds the Uwazi template {template!r}, which the mapping {chosen.name!r} is not for")
        return chosen

    def _identify(self) -> list[Column]:
        columns, seen = [], {}
        for header in self.header:
            if not header:
                columns.append(Column(header, "ignore"))
                continue
            hit = self.mapping.identify(header)
            if hit is None:
                known = ", ".join(["title", "id"] + [p.name for p in self.mapping.properties])
                raise ReadError(
                    self.name, 1,
                    f"column {header!r} is not in the Uwazi mapping {self.mapping.name!r} ({self.mapping.path}); "
                    f"its columns: {known}. Add the property to the mapping, or list the column under `ignore`",
                )
            role, prop, lang = hit
            if role == "property" and lang and not prop.translatable and prop.type not in ("select", "multiselect", "link"):
                raise ReadError(self.name, 1, f"column {header!r}: a {prop.type} property has no translations")
            key = (role, prop.name if prop else "", lang or "")
            if role != "ignore" and key in seen:
                raise ReadError(self.name, 1, f"columns {seen[key]!r} and {header!r} are the same property")
            seen[key] = header
            columns.append(Column(header, role, prop, lang))
        return columns

    # converting

    def convert(self) -> list[tuple[int, dict]]:
        """Every row in the Kirok exchange format, or ImportFailed naming every bad value."""
        from . import ImportFailed, RowError

        errors: list[RowError] = []
        thesauri = Thesauri()
        converted: list[_Row] = []
        ids: dict[str, int] = {}
        for number, raw in self.rows:
            row, problems = self._convert_row(number, raw, thesauri)
            for column, message in problems:
                errors.append(RowError(self.name, number, column, message))
            key = row.external_id or row.given_uid
            if key and key in ids:
                errors.append(RowError(self.name, number, "id", f"{key!r} is also on row {ids[key]}"))
            elif key:
                ids[key] = number
            converted.append(row)
        existing = self._existing(converted)
        self._assign_ids(converted, existing)
        for row, column, message in self._relate(converted):
            errors.append(RowError(self.name, row.number, column, message))
        from .decode import Decoder, RowErrors

        results = []
        decoder = Decoder()
        headers = self._field_headers()
        for row in converted:
            data = self._merge(row, existing.get(row.uid))
            try:
                decoder.decode(self.mapping.record_type, dict(data))
            except RowErrors as exc:
                for fname, message in exc.errors:
                    errors.append(RowError(self.name, row.number, headers.get(fname, fname), message))
            results.append((row, data))
        if errors:
            unique = {(e.row, e.field, e.message): e for e in errors}
            raise ImportFailed(sorted(unique.values(), key=lambda e: (e.row, e.field)))
        self._with_files = [row for row, _ in results if row.files]
        return [(row.number, data) for row, data in results]

    def _values(self, raw: dict) -> dict[tuple[str, str, str | None], tuple[str, str]]:
        """(role, property name, language) -> (header, value) for the row's non-empty cells."""
        found = {}
        for column in self.columns:
            if column.role == "ignore":
                continue
            value = raw.get(column.header)
            if value is None or not str(value).strip():
                continue
            found[(column.role, column.prop.name if column.prop else "", column.lang)] = (column.header, str(value).strip())
        return found

    def _convert_row(self, number: int, raw: dict, thesauri: Thesauri) -> tuple[_Row, list[tuple[str, str]]]:
        m = self.mapping
        row, problems = _Row(number), []
        cells = self._values(raw)

        for (role, _, _), (header, value) in cells.items():
            if role == "empty":
                problems.append((header, f"has a value, but the mapping {m.name!r} has no property to put {value!r} in"))

        if ("id", "", None) in cells:
            header, value = cells[("id", "", None)]
            value = clean_line(value)
            if _looks_like_uuid(value):
                row.given_uid = str(uuid.UUID(value))
            elif len(value) > 150 or MULTI in value:
                problems.append((header, f"{value!r} is not an Uwazi sharedId"))
            else:
                row.external_id = EXTERNAL_PREFIX + value

        for prop in [m.title, *m.properties]:
            role = "title" if prop is m.title else "property"
            main = cells.get((role, prop.name, None)) or cells.get((role, prop.name, m.language))
            if cells.get((role, prop.name, None)) and cells.get((role, prop.name, m.language)):
                a, b = cells[(role, prop.name, None)], cells[(role, prop.name, m.language)]
                if clean(a[1]) != clean(b[1]):
                    problems.append((b[0], f"differs from {a[0]!r}; give the {m.language} value once"))
            others = {lang: hv for (r, n, lang), hv in cells.items() if r == role and n == prop.name and lang and lang != m.language}
            if main is None and others and not prop.translatable and prop is not m.title:
                main = next(iter(others.values()))  # a thesaurus value is the same term in every language
            if main is None:
                if prop is m.title and not others:
                    problems.append(("title", "is required (Uwazi's title)"))
                elif prop is m.title:
                    problems.append((next(iter(others.values()))[0], f"the title needs a {m.language} value (the mapping's language)"))
                continue
            header, value = main
            try:
                self._fill(row, prop, header, value, thesauri)
            except FieldError as exc:
                problems.append((header, str(exc)))
            if prop.translatable or prop is m.title:
                for lang, (theader, tvalue) in others.items():
                    target = prop.translations.get(lang, prop.field)
                    if exchange.type_spec(m.record_type).by_name[target].kind == "children":
                        row.names.extend([clean_line(tvalue)] if prop is m.title else split_values(tvalue))
                    elif target != prop.field:
                        row.data[target] = clean(tvalue)
                    else:
                        row.translations.setdefault(prop.field, {})[lang] = clean(tvalue)

        for role in ("file", "attachments"):
            for (r, _, lang), (header, value) in cells.items():
                if r != role:
                    continue
                names = split_values(value) if role == "attachments" else [clean_line(value)]
                if self.mapping.record_type != "source" and not all(_is_url(n) for n in names):
                    problems.append((header, "files come into the evidence vault as items of a source: only a template mapped to sources may name files"))
                    continue
                if not self.members and self.path.suffix.lower() != ".zip":
                    if role == "attachments" and all(_is_url(n) for n in names):
                        continue  # Uwazi's export lists server addresses; there are no files to take
                    problems.append((header, f"names {names[0]!r}, but a CSV carries no files: import the Uwazi ZIP (import.csv and the files)"))
                    continue
                for name in names:
                    if name not in self.members:
                        problems.append((header, f"{name!r} is not in the ZIP"))
                    else:
                        entry = {"role": "document" if role == "file" else "attachment", "name": name}
                        if lang:
                            entry["language"] = lang
                        row.files.append(entry)
        return row, problems

    def _fill(self, row: _Row, prop: Property, header: str, value: str, thesauri: Thesauri) -> None:
        """Read one cell into the row (relationships wait for the whole file)."""
        spec = exchange.type_spec(self.mapping.record_type)
        f = spec.by_name[prop.field]
        kind, t = f.kind, prop.type
        if t in ("text", "markdown", "generatedid"):
            if kind == "children":
                row.names.extend(split_values(value) if prop is not self.mapping.title else [clean_line(value)])
            else:
                row.data[prop.field] = clean(value) if kind == "text" else clean_line(value)
        elif t == "numeric":
            row.data[prop.field] = parse_number(value, kind)
        elif t in ("date", "multidate"):
            dates = split_values(value) if t == "multidate" else [value]
            if len(dates) > 1:
                raise FieldError(f"Kirok's {prop.field} holds one date; this gives {len(dates)}")
            text = parse_date(dates[0], self.mapping.date_format)
            if kind == "plain_date" and len(text) != 10:
                raise FieldError(f"{value!r}: {prop.field} needs a full date (year, month and day)")
            row.data[prop.field] = text
        elif t in ("daterange", "multidaterange"):
            ranges = split_values(value) if t == "multidaterange" else [value]
            if len(ranges) > 1:
                raise FieldError(f"Kirok's {prop.field} holds one range; this gives {len(ranges)}")
            start, end = parse_range(ranges[0], self.mapping.date_format)
            if len(prop.fields) == 2:
                for fname, text in zip(prop.fields, (start, end)):
                    if text:
                        row.data[fname] = text
            elif start and end:
                try:
                    row.data[prop.field] = str(UncertainDate.parse(f"{start}/{end}"))
                except DateError as exc:
                    raise FieldError(str(exc)) from None
            else:
                raise FieldError(f"{value!r}: {prop.field} is one date field, so the range needs both ends")
        elif t in ("select", "multiselect"):
            values = split_values(value) if t == "multiselect" else [clean_line(value)]
            if t == "select" and MULTI in value and kind != "terms":
                raise FieldError(f"{value!r}: a select property holds one value")
            vocab = f.target if kind in ("term", "terms") else f"choice:{self.mapping.record_type}.{prop.field}"
            if kind == "choice":
                thesauri.add_choices(vocab, f.model_field.choices)
            codes = list(dict.fromkeys(thesauri.resolve(vocab, v, prop) for v in values))
            if kind == "terms":
                row.data[prop.field] = sorted(codes)
            elif len(codes) > 1:
                raise FieldError(f"Kirok's {prop.field} holds one value; this gives {len(codes)}")
            else:
                row.data[prop.field] = codes[0]
        elif t == "relationship":
            titles = split_values(value)
            if kind == "ref" and len(titles) > 1:
                raise FieldError(f"Kirok's {prop.field} names one {f.target}; this gives {len(titles)}")
            row.relations.append((prop, f, header, titles))
        elif t == "geolocation":
            row.data[prop.fields[0]], row.data[prop.fields[1]] = parse_geolocation(value)
        elif t == "link":
            label, url = parse_link(value)
            row.data[prop.field] = url
            if len(prop.fields) == 2 and label != url:
                row.data[prop.fields[1]] = label

    def _existing(self, rows: list[_Row]) -> dict[str, dict]:
        """Kirok id -> exchange dict of the live records these rows update, protected values
        opened to be compared with the file's (they are sealed again on the way in)."""
        from kirok.protection.sealing import opened

        model = model_for(self.mapping.record_type)
        externals = [r.external_id for r in rows if r.external_id]
        uids = [r.given_uid for r in rows if r.given_uid]
        found: dict[str, dict] = {}
        self._uid_by_external: dict[str, str] = {}
        terms = exchange.term_codes() if externals or uids else {}
        spec = exchange.type_spec(self.mapping.record_type)
        related = [f.name for f in spec.fields if f.kind in ("terms", "refs", "children")]
        for key, values in (("external_id__in", externals), ("uid__in", uids)):
            for start in range(0, len(values), 500):
                for obj in model.objects.filter(**{key: values[start:start + 500]}).prefetch_related(*related):
                    data = opened(self.mapping.record_type, exchange.to_dict(obj, terms))
                    found[data["id"]] = data
                    if obj.external_id:
                        self._uid_by_external[obj.external_id] = data["id"]
        return found

    def _assign_ids(self, rows: list[_Row], existing: dict[str, dict]) -> None:
        from .decode import uid_for_external_id

        for row in rows:
            if row.external_id:
                row.uid = self._uid_by_external.get(row.external_id) or uid_for_external_id(
                    self.mapping.record_type, row.external_id
                )
            elif row.given_uid:
                row.uid = row.given_uid
            else:
                row.uid = str(uuid.uuid4())

    def _relate(self, rows: list[_Row]) -> list[tuple[_Row, str, str]]:
        """Resolve relationship titles to Kirok ids: records in Kirok, or rows of this file."""
        wanted: dict[str, set[str]] = {}
        for row in rows:
            for _, f, _, titles in row.relations:
                wanted.setdefault(f.target, set()).update(t for t in titles if not _is_reference(t))
        # Uwazi relates entities of one collection: a title is looked for among the rows of this
        # file first, then among records that came from Uwazi, then among all of Kirok's.
        index = {target: _titles_in_kirok(target, titles) for target, titles in wanted.items()}
        own = self.mapping.record_type
        in_file: dict[str, set[str]] = {}
        if own in index:
            for row in rows:
                for title in _row_titles(own, row):
                    in_file.setdefault(title, set()).add(row.uid)
        errors = []
        for row in rows:
            for prop, f, header, titles in row.relations:
                uids = []
                for title in titles:
                    if _is_reference(title):
                        uids.append(_reference(title))
                        continue
                    key = clean_line(title)
                    found = index[f.target].get(key, {})
                    from_uwazi = {uid for uid, ext in found.items() if ext.startswith(EXTERNAL_PREFIX)}
                    hits = (f.target == own and in_file.get(key)) or from_uwazi or set(found)
                    if not hits:
                        errors.append((row, header, (
                            f"no {f.target} titled {title!r} in Kirok or in this file; Kirok does not create "
                            f"records from a relationship: import the {f.target} records first"
                        )))
                    elif len(hits) > 1:
                        errors.append((row, header, (
                            f"{len(hits)} {f.target} records are titled {title!r}; write one's Kirok id "
                            "(or uwazi:SHAREDID) instead of the title"
                        )))
                    else:
                        uids.append(next(iter(hits)))
                if f.kind == "ref" and uids:
                    row.data[f.name] = uids[0]
                elif uids:
                    row.data[f.name] = sorted(set(uids))
        return errors

    def _covered(self) -> tuple[set[str], dict[str, set[str]]]:
        """Kirok fields (and translation languages per field) this file has columns for."""
        fields, languages = set(), {}
        for column in self.columns:
            if column.role not in ("title", "property"):
                continue
            prop = column.prop
            if column.lang and column.lang != self.mapping.language and (prop.translatable or column.role == "title"):
                target = prop.translations.get(column.lang, prop.field)
                if target != prop.field or target == "names":
                    fields.add(target)
                else:
                    languages.setdefault(prop.field, set()).add(column.lang)
                continue
            fields.update(prop.fields)
        return fields, languages

    def _merge(self, row: _Row, existing: dict | None) -> dict:
        """The record as it will be: the stored record with this file's columns laid over it."""
        spec = exchange.type_spec(self.mapping.record_type)
        covered, languages = self._covered()
        data = dict(existing or {})
        for fname in covered:
            data.pop(fname, None)
        data.update({k: v for k, v in row.data.items() if not exchange._is_empty(v)})
        if row.names or "names" in covered:
            key = NAME_CHILD_FIELD.get(self.mapping.record_type, "full_name")
            before = {item.get(key): item for item in (existing or {}).get("names", []) if isinstance(item.get(key), str)}
            names = list(dict.fromkeys(n for n in row.names if n))
            if names:
                data["names"] = [before.get(n) or {key: n} for n in names]
        translations = {k: dict(v) for k, v in (data.get("translations") or {}).items() if isinstance(v, dict)}
        for fname, langs in languages.items():
            kept = {lang: text for lang, text in translations.get(fname, {}).items() if lang not in langs}
            translations[fname] = kept
        for fname, texts in row.translations.items():
            translations.setdefault(fname, {}).update({lang: text for lang, text in texts.items() if text})
        translations = {k: dict(sorted(v.items())) for k, v in sorted(translations.items()) if v}
        if translations:
            data["translations"] = translations
        else:
            data.pop("translations", None)
        for fname, value in self.mapping.defaults.items():
            if fname not in data and fname in spec.by_name:
                data[fname] = value
        data["id"] = row.uid
        if row.external_id:
            data["external_id"] = row.external_id
        return data

    def _field_headers(self) -> dict[str, str]:
        """Kirok field -> the column it came from, so Kirok's own checks name the Uwazi column."""
        headers: dict[str, str] = {}
        for column in self.columns:
            if column.role in ("title", "property"):
                target = column.prop.translations.get(column.lang or "", None)
                for fname in ([target] if target else column.prop.fields):
                    headers.setdefault(fname, column.header)
        return headers

    # files

    def store_files(self, *, actor: str = "import", reason: str = "") -> None:
        """Each file the rows name, taken into the evidence vault as an item of the source that
        named it, once the rows are written (inside the import's transaction: an import that
        fails leaves no item; a blob it stored is harmless, being content-addressed and unused).
        The vault hashes and deduplicates the bytes and logs their receipt in custody and the
        ledger; a ``SourceFile`` row says which source named the item, as what and under which name."""
        from kirok.evidence.services import Capture, add_stream
        from kirok.records.models import Source, SourceFile

        rows = [row for row in self._with_files if row.files]
        if not rows:
            return
        sources = {str(s.uid): s for s in Source.all_objects.filter(uid__in=[row.uid for row in rows])}
        taken = {}  # ZIP member -> item: a file named by several entities is received once
        reason = reason or f"import of {Path(self.name).name}"
        try:
            with zipfile.ZipFile(self.path) as archive:
                for row in rows:
                    source = sources.get(row.uid)
                    if source is None:  # a row rejected by --skip-bad
                        continue
                    for entry in row.files:
                        info = self.members[entry["name"]]
                        if info.filename not in taken:
                            capture = Capture(
                                origin_kind="uwazi_export", origin=f"{Path(self.name).name}: {info.filename}", tool="Uwazi",
                                notes=f"{entry['role']} of the Uwazi entity {row.external_id or row.uid} ({self.name}, row {row.number})",
                            )
                            with archive.open(info) as handle:
                                taken[info.filename] = add_stream(
                                    handle, name=entry["name"], source=source, capture=capture, actor=actor, reason=reason,
                                    media_type=mimetypes.guess_type(entry["name"])[0] or "",
                                ).item
                        SourceFile.objects.update_or_create(
                            source=source, role=entry["role"], language=entry.get("language", ""), name=entry["name"],
                            defaults={"item": taken[info.filename]},
                        )
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
            raise ReadError(self.name, None, f"cannot read a file from the ZIP ({exc})") from None

    def stream_rows(self) -> Iterator[tuple[int, dict]]:
        """Rows for the importer: converted when the importer reaches this file, so relationships
        see the records that files earlier in the same import have written."""
        yield from self.convert()


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "/api/files/", "/files/"))


def _is_reference(value: str) -> bool:
    return value.startswith(EXTERNAL_PREFIX) or _looks_like_uuid(value)


def _reference(value: str) -> str:
    return str(uuid.UUID(value)) if _looks_like_uuid(value) else value


def _row_titles(record_type: str, row: _Row) -> set[str]:
    titles = {clean_line(row.data.get(f, "")) for f in TITLE_FIELDS.get(record_type, ())}
    titles.update(clean_line(n) for n in row.names)
    return titles - {""}


def _titles_in_kirok(record_type: str, titles: set[str]) -> dict[str, dict[str, str]]:
    """title -> {Kirok id: external id} of live records of a type called that (by any name)."""
    from django.db.models import Q

    model = model_for(record_type)
    index: dict[str, dict[str, str]] = {}
    titles = {clean_line(t) for t in titles}
    fields = TITLE_FIELDS.get(record_type, ())
    items = sorted(titles)
    for start in range(0, len(items), 500):
        part = items[start:start + 500]
        if fields:
            query = Q()
            for fname in fields:
                query |= Q(**{f"{fname}__in": part})
            for values in model.objects.filter(query).values_list("uid", "external_id", *fields):
                for text in values[2:]:
                    if text in titles:
                        index.setdefault(text, {})[str(values[0])] = values[1] or ""
        child_field = NAME_CHILD_FIELD.get(record_type)
        if child_field:
            for text, uid, ext in model.objects.filter(**{f"names__{child_field}__in": part}).values_list(
                f"names__{child_field}", "uid", "external_id"
            ):
                index.setdefault(text, {})[str(uid)] = ext or ""
    return index


# --- what the importer calls ------------------------------------------------------------------

def _is_kirok_header(header: list[str]) -> bool:
    """True if every column is a field of one Kirok record type (a Kirok exchange CSV)."""
    for spec in exchange.all_specs():
        names = spec.by_name
        if all(
            h in names or h == "type" or h.startswith("extra.") or ("__" in h and h.split("__", 1)[0] in names)
            for h in header if h
        ):
            return True
    return False


def looks_like_uwazi(path: Path) -> bool:
    """A ``.zip`` is an Uwazi export; a ``.csv`` is one only when its header cannot be Kirok's own
    format and has Uwazi's shape (a title, and Uwazi's export columns, title translations or the
    columns of a mapping). Never raises: a file it cannot read is left to the other readers."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return True
    if suffix != ".csv":
        return False
    try:
        with open(path, "rb") as f:
            sample = f.read(1 << 16)
        text = sample.decode("utf-8-sig", errors="replace")
        header = [h for h in _header_of(text) if h]
        if not header or _is_kirok_header(header):
            return False
        bases = {safe_name(_LANG_SUFFIX.sub(r"\1", h)) for h in header}
        if "title" not in bases:
            return False
        names = {safe_name(h) for h in header}
        if {"template", "date_added"} <= names or any(_LANG_SUFFIX.match(h) and safe_name(h).startswith("title__") for h in header):
            return True
        for mapping in all_mappings().values():
            if all(mapping.identify(h) is not None for h in header):
                return True
    except Exception:  # detection must never stop an import; the readers report the real problem
        return False
    return False


def streams(path: Path, record_type: str | None = None, mapping: str | Path | Mapping | None = None):
    """The file as one typed stream for ``import_streams``; header and mapping are checked now,
    the rows when the importer reaches them."""
    from . import Stream

    source = UwaziFile(path, record_type=record_type, mapping=mapping)
    return [Stream(source.name, source.mapping.record_type, source.stream_rows(), len(source.rows), "csv", after=source.store_files)]


__all__ = [
    "Mapping", "MappingError", "Property", "Thesauri", "UwaziFile", "all_mappings", "find_mapping", "load_mapping",
    "looks_like_uwazi", "parse_date", "parse_geolocation", "parse_range", "streams",
]
