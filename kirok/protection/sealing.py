"""Sealing protected values on their way in: imported rows, and records saved through Django.

Imports: ``Sealer`` is made by the import's decoder before it forks, so the decoding process
seals each row as it decodes it (the keys are in its memory from the fork) and hands the writer
rows whose protected columns are empty and whose ``sealed`` column and exchange dict hold
envelopes. It also computes the row's blind-index tokens there, where the plaintext is.
Envelopes that arrive in a file (a revert, a re-import of a sealed snapshot) are opened to prove
they belong to this workspace and this record, then kept as they are.

Django saves (the admin, services, tests): ``seal_instance`` runs before every save of a record
or an owned row and moves the plaintext of each protected field into ``sealed``. A value saved
again unchanged keeps its envelope, so an unchanged save makes no new version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from kirok.records import exchange
from kirok.records.exchange import ROW, SEALED, is_sealed
from kirok.records.models.base import Child
from kirok.records.registry import ORDER, model_for
from kirok.types.errors import FieldError

from . import blind, policy
from .envelope import ROW_COLUMN, Destroyed, Unopenable, aad, open_value, seal, seal_with, wrapped
from .keys import Keyring, KeyringError, keyring


def _blank(model_field) -> object:
    if model_field.has_default() and not callable(model_field.default):
        return model_field.default
    return None if model_field.null else ""


@dataclass
class _Plan:
    table: str
    fields: list[str] = field(default_factory=list)
    children: list[tuple[str, bytes, list[tuple[str, str, object, str | None]]]] = field(default_factory=list)
    extra: set[str] = field(default_factory=set)
    blind: dict[tuple, str] = field(default_factory=dict)  # (field,) / (accessor, field) / ("extra", key) -> path

    def __bool__(self) -> bool:
        return bool(self.fields or self.children or self.extra)


def _plan(pol: policy.Policy, record_type: str) -> _Plan:
    plan = _Plan(model_for(record_type)._meta.db_table)
    plan.fields = [p.name for p in pol.paths(record_type) if p.kind == "field"]
    for p in pol.blind.get(record_type, ()):
        plan.blind[(p.accessor, p.name) if p.kind == "child" else ("extra", p.name) if p.kind == "extra" else (p.name,)] = p.path
    spec = exchange.type_spec(record_type)
    for accessor, paths in pol.children(record_type).items():
        child_model = spec.by_name[accessor].children.model
        columns = []
        for p in paths:
            model_field = child_model._meta.get_field(p.name)
            columns.append((p.name, model_field.attname, _blank(model_field), plan.blind.get((accessor, p.name))))
        plan.children.append((accessor, aad(paths[0].table, ROW_COLUMN, ""), columns))
    plan.extra = pol.extra_keys(record_type)
    return plan


class Sealer:
    """Seals decoded rows (see the module docstring); one per import, made before the fork."""

    def __init__(self, pol: policy.Policy | None = None, ring: Keyring | None = None):
        self.policy = pol or policy.load()
        self.ring = ring or keyring()
        self.kid, self.cipher = self.ring.current()
        self.blind_key = self.ring.secret("blind-index")
        self.plans = {t: _plan(self.policy, t) for t in ORDER}

    def seal(self, decoded) -> None:
        """Seal the row's protected values in place (plaintext never leaves this process), and
        compute its blind-index tokens; raise FieldError for an envelope that does not open here."""
        plan = self.plans[decoded.record_type]
        data = decoded.data
        uid = data["id"]
        indexed: dict[str, list[str]] = {}
        for name in plan.fields:
            value = data.get(name)
            if value is not None:
                decoded.sealed[name] = self._take((name,), value, aad(plan.table, name, uid), data, name, indexed, plan.blind.get((name,)))
            self._seal_json(decoded, ("translations", name), plan.table, uid)
        for name, envelope in decoded.sealed.items():  # arrived sealed in fields not (or no longer) protected
            if name not in plan.fields:
                self._opened(envelope, aad(plan.table, name, uid), (name,))
        uid_bytes = uid.encode()
        for accessor, prefix, columns in plan.children:
            rows = decoded.children.get(accessor) or ()
            for item, row in zip(data.get(accessor) or (), rows):
                self._seal_row(item, row, columns, prefix + uid_bytes, indexed, accessor)
        extra = data.get("extra")
        if extra and plan.extra:
            for key in plan.extra & extra.keys():
                where = aad(plan.table, f"extra.{key}", uid)
                self._take(("extra", key), extra[key], where, extra, key, indexed, plan.blind.get(("extra", key)))
        if plan.blind:
            key, record_type = self.blind_key, decoded.record_type
            decoded.blind = {t for path, values in indexed.items() for t in blind.tokens(key, record_type, path, values)}

    def _seal_row(self, item: dict, row: dict, columns, where: bytes, indexed: dict, accessor: str) -> None:
        """One owned row's protected fields, sealed together in one envelope (a name's full,
        family and given name: one encryption, one commitment, one thing to destroy)."""
        arrived = item.get(SEALED)
        if arrived is not None:
            values = self._opened(arrived, where, (accessor,)) or {}
            envelope = arrived
        else:
            values = {}
            for name, attname, blank_value, _ in columns:
                value = item.pop(name, None)
                if value is not None:
                    values[name] = value
                    row[attname] = blank_value
            if not values:
                return
            envelope = seal_with(self.kid, self.cipher, values, where)
            envelope["names"] = sorted(values)
            item[SEALED] = envelope
        row["sealed"] = {ROW: envelope}
        for name, _, _, index_path in columns:
            value = values.get(name)
            if index_path is not None and value.__class__ is str:
                indexed.setdefault(index_path, []).append(value)

    def _seal_json(self, decoded, path: tuple, table: str, uid: str) -> None:
        node = decoded.data
        for key in path:
            node = node.get(key) if node.__class__ is dict else None
            if node is None:
                return
        if node.__class__ is dict:
            for lang, text in node.items():
                self._take((*path, lang), text, aad(table, ".".join((*path, lang)), uid), node, lang, {}, None)

    def _take(self, path: tuple, value, where: bytes, container: dict, key, indexed: dict, index_path: str | None) -> dict:
        if is_sealed(value):
            envelope = value[SEALED]
            value = self._opened(envelope, where, path)
        else:
            envelope = seal_with(self.kid, self.cipher, value, where)
            container[key] = wrapped(envelope)
        if index_path is not None and value.__class__ is str:
            indexed.setdefault(index_path, []).append(value)
        return envelope

    def _opened(self, envelope: dict, where: bytes, path: tuple):
        try:
            return open_value(envelope, where, self.ring)
        except Destroyed:
            return None
        except (Unopenable, KeyringError, ValueError) as exc:
            error = FieldError(
                f"{'.'.join(map(str, path))}: a sealed value that does not belong to this record in this workspace "
                f"({exc}); export it in plaintext from where it was sealed, as an authorised user, and import that"
            )
            error.field = str(path[0])
            raise error from None

    def _each(self, decoded, uid: str):
        """(envelope, plaintext or None if destroyed, shape) of every sealed value in the row."""
        for path, envelope in envelopes(decoded.data):
            table, column = policy.location(decoded.record_type, path)
            try:
                value = open_value(envelope, aad(table, column, uid), self.ring)
            except Destroyed:
                value = None
            yield path, envelope, value

    def rebind(self, decoded, uid: str) -> None:
        """The row turned out to update a record with another Kirok id: bind its envelopes to it."""
        for path, envelope, value in list(self._each(decoded, decoded.data["id"])):
            if value is None:
                continue
            table, column = policy.location(decoded.record_type, path)
            fresh = seal_with(self.kid, self.cipher, value, aad(table, column, uid))
            if "names" in envelope:
                fresh["names"] = envelope["names"]
            envelope.clear()
            envelope.update(fresh)

    def reuse(self, decoded, stored: dict) -> None:
        """Keep the stored envelope of every value that has not changed, so that re-importing the
        same file makes no new version (a fresh envelope would carry a fresh commitment)."""
        fresh = list(self._each(decoded, decoded.data["id"]))
        if not fresh:
            return
        old: dict[tuple, list[dict]] = {}
        uid = stored.get("id", "")
        for path, envelope in envelopes(stored):
            table, column = policy.location(decoded.record_type, path)
            try:
                value = open_value(envelope, aad(table, column, uid), self.ring)
            except (Destroyed, Unopenable, KeyringError):
                continue
            old.setdefault((_shape(path), orjson.dumps(value, option=orjson.OPT_SORT_KEYS)), []).append(envelope)
        for path, envelope, value in fresh:
            kept = old.get((_shape(path), orjson.dumps(value, option=orjson.OPT_SORT_KEYS))) if value is not None else None
            if kept:  # one stored envelope per value: two names may share a family name
                replacement = kept.pop(0)
                envelope.clear()
                envelope.update(replacement)


def _shape(path: tuple) -> tuple:
    """A path without list positions: reordered names still find their old envelopes."""
    return tuple(p for p in path if not isinstance(p, int))


def envelopes(value, path: tuple = ()):
    """(path, envelope) of every sealed value inside an exchange dict; an owned row's envelope
    is at the row's path (accessor, index)."""
    if value.__class__ is dict:
        for key, inner in value.items():
            if key == SEALED:
                yield path, inner
            else:
                yield from envelopes(inner, (*path, key))
    elif value.__class__ is list:
        for index, inner in enumerate(value):
            yield from envelopes(inner, (*path, index))


# --- Django saves ----------------------------------------------------------------------------


def _owner(instance) -> tuple[str, str]:
    """(record type, Kirok id) whose ciphertexts this row's values are bound to."""
    if isinstance(instance, Child):
        owner = getattr(instance, instance.owner_field)
        return owner.record_type, str(owner.uid)
    return instance.record_type, str(instance.uid)


def _spec_for(record_type: str, p: policy.ProtectedPath):
    spec = exchange.type_spec(record_type)
    return spec.by_name[p.accessor].children.by_name[p.name] if p.kind == "child" else spec.by_name[p.name]


def seal_instance(instance, update_fields=None) -> None:
    """Move the plaintext of every protected field of ``instance`` into its ``sealed`` column."""
    paths = policy.current().for_model(type(instance))
    if not paths:
        return
    if update_fields is not None and "sealed" not in update_fields and any(p.name in update_fields for p in paths):
        raise ValueError(
            f"saving protected fields of {instance._meta.model_name} with update_fields needs 'sealed' among them"
        )
    record_type, uid = _owner(instance)
    if isinstance(instance, Child):
        _seal_row_instance(instance, record_type, uid, paths)
        return
    sealed = dict(instance.sealed or {})
    for p in paths:
        if p.kind == "extra":
            extra = instance.extra or {}
            if p.name in extra and not is_sealed(extra[p.name]):
                extra[p.name] = wrapped(seal(extra[p.name], aad(p.table, p.path, uid)))
            continue
        spec = _spec_for(record_type, p)
        value = exchange._encode(spec, instance, {}, None)
        if not exchange._is_empty(value):
            where = aad(p.table, p.name, uid)
            sealed[p.name] = _kept(sealed.get(p.name), value, where) or seal(value, where)
            _blank_field(instance, p, spec)
        if p.kind == "field":
            translated = (instance.translations or {}).get(p.name)
            for lang, text in (translated or {}).items():
                if not is_sealed(text):
                    translated[lang] = wrapped(seal(text, aad(p.table, f"translations.{p.name}.{lang}", uid)))
    instance.sealed = sealed


def _seal_row_instance(instance, record_type: str, uid: str, paths) -> None:
    """An owned row's protected fields, sealed together: what is typed replaces what was sealed,
    what is left empty keeps its sealed value, and an unchanged row keeps its envelope."""
    where = aad(paths[0].table, ROW_COLUMN, uid)
    envelope = (instance.sealed or {}).get(ROW)
    try:
        old = open_value(envelope, where) if envelope else {}
    except Destroyed:
        old = {}
    typed = {}
    for p in paths:
        spec = _spec_for(record_type, p)
        value = exchange._encode(spec, instance, {}, None)
        if not exchange._is_empty(value):
            typed[p.name] = value
            _blank_field(instance, p, spec)
    merged = {**old, **typed}
    if not typed or (envelope and "ct" in envelope and merged == old):
        return
    fresh = seal(merged, where)
    fresh["names"] = sorted(merged)
    instance.sealed = {**(instance.sealed or {}), ROW: fresh}


def _kept(envelope: dict | None, value, where: bytes) -> dict | None:
    if not envelope:
        return None
    try:
        return envelope if open_value(envelope, where) == value else None
    except (Destroyed, Unopenable, KeyringError):
        return None


def _blank_field(instance, p: policy.ProtectedPath, spec) -> None:
    if spec.kind == "date":
        setattr(instance, p.name, "")
        return
    model_field = instance._meta.get_field(p.name)
    setattr(instance, model_field.attname, _blank(model_field))


def opened(record_type: str, data: dict, ring: Keyring | None = None) -> dict:
    """A copy of an exchange dict with its sealed values opened, for Kirok's own processes that
    merge a stored record with new values (never shown to anyone: a person reads through
    ``kirok.protection.reveal``). Purged values stay as their commitment."""
    ring = ring or keyring()
    uid = data.get("id", "")

    def walk(value, path: tuple):
        if value.__class__ is dict:
            if SEALED in value:
                table, column = policy.location(record_type, path)
                try:
                    inner = open_value(value[SEALED], aad(table, column, uid), ring)
                except Destroyed:
                    return value
                if len(value) == 1:
                    return inner
                return {k: v for k, v in value.items() if k != SEALED} | inner  # an owned row
            return {k: walk(v, (*path, k)) for k, v in value.items()}
        if value.__class__ is list:
            return [walk(v, (*path, i)) for i, v in enumerate(value)]
        return value

    return walk(data, ())


def stored_tokens(record) -> set[str]:
    """The blind-index tokens of a stored record, from its sealed (or not yet sealed) values."""
    pol = policy.current()
    blind_key = keyring().secret("blind-index")
    result: set[str] = set()
    uid = str(record.uid)
    for p in pol.blind.get(record.record_type, ()):
        rows = getattr(record, p.accessor).all() if p.kind == "child" else [record]
        values = []
        for row in rows:
            key, column = (ROW, ROW_COLUMN) if p.kind == "child" else (p.name, p.name)
            envelope = (row.sealed or {}).get(key)
            if envelope is None:
                plain = getattr(row, p.name, "")
                if isinstance(plain, str) and plain:
                    values.append(plain)
                continue
            try:
                opened_value = open_value(envelope, aad(p.table, column, uid))
            except Destroyed:
                continue
            values.append(opened_value.get(p.name) if p.kind == "child" else opened_value)
        result |= blind.tokens(blind_key, record.record_type, p.path, [v for v in values if isinstance(v, str)])
    return result


def reindex(record) -> None:
    blind.replace(record.record_type, [(record.pk, stored_tokens(record))])


def blind_tables() -> dict[str, str]:
    """{table: record type} of the rows whose values feed the blind index."""
    return {p.table: t for t, paths in policy.current().blind.items() for p in paths}
