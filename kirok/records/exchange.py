"""The exchange format: one dict per record, the same in exports, imports and version snapshots.

The format is read off the models, so a field added to a model is exchanged without more code.
Each field has a *kind* that says how its value is written and read:

    text, line      strings (NFC; a line is single-spaced)
    bool, int, decimal, plain_date
    date            an uncertain date as EDTF text (see kirok.types.dates)
    choice          one of the model field's choices
    term / terms    vocabulary term codes (one, or a list)
    ref / refs      references to other records, by Kirok id (UUID) or external id
    json            translations, custom fields, consent scopes
    children        owned rows (names, consent entries) as a list of dicts

A protected value (``kirok.protection``) is never plaintext in this form: it is a sealed
envelope ``{"$protected": {"commit": …, "kid": …, "ct": …}}`` in place of the value, read off
the row's ``sealed`` column. An owned row (a name) seals its protected fields together: the
item carries ``"$protected": {…, "names": [the fields inside]}`` beside its open fields. Digests
are taken over ``commitments_only`` of a dict, so they do not change when the ciphertext is
re-encrypted under a new key or destroyed by a purge.

Empty values (None, "", [], {}) are left out of the dict, so a record's snapshot is stable and
small. Decoding (``parse_value``) accepts what spreadsheets give: strings for everything, ``|``
between several values, ``true``/``false``/``예``/``아니오``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property, lru_cache

import orjson
from django.db import models

from kirok.records.fields import TermField, TermsField
from kirok.records.models.base import Child, Record
from kirok.records.models.places import ONE_KM
from kirok.records.registry import ORDER, model_for
from kirok.types.dates import DateError, UncertainDate
from kirok.types.errors import FieldError
from kirok.types.text import clean, clean_line

SKIPPED = {"id", "uid", "created_at", "updated_at", "deleted_at", "sealed"}
MULTI_SEPARATOR = "|"
SEALED = "$protected"
ROW = "$row"  # key of an owned row's one envelope in its ``sealed`` column
SEALABLE = frozenset({"text", "line", "date", "plain_date", "int", "decimal", "bool", "choice"})  # kinds a value can be sealed in
COMMITTED = ("commit", "names")  # the part of an envelope a digest covers


@dataclass
class FieldSpec:
    name: str
    kind: str
    attname: str = ""
    target: str = ""  # record type for refs, vocabulary key for terms
    required: bool = False
    choices: tuple = ()
    max_length: int | None = None
    model_field: object = None
    children: "TypeSpec | None" = None


@dataclass
class TypeSpec:
    record_type: str
    model: type
    fields: list[FieldSpec] = field(default_factory=list)
    owner_attname: str = ""

    @cached_property
    def by_name(self) -> dict[str, FieldSpec]:
        return {f.name: f for f in self.fields}

    @cached_property
    def defaults(self) -> dict[str, object]:
        """Model defaults that are not empty (``confidential: true``): a stored record has them,
        so a decoded row must too."""
        result = {}
        for f in self.fields:
            mf = f.model_field
            if mf is not None and mf.has_default() and not callable(mf.default) and not _is_empty(mf.default):
                result[f.name] = mf.default
        return result


def _target_type(model) -> str:
    return getattr(model, "record_type", "")


def _field_spec(f) -> FieldSpec | None:
    if f.name in SKIPPED or f.name.endswith(("_from", "_to", "_type")) and f.name.rsplit("_", 1)[0] in getattr(
        f.model._meta, "uncertain_date_names", ()
    ):
        return None
    required = not getattr(f, "blank", True)
    if isinstance(f, TermsField):
        return FieldSpec(f.name, "terms", f.attname, f.vocabulary, required, model_field=f)
    if isinstance(f, TermField):
        return FieldSpec(f.name, "term", f.attname, f.vocabulary, required, model_field=f)
    if isinstance(f, models.ManyToManyField):
        return FieldSpec(f.name, "refs", f.attname, _target_type(f.related_model), required, model_field=f)
    if isinstance(f, models.ForeignKey):
        return FieldSpec(f.name, "ref", f.attname, _target_type(f.related_model), required, model_field=f)
    if isinstance(f, models.JSONField):
        return FieldSpec(f.name, "json", f.attname, model_field=f)
    if isinstance(f, models.BooleanField):
        return FieldSpec(f.name, "bool", f.attname, model_field=f)
    if isinstance(f, (models.IntegerField,)):
        return FieldSpec(f.name, "int", f.attname, required=not f.null and not f.blank, model_field=f)
    if isinstance(f, models.DecimalField):
        return FieldSpec(f.name, "decimal", f.attname, model_field=f)
    if isinstance(f, models.DateField):
        return FieldSpec(f.name, "plain_date", f.attname, model_field=f)
    if isinstance(f, (models.CharField, models.TextField)):
        kind = "choice" if f.choices else ("text" if isinstance(f, models.TextField) else "line")
        return FieldSpec(
            f.name, kind, f.attname, required=required, choices=tuple(c[0] for c in f.choices or ()),
            max_length=f.max_length, model_field=f,
        )
    raise TypeError(f"no exchange kind for {f!r}")


def _specs_for(model, skip: set[str]) -> list[FieldSpec]:
    specs: list[FieldSpec] = []
    uncertain = getattr(model._meta, "uncertain_date_names", ())
    for f in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if f.name in skip:
            continue
        base = f.name.rsplit("_", 1)[0]
        if base in uncertain and f.name == f"{base}_from":
            specs.append(FieldSpec(base, "date", base))
            continue
        spec = _field_spec(f)
        if spec:
            specs.append(spec)
    return specs


@cache
def type_spec(record_type: str) -> TypeSpec:
    model = model_for(record_type)
    spec = TypeSpec(record_type, model)
    spec.fields.append(FieldSpec("id", "uid", "uid"))
    spec.fields.extend(_specs_for(model, SKIPPED))
    for rel in model._meta.related_objects:
        if issubclass(rel.related_model, Child) and rel.related_model.owner_field == rel.field.name:
            child = TypeSpec(rel.get_accessor_name(), rel.related_model, owner_attname=rel.field.attname)
            child.fields = _specs_for(rel.related_model, SKIPPED | {rel.field.name})
            spec.fields.append(FieldSpec(rel.get_accessor_name(), "children", rel.get_accessor_name(), children=child))
    return spec


def all_specs() -> list[TypeSpec]:
    return [type_spec(t) for t in ORDER]


# --- writing ---------------------------------------------------------------------------------

def _is_empty(value) -> bool:
    return value is None or (not value and value.__class__ in (str, list, dict))


def _encode(spec: FieldSpec, obj, terms: dict[int, str], uids: "UidCache") -> object:
    if spec.kind == "uid":
        return str(obj.uid)
    if spec.kind == "date":
        return str(getattr(obj, spec.name))
    if spec.kind == "term":
        term_id = getattr(obj, spec.attname)
        return terms[term_id] if term_id else None
    if spec.kind == "terms":
        return sorted(terms[t.pk] for t in getattr(obj, spec.name).all())
    if spec.kind == "ref":
        pk = getattr(obj, spec.attname)
        return uids.get(spec.target, pk) if pk else None
    if spec.kind == "refs":
        return sorted(str(o.uid) for o in getattr(obj, spec.name).all())
    if spec.kind == "decimal":
        value = getattr(obj, spec.attname)
        return None if value is None else format(value, "f")
    if spec.kind == "plain_date":
        value = getattr(obj, spec.attname)
        return value.isoformat() if value else None
    if spec.kind == "children":
        return [_encode_all(spec.children, child, terms, uids) for child in getattr(obj, spec.name).all()]
    return getattr(obj, spec.attname)


def _encode_all(spec: TypeSpec, obj, terms, uids) -> dict:
    out = {}
    for f in spec.fields:
        value = _encode(f, obj, terms, uids)
        if not _is_empty(value):
            out[f.name] = value
    sealed = obj.sealed
    if sealed:
        for name, envelope in sealed.items():
            if name == ROW:
                out[SEALED] = envelope
            else:
                out[name] = {SEALED: envelope}
    return out


def is_sealed(value) -> bool:
    """A sealed value: ``{"$protected": envelope}`` and nothing else (an owned row that carries
    an envelope beside its open fields is not one)."""
    return value.__class__ is dict and SEALED in value and len(value) == 1


def commitments_only(value):
    """``value`` with every sealed envelope cut down to its commitment: what a digest covers.

    Ciphertext and key id are left out so that re-encryption (key rotation) and destruction
    (purge) keep every digest, and an outsider given a redacted record can recompute it.
    """
    if value.__class__ is dict:
        return {
            k: {c: v[c] for c in COMMITTED if c in v} if k == SEALED and v.__class__ is dict else commitments_only(v)
            for k, v in value.items()
        }
    if value.__class__ is list:
        return [commitments_only(v) for v in value]
    return value


class UidCache:
    """Maps (record type, integer key) to the Kirok id, one query per type and batch."""

    def __init__(self):
        self._maps: dict[str, dict[int, str]] = {}

    def get(self, record_type: str, pk: int) -> str:
        cache = self._maps.setdefault(record_type, {})
        if pk not in cache:
            model = model_for(record_type)
            cache[pk] = str(model.all_objects.values_list("uid", flat=True).get(pk=pk))
        return cache[pk]

    def prime(self, record_type: str, pairs) -> None:
        cache = self._maps.setdefault(record_type, {})
        for pk, uid in pairs:
            cache[pk] = str(uid)


def term_codes() -> dict[int, str]:
    from kirok.records.models import Term

    return dict(Term.objects.values_list("id", "code"))


def to_dict(obj: Record, terms: dict[int, str] | None = None, uids: UidCache | None = None) -> dict:
    """The exchange form of one record (with its children)."""
    terms = terms if terms is not None else term_codes()
    return _encode_all(type_spec(obj.record_type), obj, terms, uids or UidCache())


def canonical_json(data: dict) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes a digest is taken over."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


# --- reading ---------------------------------------------------------------------------------

_TRUE = {"true", "1", "yes", "y", "예", "네", "t"}
_FALSE = {"false", "0", "no", "n", "아니오", "아니요", "f"}


def split_multi(value) -> list:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    text = str(value).strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list):
            return parsed
    return [part.strip() for part in text.split(MULTI_SEPARATOR) if part.strip()]


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def canonical_uuid(text: str) -> str | None:
    """The canonical spelling of a UUID, or None if ``text`` is not one."""
    if _CANONICAL_UUID.fullmatch(text):
        return text
    if len(text) < 32 or len(text) > 45:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def parse_ref(value) -> str:
    """A reference: a Kirok id (any UUID spelling) or an external id, returned canonical."""
    text = clean_line(value)
    return canonical_uuid(text) or text


def parse_value(spec: FieldSpec, value):
    """Read one value as typed in a file; raises FieldError with a message for the typist."""
    kind = spec.kind
    if kind == "text" or kind == "line":
        return _parse_text(spec, value)
    if value.__class__ is str:
        value = value.strip()
        if not value:
            return None
    elif value is None:
        return None
    return _PARSERS[kind](spec, value)


def _parse_text(spec: FieldSpec, value) -> str:
    if value is None:
        return ""
    if value.__class__ is not str and (not isinstance(value, (str, int, float)) or isinstance(value, bool)):
        raise FieldError("expected text")
    text = clean(value) if spec.kind == "text" else clean_line(value)
    if spec.max_length and len(text) > spec.max_length:
        raise FieldError(f"longer than {spec.max_length} characters ({len(text)})")
    return text


def _parse_uid(spec: FieldSpec, value) -> str:
    uid = canonical_uuid(str(value))
    if uid is None:
        raise FieldError(f"{value!r} is not a Kirok id (a UUID)")
    return uid


def _parse_choice(spec: FieldSpec, value) -> str:
    text = clean_line(value)
    if text not in spec.choices:
        raise FieldError(f"{text!r} is not one of: {', '.join(c for c in spec.choices if c)}")
    return text


def _parse_date(spec: FieldSpec, value) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise FieldError(f"{value!r} is not a date")
    try:
        return canonical_date(str(value))
    except DateError as exc:
        raise FieldError(str(exc)) from None


def _parse_plain_date(spec: FieldSpec, value) -> str:
    text = _parse_date(spec, value)
    if len(text) != 10:
        raise FieldError(f"{value!r} is not a full date (YYYY-MM-DD)")
    return text


def _parse_bool(spec: FieldSpec, value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldError(f"{value!r} is not yes or no (true/false)")


def _parse_int(spec: FieldSpec, value) -> int:
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise FieldError(f"{value!r} is not a whole number")
    try:
        number = int(value) if isinstance(value, (int, float)) else int(str(value))
    except ValueError:
        raise FieldError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise FieldError("must not be negative")
    if number > 2_147_483_647:
        raise FieldError("is too large")
    return number


def _parse_decimal(spec: FieldSpec, value) -> str:
    if isinstance(value, bool):
        raise FieldError(f"{value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise FieldError(f"{value!r} is not a number") from None
    if not number.is_finite() or abs(number) >= 1000:
        raise FieldError(f"{value!r} is not a coordinate")
    return format(number.quantize(ONE_KM), "f")  # the only decimals are coordinates, kept to ~1 km


def _parse_ref(spec: FieldSpec, value) -> str:
    if not isinstance(value, str):
        raise FieldError(f"{value!r} is not a reference (a Kirok id or an external id)")
    return parse_ref(value)


def _parse_refs(spec: FieldSpec, value) -> list[str] | None:
    return sorted({_parse_ref(spec, v) for v in split_multi(value)}) or None


def _parse_term(spec: FieldSpec, value) -> str:
    if not isinstance(value, str):
        raise FieldError(f"{value!r} is not a term")
    return clean_line(value)


def _parse_terms(spec: FieldSpec, value) -> list[str] | None:
    return [_parse_term(spec, v) for v in split_multi(value)] or None


def _parse_json(spec: FieldSpec, value):
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise FieldError(f"not valid JSON ({exc})") from None
    expected = list if spec.name == "scopes" else dict
    if not isinstance(value, expected):
        raise FieldError(f"expected a JSON {'list' if expected is list else 'object'}")
    return _nfc_json(value)


def _parse_children(spec: FieldSpec, value) -> list:
    if isinstance(value, str):
        if value.startswith("["):
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError as exc:
                raise FieldError(f"not valid JSON ({exc})") from None
        else:
            value = split_multi(value)
    if not isinstance(value, list):
        raise FieldError("expected a list")
    return value


_PARSERS = {
    "text": _parse_text, "line": _parse_text, "uid": _parse_uid, "choice": _parse_choice, "date": _parse_date,
    "plain_date": _parse_plain_date, "bool": _parse_bool, "int": _parse_int, "decimal": _parse_decimal,
    "ref": _parse_ref, "refs": _parse_refs, "term": _parse_term, "terms": _parse_terms, "json": _parse_json,
    "children": _parse_children,
}


@lru_cache(maxsize=1 << 16)
def canonical_date(text: str) -> str:
    """The EDTF text of a date as typed (cached: a collection has few distinct dates)."""
    return str(UncertainDate.parse(text))


def _nfc_json(value):
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_nfc_json(v) for v in value]
    if isinstance(value, dict):
        return {clean_line(k): _nfc_json(v) for k, v in value.items()}
    return value
