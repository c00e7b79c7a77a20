"""Which values are protected, and what each consent scope lets out: data, not code.

The shipped list is ``kirok/data/protection.yaml``; a steward adds to it (``ProtectedField``,
``kirok protect add``), and every custom field is protected unless its ``protected`` flag is
cleared. A path names a field of the record (``birth_date``), a field of its owned rows
(``names.full_name``) or one custom field (``extra.phone``). Only values can be protected, not
references or vocabulary terms: those are links whose targets carry their own protection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from kirok.records.exchange import SEALABLE, type_spec
from kirok.records.registry import ORDER

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "protection.yaml"


class PolicyError(ValueError):
    """A protection path or scope that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class ProtectedPath:
    record_type: str
    path: str
    kind: str  # field | child | extra
    name: str  # the field, the child's field, or the custom field key
    table: str  # table of the row that holds the value
    accessor: str = ""  # owned rows (children) accessor, e.g. "names"
    value_kind: str = ""  # exchange kind of the value


@dataclass(frozen=True)
class Scope:
    code: str
    requires_consent: bool
    reveal: bool
    pseudonymise: bool
    drop: frozenset[str]


@dataclass
class Policy:
    by_type: dict[str, tuple[ProtectedPath, ...]] = field(default_factory=dict)
    blind: dict[str, tuple[ProtectedPath, ...]] = field(default_factory=dict)

    def paths(self, record_type: str) -> tuple[ProtectedPath, ...]:
        return self.by_type.get(record_type, ())

    def fields(self, record_type: str) -> dict[str, ProtectedPath]:
        return {p.name: p for p in self.paths(record_type) if p.kind == "field"}

    def children(self, record_type: str) -> dict[str, list[ProtectedPath]]:
        result: dict[str, list[ProtectedPath]] = {}
        for p in self.paths(record_type):
            if p.kind == "child":
                result.setdefault(p.accessor, []).append(p)
        return result

    def extra_keys(self, record_type: str) -> set[str]:
        return {p.name for p in self.paths(record_type) if p.kind == "extra"}

    def for_model(self, model) -> list[ProtectedPath]:
        """The paths whose values sit in rows of ``model`` (a record or an owned-row model)."""
        table = model._meta.db_table
        return [p for t in self.by_type.values() for p in t if p.table == table]


@cache
def shipped() -> dict:
    with open(DATA_FILE, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    for key in ("protected", "scopes", "blind_index", "break_glass"):
        if not isinstance(doc.get(key), dict):
            raise PolicyError(f"{DATA_FILE}: needs a `{key}:` mapping")
    return doc


def resolve(record_type: str, path: str) -> ProtectedPath:
    """A path checked against the model: it must name a value that can be sealed."""
    if record_type not in ORDER:
        raise PolicyError(_("unknown record type %(type)r; one of: %(types)s") % {"type": record_type, "types": ", ".join(ORDER)})
    spec = type_spec(record_type)
    table = spec.model._meta.db_table
    head, _dot, rest = path.partition(".")
    if head == "extra" and rest:
        return ProtectedPath(record_type, path, "extra", rest, table, value_kind="json")
    f = spec.by_name.get(head)
    if f is None:
        raise PolicyError(_("%(type)s has no field %(field)r") % {"type": record_type, "field": head})
    if f.kind == "children":
        child = f.children.by_name.get(rest)
        if child is None:
            raise PolicyError(_("%(type)s.%(rows)s has no field %(field)r") % {"type": record_type, "rows": head, "field": rest})
        if child.kind not in SEALABLE:
            raise PolicyError(_("%(path)s is a %(kind)s, not a value that can be protected") % {"path": path, "kind": child.kind})
        return ProtectedPath(record_type, path, "child", rest, f.children.model._meta.db_table, accessor=head, value_kind=child.kind)
    if rest or f.kind not in SEALABLE:
        raise PolicyError(
            _("%(type)s.%(path)s is a %(kind)s, not a value that can be protected (protect the values of the record it points to)")
            % {"type": record_type, "path": path, "kind": f.kind}
        )
    return ProtectedPath(record_type, path, "field", head, table, value_kind=f.kind)


def scopes() -> dict[str, Scope]:
    return {
        code: Scope(code, bool(spec["requires_consent"]), bool(spec["reveal"]), bool(spec["pseudonymise"]), frozenset(spec.get("drop") or ()))
        for code, spec in shipped()["scopes"].items()
    }


def scope(code: str) -> Scope:
    known = scopes()
    if code not in known:
        raise PolicyError(_("unknown consent scope %(scope)r; one of: %(scopes)s") % {"scope": code, "scopes": ", ".join(known)})
    return known[code]


def break_glass_minutes() -> tuple[int, int]:
    limits = shipped()["break_glass"]
    return int(limits["default_minutes"]), int(limits["max_minutes"])


def load() -> Policy:
    """The policy as the database says now: shipped paths, steward's additions, custom fields."""
    from kirok.protection.models import ProtectedField
    from kirok.records.models import CustomField

    wanted: dict[str, dict[str, None]] = {}
    for record_type, entries in shipped()["protected"].items():
        for entry in entries:
            wanted.setdefault(record_type, {})[entry["path"] if isinstance(entry, dict) else entry] = None
    for record_type, path in ProtectedField.objects.values_list("record_type", "path"):
        wanted.setdefault(record_type, {})[path] = None
    for record_type, key in CustomField.objects.filter(protected=True).values_list("record_type", "key"):
        wanted.setdefault(record_type, {})[f"extra.{key}"] = None
    result = Policy()
    for record_type, paths in wanted.items():
        result.by_type[record_type] = tuple(resolve(record_type, p) for p in paths)
    for record_type, paths in shipped()["blind_index"].items():
        protected = {p.path: p for p in result.paths(record_type)}
        missing = [p for p in paths if p not in protected]
        if missing:
            raise PolicyError(f"{DATA_FILE}: blind_index.{record_type} lists {missing}, which are not protected")
        result.blind[record_type] = tuple(protected[p] for p in paths)
    return result


_current: Policy | None = None


def current() -> Policy:
    """The policy, cached in this process; a change to protected or custom fields resets it."""
    global _current
    if _current is None:
        _current = load()
    return _current


def reset(**_signal_kwargs) -> None:
    global _current
    _current = None


def location(record_type: str, path: tuple) -> tuple[str, str]:
    """(table, column) of a sealed value at ``path`` inside a record's exchange dict: what binds
    its ciphertext. ``(field,)``, ``(json field, key, …)``, or ``(accessor, index)`` for an owned
    row's one envelope (column ``*``: all its protected fields)."""
    from .envelope import ROW_COLUMN

    spec = type_spec(record_type)
    f = spec.by_name.get(path[0])
    if f is not None and f.kind == "children":
        return f.children.model._meta.db_table, ROW_COLUMN
    return spec.model._meta.db_table, ".".join(str(p) for p in path)
