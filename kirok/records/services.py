"""What the web pages, the API and the CLI all call to read and change the record.

Reads and changes of records take the user they are made for and go through the protection
layer: only records within the user's compartments are found (others are "not found", exactly
like ids that do not exist), protected values are revealed only to roles that may see them, and
each reveal is audited (``kirok.protection``). ``user=None`` is the console operator.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterator
from functools import partial

from django.db.models import Count, F

from kirok.protection import access
from kirok.protection.principal import Principal
from kirok.protection.reveal import Revealer
from kirok.records import history
from kirok.records.exchange import to_dict
from kirok.records.exporting import iter_dicts
from kirok.records.models import Act, Version
from kirok.records.models.base import Record
from kirok.records.registry import ORDER, model_for

BATCH = 2000


def workspace_counts() -> list[tuple[str, str, int]]:
    """(type, translated plural label, live records) per record type, for the landing page."""
    return [(t, model_for(t)._meta.verbose_name_plural, model_for(t).objects.count()) for t in ORDER]


def has_demo_data() -> bool:
    """Whether the synthetic demo set is loaded: pages then say that what they show is fictional."""
    return model_for("person").objects.filter(external_id__startswith="demo:").exists()


def acts_by_type(limit: int = 10) -> list[dict]:
    return list(
        Act.objects.values("act_type__code", "act_type__label_en", "act_type__label_ko")
        .annotate(n=Count("id")).order_by("-n")[:limit]
    )


def principal_for(user) -> Principal:
    """A Django user, a Principal (the CLI's ``--user`` or console operator), or None: the console."""
    if isinstance(user, Principal):
        return user
    return Principal.console() if user is None else Principal.of(user)


def read_records(record_type: str, *, user=None, purpose: str) -> Iterator[dict]:
    """Every record of a type the user may see, as exchange dicts with protected values revealed
    (audited, batch by batch, before they are handed out) or masked."""
    principal = principal_for(user)
    revealer = Revealer(principal, purpose)
    dicts = iter_dicts(record_type, restrict=partial(access.visible, principal=principal))
    while batch := _without_gc(lambda: [revealer.dict(record_type, d) for d in itertools.islice(dicts, BATCH)]):
        revealer.flush()
        yield from batch


def _without_gc(build):
    """A batch of records is thousands of small acyclic objects: the cyclic collector, run over
    and over while they are made, found nothing and cost a third of a read (as in imports)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return build()
    finally:
        if collecting:
            gc.enable()


def get_record(record_type: str, ref: str, *, user=None, purpose: str) -> dict:
    """One record by Kirok id or external id; ``NotFound`` if it does not exist or is out of reach."""
    principal = principal_for(user)
    record = access.get(record_type, ref, principal)
    revealer = Revealer(principal, purpose)
    data = revealer.dict(record_type, to_dict(record))
    revealer.flush()
    return data


def record_history(record: Record, *, user=None, purpose: str) -> list[tuple[Version, dict]]:
    """The record's versions, oldest first, each with its snapshot revealed or masked."""
    principal = principal_for(user)
    access.check(record, principal)
    revealer = Revealer(principal, purpose)
    result = [(v, revealer.dict(record.record_type, v.data)) for v in history.versions(record)]
    revealer.flush()
    return result


def delete_record(record: Record, *, user=None, reason: str) -> None:
    """Tombstone a record. A reason is required: the history must say why."""
    if not reason.strip():
        raise ValueError("say why the record is deleted")
    principal = principal_for(user)
    access.require_write(record, principal)
    with history.changeset(user=principal.user, actor=principal.actor, reason=reason, kind="delete"):
        record.delete()


def restore_record(record: Record, *, user=None, reason: str) -> Record:
    principal = principal_for(user)
    access.require_write(record, principal)
    return history.restore(record, user=principal.user, reason=reason)




def dated_within(queryset, field: str, earliest=None, latest=None):
    """Records whose uncertain date ``field`` could fall within [earliest, latest].

    Overlap, not containment: an act dated "1998" is shown when filtering for March 1998,
    because it may have happened then. Unknown dates never match a date filter.
    """
    conditions = {f"{field}_from__isnull": False}
    if latest is not None:
        conditions[f"{field}_from__lte"] = latest
    if earliest is not None:
        conditions[f"{field}_to__gte"] = earliest
    return queryset.filter(**conditions)


def in_date_order(queryset, field: str, descending: bool = False):
    """Sorted by the earliest possible day, then the latest; unknown dates last."""
    order = [F(f"{field}_from"), F(f"{field}_to")]
    if descending:
        return queryset.order_by(*(o.desc(nulls_last=True) for o in order))
    return queryset.order_by(*(o.asc(nulls_last=True) for o in order))
