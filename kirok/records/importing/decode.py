"""Decoding: one row as typed in a file becomes a canonical record dict, or field errors.

The canonical dict is exactly what ``exchange.to_dict`` gives for the stored record, so the
importer can write the version snapshot without reading the row back. Vocabulary values may be
given as a code (``torture``), an English or Korean label (``Torture``, ``고문``) or a path
(``right_to_personal_integrity::torture``); unknown values are an error with suggestions, never a
new term.
"""

from __future__ import annotations

import difflib
import uuid
from dataclasses import dataclass, field

from kirok.records import exchange
from kirok.records.exchange import SEALED, FieldError, FieldSpec, TypeSpec
from kirok.types.text import clean_line, script_of

KIROK_NAMESPACE = uuid.UUID("6f1c8f3e-4b0e-5d1a-9c0e-6b69726f6b00")


def _checked_envelope(value: dict) -> dict:
    """A sealed value as it arrives ({"$protected": {...}}): well-formed, or a FieldError. Whether
    it opens here is for the sealer to say, once the record's id is known."""
    envelope = value[SEALED]
    if (
        len(value) != 1 or not isinstance(envelope, dict) or not isinstance(envelope.get("commit"), str)
        or len(envelope["commit"]) != 64 or not set(envelope) <= {"commit", "kid", "ct", "names"}
        or ("ct" in envelope) != ("kid" in envelope)
        or not isinstance(envelope.get("names", []), list) or not all(isinstance(n, str) for n in envelope.get("names", []))
    ):
        raise FieldError('a sealed value is {"$protected": {"commit": …, "kid": …, "ct": …}}')
    return {SEALED: {k: (list(v) if k == "names" else str(v)) for k, v in envelope.items()}}


def uid_for_external_id(record_type: str, external_id: str) -> str:
    """The same external id gives the same Kirok id in every workspace (UUID v5)."""
    return str(uuid.uuid5(KIROK_NAMESPACE, f"{record_type}:{external_id}"))


class Vocabularies:
    """All terms, indexed by code, labels and path, per vocabulary; loaded once per import."""

    def __init__(self):
        from kirok.records.models import Term

        self.lookup: dict[str, dict[str, tuple[int, str]]] = {}
        self.codes: dict[str, list[str]] = {}
        for pk, vocab, code, path, en, ko in Term.objects.values_list(
            "id", "vocabulary__key", "code", "path", "label_en", "label_ko"
        ):
            table = self.lookup.setdefault(vocab, {})
            self.codes.setdefault(vocab, []).append(code)
            for key in (path.casefold(), en.casefold(), ko.casefold()):
                table.setdefault(key, (pk, code))
            table[code.casefold()] = (pk, code)

    def resolve(self, vocabulary: str, value: str) -> tuple[int, str]:
        table = self.lookup.get(vocabulary)
        if table is None:
            raise FieldError(f"the vocabulary {vocabulary!r} is not loaded; run `kirok init`")
        key = value.casefold()
        hit = table.get(key) or (table.get(key.rsplit("::", 1)[-1]) if "::" in key else None)
        if hit:
            return hit
        close = difflib.get_close_matches(value, self.codes[vocabulary], n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; see `kirok vocab show {vocabulary}`"
        raise FieldError(f"{value!r} is not a term of {vocabulary}{hint}")


@dataclass
class Decoded:
    """A decoded row: its canonical dict and the database values that need resolving."""

    record_type: str
    data: dict
    terms: dict[str, int] = field(default_factory=dict)        # attname -> term id
    many_terms: dict[str, list[int]] = field(default_factory=dict)  # field -> term ids
    children: dict[str, list[dict]] = field(default_factory=dict)   # accessor -> rows of column values
    given_id: bool = False
    sealed: dict[str, dict] = field(default_factory=dict)  # field -> envelope: the row's ``sealed`` column
    blind: set[str] | None = None  # blind-index tokens of the record, when its type has any


class RowErrors(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))


@dataclass
class CustomFields:
    """Custom field definitions by record type, to validate ``extra``."""

    by_type: dict[str, dict] = field(default_factory=dict)
    required_by_type: set[str] = field(default_factory=set)

    @classmethod
    def load(cls) -> "CustomFields":
        from kirok.records.models import CustomField

        result = cls()
        for cf in CustomField.objects.select_related("vocabulary"):
            result.by_type.setdefault(cf.record_type, {})[cf.key] = cf
        result.required_by_type = {t for t, defs in result.by_type.items() if any(cf.required for cf in defs.values())}
        return result


class Decoder:
    """Decodes rows of one import; holds the vocabularies and custom fields it checks against."""

    IGNORED = {"type"}

    def __init__(self, vocabularies: Vocabularies | None = None, custom: CustomFields | None = None, sealer=None):
        self.vocab = vocabularies or Vocabularies()
        self.custom = custom or CustomFields.load()
        self._sealer = sealer

    @property
    def sealer(self):
        """Seals protected values (kirok.protection); an import makes it before it forks, so the
        decoding process holds the keys."""
        if self._sealer is None:
            from kirok.protection.sealing import Sealer

            self._sealer = Sealer()
        return self._sealer

    def decode(self, record_type: str, raw: dict) -> Decoded:
        spec = exchange.type_spec(record_type)
        by_name = spec.by_name
        errors: list[tuple[str, str]] = []
        out = Decoded(record_type, {})
        if not all(key in by_name for key in raw):
            raw = self._gather(record_type, raw, by_name, errors)
        for name, value in raw.items():
            try:
                self._decode_field(by_name[name], value, out)
            except FieldError as exc:
                errors.append((name, str(exc)))
        for name, default in spec.defaults.items():
            out.data.setdefault(name, default)
        if "extra" not in raw and record_type in self.custom.required_by_type:
            try:
                self.decode_extra(record_type, {})
            except FieldError as exc:
                errors.append(("extra", str(exc)))
        self._check(record_type, spec, out, errors)
        if errors:
            raise RowErrors(errors)
        out.given_id = "id" in out.data
        if not out.given_id:
            ext = out.data.get("external_id")
            out.data["id"] = uid_for_external_id(record_type, ext) if ext else str(uuid.uuid4())
        try:
            self.sealer.seal(out)
        except FieldError as exc:
            raise RowErrors([(getattr(exc, "field", "id"), str(exc))]) from None
        return out

    def _gather(self, record_type: str, raw: dict, by_name: dict, errors: list) -> dict:
        """Fold spreadsheet conventions (``extra.KEY``, ``FIELD__LANG``) into their JSON fields."""
        result: dict = {}
        extra = dict(raw.get("extra") or {}) if isinstance(raw.get("extra"), dict) else None
        translations: dict = {}
        for key, value in raw.items():
            if key in by_name:
                result[key] = value
            elif key.startswith("extra."):
                if value not in ("", None):
                    extra = extra if extra is not None else {}
                    extra[key[6:]] = value
            elif "__" in key and key.split("__", 1)[0] in by_name:
                name, lang = key.split("__", 1)
                if value not in ("", None):
                    translations.setdefault(name, {})[lang] = value
            elif key in self.IGNORED:
                continue
            else:
                known = ", ".join(sorted(by_name))
                errors.append((key, f"unknown field for {record_type}; known fields: {known}"))
        if extra is not None:
            result["extra"] = extra
        if translations:
            base = raw.get("translations") or {}
            if isinstance(base, str):
                base = {}
            result["translations"] = {**base, **translations}
        return result

    def _decode_field(self, f: FieldSpec, value, out: Decoded) -> None:
        if exchange.is_sealed(value) and f.kind in exchange.SEALABLE:
            out.data[f.name] = checked = _checked_envelope(value)
            out.sealed[f.name] = checked[SEALED]
            return
        if f.kind == "children":
            rows, data = self._decode_children(f.children, exchange.parse_value(f, value) or [])
            out.children[f.name] = rows
            if data:
                out.data[f.name] = data
            return
        parsed = exchange.parse_value(f, value)
        if f.kind == "term" and parsed:
            pk, code = self.vocab.resolve(f.target, parsed)
            out.terms[f.attname] = pk
            parsed = code
        elif f.kind == "terms" and parsed:
            resolved = sorted({self.vocab.resolve(f.target, v) for v in parsed}, key=lambda t: t[1])
            out.many_terms[f.name] = [pk for pk, _ in resolved]
            parsed = [code for _, code in resolved]
        elif f.kind == "json" and f.name == "extra" and parsed:
            parsed = self.decode_extra(out.record_type, parsed)
        elif f.kind == "json" and f.name == "translations" and parsed is not None and not isinstance(parsed, dict):
            raise FieldError("translations are {field: {language: text}}")
        if not exchange._is_empty(parsed):
            out.data[f.name] = parsed

    def _decode_children(self, spec: TypeSpec, items: list) -> tuple[list[dict], list[dict]]:
        rows, data = [], []
        by_name = spec.by_name
        for index, item in enumerate(items, start=1):
            if isinstance(item, str):
                item = self._child_from_text(spec, item)
            if not isinstance(item, dict):
                raise FieldError(f"item {index} must be an object")
            row, clean = {}, {}
            for key, value in item.items():
                if key == SEALED:  # the row's protected fields, sealed together
                    envelope = _checked_envelope({SEALED: value})[SEALED]
                    clean[SEALED] = envelope
                    continue
                f = by_name.get(key)
                if f is None:
                    raise FieldError(f"item {index}: unknown field {key!r}; known: {', '.join(by_name)}")
                try:
                    parsed = exchange.parse_value(f, value)
                    if f.kind == "term" and parsed:
                        pk, parsed = self.vocab.resolve(f.target, parsed)
                        row[f.attname] = pk
                    elif f.kind == "json" and spec.record_type == "consents" and key == "scopes":
                        parsed = [self.vocab.resolve("consent_scopes", str(s))[1] for s in (parsed or [])]
                        row[f.attname] = parsed
                    else:
                        row[f.attname] = parsed
                except FieldError as exc:
                    raise FieldError(f"item {index}, {key}: {exc}") from None
                if not exchange._is_empty(parsed):
                    clean[key] = parsed
            for name, default in spec.defaults.items():
                if name not in clean:
                    clean[name] = default
                    row[by_name[name].attname] = default
            self._complete_child(spec, row, clean, index)
            if SEALED in clean:
                row["sealed"] = {exchange.ROW: clean[SEALED]}
            rows.append(row)
            data.append({f.name: clean[f.name] for f in spec.fields if f.name in clean} | ({SEALED: clean[SEALED]} if SEALED in clean else {}))
        return rows, data

    @staticmethod
    def _child_from_text(spec: TypeSpec, text: str) -> dict:
        """A bare string in a names column is a name; its script is read off the letters."""
        if spec.record_type in ("names",) and "full_name" in spec.by_name:
            return {"full_name": text}
        if "name" in spec.by_name:
            return {"name": text}
        raise FieldError(f"give {spec.record_type} as objects")

    @staticmethod
    def _complete_child(spec: TypeSpec, row: dict, clean: dict, index: int) -> None:
        names = spec.by_name
        sealed = clean.get(SEALED, {}).get("names", ())
        if "full_name" in names:
            if "full_name" in sealed:
                if not clean.get("script"):
                    raise FieldError(f"item {index}: a sealed name needs its script (Hang, Hani, Latn, Zyyy)")
                return
            if not clean.get("full_name"):
                raise FieldError(f"item {index}: a name needs full_name")
            if not clean.get("script"):
                clean["script"] = row["script"] = script_of(clean["full_name"])
        if "name" in names and not clean.get("name"):
            raise FieldError(f"item {index}: a name needs name")

    def decode_extra(self, record_type: str, values: dict) -> dict:
        """Custom field values checked against the steward's definitions (types, vocabularies, required)."""
        defs = self.custom.by_type.get(record_type, {})
        result = {}
        for key, value in values.items():
            cf = defs.get(key)
            if cf is None:
                raise FieldError(
                    f"unknown custom field {key!r} for {record_type}; a data steward defines it first "
                    "(admin → Custom fields)"
                )
            if value in ("", None, []):
                continue
            result[key] = _checked_envelope(value) if exchange.is_sealed(value) else self._custom_value(cf, value)
        for key, cf in defs.items():
            if cf.required and key not in result:
                raise FieldError(f"custom field {key!r} is required")
        return {k: result[k] for k in sorted(result)}

    def _custom_value(self, cf, value):
        kind = {"text": "text", "integer": "int", "decimal": "decimal", "boolean": "bool", "date": "date"}.get(cf.value_type)
        if kind:
            parsed = exchange.parse_value(FieldSpec(cf.key, kind), value)
            return parsed
        vocab = cf.vocabulary.key if cf.vocabulary else ""
        if cf.value_type == "term":
            return self.vocab.resolve(vocab, clean_line(value))[1]
        return sorted({self.vocab.resolve(vocab, clean_line(v))[1] for v in exchange.split_multi(value)})

    @staticmethod
    def _check(record_type: str, spec: TypeSpec, out: Decoded, errors: list) -> None:
        """What a record must have to mean anything (ESF's required links)."""
        data = out.data
        failed = {f for f, _ in errors}
        for f in spec.fields:
            if f.required and f.name not in data and f.name not in failed and f.kind not in ("bool",):
                errors.append((f.name, "is required"))
        if record_type == "information":
            if "source" not in data and "source" not in failed:
                errors.append(("source", "information must name its source"))
            if not any(k in data for k in ("event", "act", "person")):
                errors.append(("event", "information is about an event, an act or a person: give one"))
        if record_type == "involvement" and not ("perpetrator" in data or "organization" in data):
            errors.append(("perpetrator", "give the perpetrator person or the perpetrator unit (organization)"))
        for name, limit in (("latitude", 90), ("longitude", 180)):
            value = data.get(name)
            if value is not None and abs(float(value)) > limit:
                errors.append((name, f"{value} is outside ±{limit}°"))
        if record_type == "chain_of_events" and data.get("event") and data.get("event") == data.get("related_event"):
            errors.append(("related_event", "an event cannot be chained to itself"))
