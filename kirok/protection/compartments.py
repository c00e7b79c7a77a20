"""Compartments: creating them, who is in them, and which records go into them.

New sources, events and persons go into the compartments named for the work in hand
(``assigning(["case-12"])``, ``kirok import --compartment case-12``), or else into the
workspace's default compartment. The default has no members until a steward adds them: deny
by default.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils.translation import gettext as _

from kirok.records.registry import model_for

from .models import Compartment, Membership, RecordCompartment
from .models.compartments import COMPARTMENTED
from .principal import Principal

DEFAULT_KEY = "workspace"

_assigning: contextvars.ContextVar[tuple[int, ...] | None] = contextvars.ContextVar("kirok_compartments", default=None)


class CompartmentError(ValueError):
    """An unknown compartment, or one that cannot be changed so; the message says which."""


def default_compartment() -> Compartment:
    found = Compartment.objects.filter(is_default=True).first()
    if found is not None:
        return found
    with transaction.atomic():
        compartment, _created = Compartment.objects.get_or_create(
            key=DEFAULT_KEY, defaults={"name": _("Workspace (default)"), "is_default": True}
        )
    return compartment


def named(keys: Iterable[str]) -> list[Compartment]:
    keys = list(dict.fromkeys(keys))
    found = {c.key: c for c in Compartment.objects.filter(key__in=keys)}
    missing = [k for k in keys if k not in found]
    if missing:
        known = ", ".join(Compartment.objects.values_list("key", flat=True)) or _("none yet")
        raise CompartmentError(
            _("no compartment %(keys)s; known: %(known)s (create one with `kirok compartment create KEY`)")
            % {"keys": ", ".join(missing), "known": known}
        )
    return [found[k] for k in keys]


@contextmanager
def assigning(keys: Iterable[str] | None):
    """New compartmented records made inside go into these compartments (None: the default)."""
    ids = tuple(c.pk for c in named(keys)) if keys else None
    token = _assigning.set(ids)
    try:
        yield
    finally:
        _assigning.reset(token)


def target_ids() -> tuple[int, ...]:
    return _assigning.get() or (default_compartment().pk,)


def assign_range(record_type: str, first: int, stop: int) -> None:
    """Put records with keys in [first, stop) into the current target compartments, in SQL:
    the import's keys come in contiguous ranges, so a million rows cost a statement each."""
    if record_type not in COMPARTMENTED:
        return
    table = connection.ops.quote_name(model_for(record_type)._meta.db_table)
    target = connection.ops.quote_name(RecordCompartment._meta.db_table)
    with connection.cursor() as cur:
        # New keys have no compartments; rows left by records erased outside Kirok must not leak in.
        cur.execute(f"DELETE FROM {target} WHERE record_type = %s AND record_id >= %s AND record_id < %s", [record_type, first, stop])
        for compartment_id in target_ids():
            cur.execute(
                f"INSERT INTO {target} (record_type, record_id, compartment_id) "
                f"SELECT %s, id, %s FROM {table} WHERE id >= %s AND id < %s",
                [record_type, compartment_id, first, stop],
            )


def assign(record_type: str, pk: int) -> None:
    if record_type in COMPARTMENTED:
        RecordCompartment.objects.bulk_create(
            [RecordCompartment(record_type=record_type, record_id=pk, compartment_id=c) for c in target_ids()],
            ignore_conflicts=True,
        )


def create(key: str, name: str, *, principal: Principal, description: str = "") -> Compartment:
    principal.require("manage_compartments")
    if Compartment.objects.filter(key=key).exists():
        raise CompartmentError(_("compartment %(key)s exists already") % {"key": key})
    return Compartment.objects.create(key=key, name=name or key, description=description)


def add_member(compartment: Compartment, user, *, principal: Principal) -> Membership:
    principal.require("manage_compartments")
    membership, _created = Membership.objects.get_or_create(compartment=compartment, user=user, defaults={"granted_by": principal.actor})
    return membership


def remove_member(compartment: Compartment, user, *, principal: Principal) -> int:
    principal.require("manage_compartments")
    return Membership.objects.filter(compartment=compartment, user=user).delete()[0]


def put(compartment: Compartment, records: Iterable, *, principal: Principal) -> int:
    """Add records (sources, events, persons) to a compartment; they stay in their others too."""
    principal.require("manage_compartments")
    rows = []
    for record in records:
        if record.record_type not in COMPARTMENTED:
            raise CompartmentError(
                _("%(type)s records follow the records they hang off; put those in the compartment instead")
                % {"type": record.record_type}
            )
        rows.append(RecordCompartment(record_type=record.record_type, record_id=record.pk, compartment=compartment))
    RecordCompartment.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def compartments_of(record) -> list[str]:
    return list(
        RecordCompartment.objects.filter(record_type=record.record_type, record_id=record.pk)
        .values_list("compartment__key", flat=True).order_by("compartment__key")
    )
