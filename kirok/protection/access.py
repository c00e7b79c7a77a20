"""Who may see which record: compartments, the records that hang off them, and break-glass.

The rule, deny by default:

* a **source, event or person** is visible to a user who holds ``read_records`` and is a member
  of one of its compartments, or who holds an open break-glass grant for it;
* a record that **hangs off** others is visible when every one of them that it names is visible
  (``ANCHORS``): an act needs its event and its victim, an involvement its act and its
  perpetrator, information its source and what it is about, a biographic detail both persons,
  a chain both events, an intervention its event, victim and intervening person;
* **owned rows** (names, consent entries) are visible with their record;
* **places and organizations** are the shared gazetteer and institution registry: visible to
  every user who holds ``read_records``.

``visible`` filters a queryset; ``out_of_reach`` answers, for the records many rows hang off
(``anchor_paths``), which of them the reader may not see, probing each once (a case matrix over
thousands of acts); ``get`` and ``check`` answer for one record and raise
``NotFound`` for a record that exists but is out of reach exactly as for one that does not, so
guessing ids reveals nothing. The operator at the console passes (see ``principal``).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from datetime import timedelta
from functools import reduce

from django.db import transaction
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kirok.records.exchange import canonical_uuid
from kirok.records.models.base import Child
from kirok.records.registry import ORDER, model_for

from . import policy, signals
from .models import BreakGlass, Membership, RecordCompartment
from .models.compartments import COMPARTMENTED
from .principal import AccessDenied, NotFound, Principal

PUBLIC = ("place", "organization")
ANCHORS = {
    "act": ("event", "victim"),
    "involvement": ("act", "perpetrator"),
    "information": ("source", "event", "act", "person"),
    "biographic_detail": ("person", "related_person"),
    "chain_of_events": ("event", "related_event"),
    "intervention": ("event", "victim", "intervening_person"),
}


def visible(queryset, principal: Principal, capability: str = "read_records"):
    """The records of ``queryset`` the principal may see (none without ``capability``)."""
    if principal.operator:
        return queryset
    if not principal.can(capability):
        return queryset.none()
    return queryset.filter(_condition(queryset.model, principal))


# The conditions are correlated ``EXISTS`` subqueries that probe the compartment table by the
# record's own key, never ``pk IN (SELECT …)`` lists: an IN list holds every record of the user's
# compartments (SQLite materializes it in full for each query, PostgreSQL hashes it), so a page
# that shows one record or ten would pay for the size of the whole collection. An EXISTS probe
# costs one index lookup per row considered (``compartment_records`` or
# ``record_compartment_unique``, both keyed by record type, compartment and record id), whatever the
# collection holds. Plans and figures: docs/benchmarks.md, "Access filters as correlated EXISTS".


def _condition(model, principal: Principal) -> Q:
    """The condition on ``model``'s rows (a queryset's own) that makes one visible."""
    if issubclass(model, Child):
        field = model._meta.get_field(model.owner_field)
        return _reaches(field, principal)
    record_type = model.record_type
    if record_type in PUBLIC:
        return Q()
    if record_type in COMPARTMENTED:
        return _holders(record_type, principal, "pk")
    condition = Q()
    for name in ANCHORS[record_type]:
        field = model._meta.get_field(name)
        reachable = _reaches(field, principal)
        condition &= reachable if not field.null else (Q(**{f"{field.attname}__isnull": True}) | reachable)
    return condition


def _reaches(field, principal: Principal) -> Q:
    """The row's foreign key ``field`` names a record the principal may see (``read_records``).

    A source, event or person is probed in the compartment table by the key itself, without
    joining its own table; a record that hangs off others (an act named by an involvement) is
    probed by key with its own anchors' conditions, one level deeper.
    """
    if not principal.can("read_records"):
        return Q(pk__in=[])
    target = field.related_model
    record_type = target.record_type
    if record_type in PUBLIC:
        return Q()  # a foreign key always names an existing row; places and organizations are open
    if record_type in COMPARTMENTED:
        return _holders(record_type, principal, field.attname)
    return Q(Exists(target.all_objects.filter(pk=OuterRef(field.attname)).filter(_condition(target, principal))))


def _holders(record_type: str, principal: Principal, column: str) -> Q:
    """The ``record_type`` record whose key is in the row's ``column`` is in one of the principal's
    compartments, or under an open break-glass grant of theirs."""
    in_compartments = _compartment_rows(principal).filter(record_type=record_type, record_id=OuterRef(column))
    granted = _open_grants(principal).filter(record_type=record_type, record_id=OuterRef(column))
    return Q(Exists(in_compartments)) | Q(Exists(granted))


def _compartment_rows(principal: Principal) -> QuerySet:
    """The placements of records in the principal's compartments (``RecordCompartment``)."""
    mine = Membership.objects.filter(user_id=principal.user_id).values("compartment_id")
    return RecordCompartment.objects.filter(compartment_id__in=mine)


def _open_grants(principal: Principal) -> QuerySet:
    """The principal's break-glass grants that are open now."""
    return BreakGlass.objects.filter(user_id=principal.user_id, closed_at__isnull=True, expires_at__gt=timezone.now())


def out_of_reach(wanted: dict[str, set], principal: Principal) -> dict[str, set]:
    """Of the keys of each record type in ``wanted`` (sources, events, persons), those the principal
    may not see: what ``visible`` would refuse of a row that names them, asked once per key.

    Why: ``visible`` probes the compartment tables once per row, so the acts and passages of a case
    about one camp (thousands, hanging off one event and a few hundred sources) cost thousands of
    correlated probes. A caller that knows which keys its rows name (``anchor_paths``; the case
    matrix keeps them per link, ``kirok.cases.reach``) asks here once for all of them, by the very
    condition ``visible`` uses (compartments and open break-glass grants); a row is then refused
    when a key it names is out of reach (a null key names nothing and refuses nothing, as in
    ``_condition``). Without ``read_records`` every key is out of reach; the console operator
    reaches all of them."""
    if principal.operator:
        return {record_type: set() for record_type in wanted}
    if not principal.can("read_records"):
        return {record_type: set(keys) for record_type, keys in wanted.items()}
    held = _held(wanted, principal)
    return {record_type: set(keys) - held.get(record_type, set()) for record_type, keys in wanted.items()}


def anchor_paths(model: type[Model], prefix: str = "") -> list[tuple[str, str]]:
    """The lookups from a ``model`` row to the key of each source, event or person it hangs off
    (``_condition`` and ``_reaches`` flattened), with that record's type: e.g. a passage's
    ``("act__event_id", "event")``. A row is visible when every key these name is (``out_of_reach``)."""
    if issubclass(model, Child):
        field = model._meta.get_field(model.owner_field)
        return _field_paths(field, prefix)
    record_type = model.record_type
    if record_type in PUBLIC:
        return []
    if record_type in COMPARTMENTED:
        return [("pk", record_type)]  # only ever the queryset's own model: anchors below are reached by their key
    return [path for name in ANCHORS[record_type] for path in _field_paths(model._meta.get_field(name), prefix)]


def _field_paths(field, prefix: str) -> list[tuple[str, str]]:
    """``anchor_paths`` through one foreign key: a compartmented record by its key, a public one
    not at all, a record that hangs off others through its own anchors."""
    target = field.related_model
    if target.record_type in PUBLIC:
        return []
    if target.record_type in COMPARTMENTED:
        return [(f"{prefix}{field.attname}", target.record_type)]
    return anchor_paths(target, f"{prefix}{field.name}__")


def _held(wanted: dict[str, set], principal: Principal) -> dict[str, set]:
    """Of the keys of each record type in ``wanted`` (sources, events, persons), those the
    principal may see: ``_holders``' two conditions asked of the tables for all the keys at once
    rather than row by row — the compartment placements of those keys and the principal's open
    break-glass grants — in one query (each type's keys sent as one list: ``__among``)."""
    held: dict[str, set] = {}
    asked = [Q(record_type=record_type, record_id__among=keys) for record_type, keys in wanted.items() if keys]
    if not asked:
        return held
    which = reduce(operator.or_, asked)
    placed = _compartment_rows(principal).filter(which).values_list("record_type", "record_id")
    granted = _open_grants(principal).filter(which).order_by().values_list("record_type", "record_id")
    for record_type, key in placed.union(granted, all=True):
        held.setdefault(record_type, set()).add(key)
    return held


def visible_versions(queryset, principal: Principal):
    """History versions of the records the principal may see."""
    if principal.operator:
        return queryset
    condition = Q(pk__in=[])
    for record_type in ORDER:
        model = model_for(record_type)
        reachable = visible(model.all_objects.filter(uid=OuterRef("record_uid")), principal)
        condition |= Q(record_type=record_type) & Q(Exists(reachable))
    return queryset.filter(condition)


def get(record_type: str, ref: str, principal: Principal, *, deleted: bool = False):
    """One record by Kirok id or external id, if the principal may see it; else NotFound."""
    if record_type not in ORDER:
        raise NotFound(ref)
    model = model_for(record_type)
    manager = model.all_objects if deleted else model.objects
    uid = canonical_uuid(ref.strip())
    found = visible(manager.filter(**({"uid": uid} if uid else {"external_id": ref.strip()})), principal).first()
    if found is None:
        raise NotFound(_("no %(type)s %(ref)s") % {"type": record_type, "ref": ref})
    return found


def find(ref: str, principal: Principal, *, deleted: bool = True):
    """A record of any type by Kirok id or external id (``kirok history ID``); else NotFound."""
    for record_type in ORDER:
        try:
            return get(record_type, ref, principal, deleted=deleted)
        except NotFound:
            continue
    raise NotFound(_("no record %(ref)s") % {"ref": ref})


def check(record, principal: Principal) -> None:
    if not visible(type(record).all_objects.filter(pk=record.pk), principal).exists():
        raise NotFound(_("no %(type)s %(ref)s") % {"type": record.record_type, "ref": record.uid})


def require_write(record, principal: Principal) -> None:
    """A change to ``record``: the capability, and the record within reach (else NotFound)."""
    check(record, principal)
    principal.require("write_records")


def break_glass(record, principal: Principal, *, reason: str, minutes: int | None = None) -> BreakGlass:
    """Open one source, event or person outside the principal's compartments, for a while.

    The reason is required and kept; the grant ends by itself; the ledger hears of it.
    """
    principal.require("break_glass")
    if principal.operator:
        raise AccessDenied(_("the console operator reaches every record already; break-glass is for users"))
    if not reason.strip():
        raise ValueError(_("say why you need this record: break-glass access requires a reason"))
    if record.record_type not in COMPARTMENTED:
        raise ValueError(
            _("break-glass opens a source, an event or a person; %(type)s records follow what they hang off")
            % {"type": record.record_type}
        )
    default, longest = policy.break_glass_minutes()
    minutes = minutes or default
    if not 0 < minutes <= longest:
        raise ValueError(_("break-glass access lasts at most %(max)s minutes") % {"max": longest})
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlass.objects.create(
            user=principal.user, record_type=record.record_type, record_id=record.pk, record_uid=record.uid,
            reason=reason.strip(), opened_at=now, expires_at=now + timedelta(minutes=minutes),
        )
        signals.break_glass.send(BreakGlass, grant=grant)
    return grant


def close_break_glass(grant: BreakGlass) -> None:
    if grant.closed_at is None:
        grant.closed_at = timezone.now()
        grant.save(update_fields=["closed_at"])
