"""How a record looks on a page: its fields in order, labelled, with protected values marked.

Pages show protected values masked, even to roles that may see them: plaintext appears only
after the audited "reveal" action (``Reading.reveal``), so a page left open on a screen, a
screenshot or a shoulder-surfer gets the mask, and every sight of a name leaves a
``ProtectedRead`` row. The record's own columns hold no protected plaintext anyway (it is
sealed), so everything here except the revealed values comes from the model instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kirok.protection import access, policy
from kirok.protection.principal import Principal
from kirok.protection.pseudonyms import pseudonym
from kirok.protection.reveal import MASK, Revealer
from kirok.records.exchange import ROW, to_dict, type_spec
from kirok.records.models.base import Record
from kirok.records.registry import model_for

# URL segment of each record type's pages.
PLURAL = {
    "event": "events", "person": "persons", "source": "sources", "organization": "organizations", "place": "places",
    "act": "acts", "involvement": "involvements", "information": "information",
    "biographic_detail": "biographic-details", "chain_of_events": "chains", "intervention": "interventions",
}
HIDDEN = {"id", "external_id", "translations", "source"}  # shown elsewhere on the page, or not at all


def record_url(record) -> str:
    return reverse(f"web:{record.record_type}", args=[record.uid])


def label(record) -> str:
    """A name for a record in links and titles that never reveals a protected value: persons
    are shown by their keyed pseudonym (their names are protected), others by title or name."""
    if record.record_type == "person":
        group = f" · {record.group_description[:60]}" if record.group_size else ""
        return f"{pseudonym(str(record.uid))}{group}"
    if record.record_type == "act":
        return str(record.act_type.label if record.act_type_id else _("act"))
    if record.record_type == "involvement":
        return str(record.degree.label if record.degree_id else _("involvement"))
    if record.record_type == "information":
        return str(record.connection.label if record.connection_id else _("information"))
    return str(record)


@dataclass
class Row:
    name: str
    label: str
    value: object = ""
    kind: str = "text"
    protected: bool = False
    revealed: bool = False
    url: str = ""
    items: list = field(default_factory=list)  # owned rows: list of list[Row]


class Reading:
    """One record as one principal may see it on a page, masked unless ``reveal`` is asked for."""

    def __init__(self, record: Record, principal: Principal):
        self.record = record
        self.principal = principal
        self.policy = policy.current()
        self.plain: dict | None = None

    @property
    def may_reveal(self) -> bool:
        return self.principal.can("see_protected") and bool(self.policy.paths(self.record.record_type))

    def reveal(self, purpose: str) -> None:
        """Open the protected values for this page, recording who read what and why."""
        revealer = Revealer(self.principal, purpose)
        if not revealer.allowed:
            return
        self.plain = revealer.dict(self.record.record_type, to_dict(self.record))
        revealer.flush()

    def rows(self) -> list[Row]:
        record_type = self.record.record_type
        protected = self.policy.fields(record_type)
        children = self.policy.children(record_type)
        extra_keys = self.policy.extra_keys(record_type)
        rows = []
        for spec in type_spec(record_type).fields:
            if spec.name in HIDDEN:
                continue
            if spec.kind == "children":
                rows.append(self._children(spec, children.get(spec.name, [])))
                continue
            title = _title(record_type, spec)
            if spec.name == "extra":
                rows.extend(self._extra(extra_keys))
            elif spec.name in protected:
                row = self._protected(spec.name, title, spec.kind)
                if row is not None:
                    rows.append(row)
            else:
                row = self._open_row(spec, title)
                if row is not None:
                    rows.append(row)
        return rows

    def _protected(self, name: str, title, kind: str) -> Row | None:
        if self.plain is None:
            # Only a value that is there is masked: an empty protected field says so openly.
            return Row(name, title, MASK, kind, protected=True) if name in (self.record.sealed or {}) else None
        if self.plain.get(name) in (None, ""):
            return None
        return Row(name, title, self.plain.get(name, ""), kind, protected=True, revealed=True)

    def _open_row(self, spec, title) -> Row | None:
        value = getattr(self.record, spec.name)
        if spec.kind == "ref":
            target = value
            if target is None:
                return None
            if not _visible(target, self.principal):
                return Row(spec.name, title, _("a record outside your compartments"), "text")
            return Row(spec.name, title, label(target), "ref", url=record_url(target))
        if spec.kind == "refs":
            targets = list(value.all())
            if not targets:
                return None
            return Row(spec.name, title, "", "refs", items=[(label(t), record_url(t)) for t in targets])
        if spec.kind == "terms":
            labels = [t.label for t in value.all()]
            return Row(spec.name, title, ", ".join(labels), "text") if labels else None
        if spec.kind == "term":
            return Row(spec.name, title, value.label, "text") if value is not None else None
        if spec.kind == "choice":
            shown = getattr(self.record, f"get_{spec.name}_display")()
            return Row(spec.name, title, shown, "text") if shown else None
        if spec.kind == "bool":
            return Row(spec.name, title, _("yes") if value else _("no"), "text") if value is not None else None
        if spec.kind == "date":
            return Row(spec.name, title, value, "date") if value else None
        if value in (None, ""):
            return None
        return Row(spec.name, title, value, "text")

    def _extra(self, protected_keys: set[str]) -> list[Row]:
        rows = []
        for key, value in sorted((self.record.extra or {}).items()):
            rows.append(Row(f"extra.{key}", key, value, "text"))
        for key in sorted(protected_keys):
            if self.plain is None:
                if key in (self.record.sealed or {}).get("extra", {}) or f"extra.{key}" in (self.record.sealed or {}):
                    rows.append(Row(f"extra.{key}", key, MASK, "text", protected=True))
            else:
                value = (self.plain.get("extra") or {}).get(key)
                if value not in (None, ""):
                    rows.append(Row(f"extra.{key}", key, value, "text", protected=True, revealed=True))
        return rows

    def _children(self, spec, protected_paths) -> Row:
        names = {p.name for p in protected_paths}
        plain_rows = (self.plain or {}).get(spec.name, [])
        items = []
        for index, child in enumerate(getattr(self.record, spec.name).all()):
            sealed_names = set(((child.sealed or {}).get(ROW) or {}).get("names") or ())
            cells = []
            for f in spec.children.fields:
                title = f.model_field.verbose_name if f.model_field is not None else f.name
                if f.name in names:
                    if self.plain is None:
                        if f.name in sealed_names:
                            cells.append(Row(f.name, title, MASK, f.kind, protected=True))
                        continue
                    shown = plain_rows[index].get(f.name, "") if index < len(plain_rows) else ""
                    if shown:
                        cells.append(Row(f.name, title, shown, f.kind, protected=True, revealed=True))
                    continue
                row = self._child_value(child, f, title)
                if row is not None:
                    cells.append(row)
            items.append(cells)
        return Row(spec.name, spec.children.model._meta.verbose_name_plural, "", "children", protected=bool(names), items=items)

    @staticmethod
    def _child_value(child, f, title) -> Row | None:
        value = getattr(child, f.name)
        if f.kind == "term":
            return Row(f.name, title, value.label, "text") if value is not None else None
        if f.kind == "choice":
            shown = getattr(child, f"get_{f.name}_display")()
            return Row(f.name, title, shown, "text") if shown else None
        if f.kind == "json" and isinstance(value, list):
            if f.name == "scopes":  # consent scopes: codes of the consent_scopes vocabulary
                value = _labels("consent_scopes", value)
            return Row(f.name, title, ", ".join(map(str, value)), "text") if value else None
        if f.kind == "bool":
            return Row(f.name, title, _("yes") if value else _("no"), "text")
        if f.kind == "plain_date":
            return Row(f.name, title, value, "date") if value else None
        if value in (None, ""):
            return None
        return Row(f.name, title, value, "text")


def _labels(vocabulary: str, codes: list) -> list[str]:
    from kirok.records.models import Term

    found = {t.code: t.label for t in Term.objects.filter(vocabulary__key=vocabulary, code__in=codes)}
    return [found.get(code, code) for code in codes]


def _title(record_type: str, spec):
    """The field's translated name; an uncertain date's is on its descriptor (it has three columns)."""
    if spec.model_field is not None:
        return spec.model_field.verbose_name
    return getattr(model_for(record_type), spec.name).field.verbose_name


def _visible(record, principal: Principal) -> bool:
    return access.visible(type(record).all_objects.filter(pk=record.pk), principal).exists()
