"""Reading protected values: plaintext for those allowed (audited), a mask for everyone else.

A ``Revealer`` turns the sealed envelopes in records' exchange dicts (live records or history
versions, which have the same form) into plaintext when its principal may see protected values
(``see_protected``, or the console operator), and into a mask otherwise — never into the
ciphertext. Every value it opens is remembered, and ``flush`` writes one ``ProtectedRead`` per
record type (who, which records, which fields, why) and sends ``protected_read``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kirok.records import exchange
from kirok.records.exchange import SEALED

from . import signals
from .envelope import ROW_COLUMN, Destroyed, aad, open_value
from .keys import Keyring, keyring
from .models import ProtectedRead
from .principal import Principal

MASK = _("●●● (protected)")
DESTROYED = _("●●● (destroyed when consent was withdrawn)")


class Revealer:
    def __init__(self, principal: Principal, purpose: str, *, reveal: bool = True, ring: Keyring | None = None):
        self.principal = principal
        self.purpose = purpose
        self.allowed = reveal and principal.can("see_protected")
        self.ring = ring or keyring()
        self.read: dict[str, dict[str, set[str]]] = {}  # type -> uid -> fields
        self._tables: dict[str, tuple[str, dict[str, str]]] = {}
        self._mask, self._destroyed = str(MASK), str(DESTROYED)

    @classmethod
    def for_derivation(cls, principal: Principal, purpose: str, *, ring: Keyring | None = None) -> "Revealer":
        """A revealer for a machine that derives keyed hashes from protected values (linkage
        keys) and shows them to no one: it opens whatever the principal's ``see_protected``, so
        the calling service must have checked its own capability and the compartments first.
        Every value it opens is audited for ``purpose`` like any reveal."""
        revealer = cls(principal, purpose, ring=ring)
        revealer.allowed = True
        return revealer

    def tables(self, record_type: str) -> tuple[str, dict[str, str]]:
        found = self._tables.get(record_type)
        if found is None:
            spec = exchange.type_spec(record_type)
            children = {f.name: f.children.model._meta.db_table for f in spec.fields if f.kind == "children"}
            found = self._tables[record_type] = (spec.model._meta.db_table, children)
        return found

    def dict(self, record_type: str, data: dict) -> dict:
        """A copy of ``data`` with every sealed value opened or masked."""
        table, children = self.tables(record_type)
        uid = data.get("id", "")
        out = {}
        for key, value in data.items():
            cls = value.__class__
            if cls is dict:
                if SEALED in value:
                    out[key] = self._open(value[SEALED], table, key, uid, record_type, key)
                else:
                    out[key] = self._json(value, table, key, uid, record_type)
            elif cls is list and value and value[0].__class__ is dict and key in children:
                child_table = children[key]
                out[key] = [self._row(item, child_table, uid, record_type, key) if SEALED in item else item for item in value]
            else:
                out[key] = value
        return out

    def _json(self, value: dict, table: str, column: str, uid: str, record_type: str):
        out = {}
        for key, inner in value.items():
            where = f"{column}.{key}"
            if inner.__class__ is dict:
                out[key] = (
                    self._open(inner[SEALED], table, where, uid, record_type, where) if SEALED in inner
                    else self._json(inner, table, where, uid, record_type)
                )
            else:
                out[key] = inner
        return out

    def _row(self, item: dict, table: str, uid: str, record_type: str, accessor: str) -> dict:
        """An owned row whose protected fields are sealed together, each opened or masked."""
        envelope = item[SEALED]
        out = {k: v for k, v in item.items() if k != SEALED}
        names = envelope.get("names") or ()
        if not self.allowed:
            return out | dict.fromkeys(names, self._mask)
        try:
            values = open_value(envelope, aad(table, ROW_COLUMN, uid), self.ring)
        except Destroyed:
            return out | dict.fromkeys(names, self._destroyed)
        self._fields_read(record_type, uid).update(f"{accessor}.{n}" for n in values)
        return out | values

    def sealed(self, envelope: dict, *, table: str, column: str, uid: str, record_type: str):
        """One value sealed outside a record's exchange dict (an evidence item's metadata),
        bound to ``table``/``column``/``uid``: opened (and remembered for the audit) or masked."""
        return self._open(envelope, table, column, uid, record_type, column)

    def _open(self, envelope: dict, table: str, column: str, uid: str, record_type: str, field: str):
        if not self.allowed:
            return self._mask
        try:
            value = open_value(envelope, aad(table, column, uid), self.ring)
        except Destroyed:
            return self._destroyed
        fields = self._fields_read(record_type, uid)
        fields.add(field)
        return value

    def _fields_read(self, record_type: str, uid: str) -> set[str]:
        by_uid = self.read.get(record_type)
        if by_uid is None:
            by_uid = self.read[record_type] = {}
        fields = by_uid.get(uid)
        if fields is None:
            fields = by_uid[uid] = set()
        return fields

    def flush(self, disclosure=None) -> list[ProtectedRead]:
        """Audit what was revealed since the last flush: one row and one signal per record type."""
        rows = []
        now = timezone.now()
        with transaction.atomic():
            for record_type, by_uid in self.read.items():
                fields = sorted(set().union(*by_uid.values()))
                row = ProtectedRead.objects.create(
                    at=now, user=self.principal.user, actor=self.principal.actor, purpose=self.purpose[:200],
                    record_type=record_type, record_uids=[] if disclosure else sorted(by_uid), fields=fields,
                    count=len(by_uid), disclosure=disclosure,
                )
                signals.protected_read.send(ProtectedRead, read=row)
                rows.append(row)
        self.read = {}
        return rows
