"""What each link's target hangs off, kept on the link, so that access is decided per anchor set.

A link may be counted for a reader only when the record it points to is within their reach
(``kirok.protection.access``): an act when its event and victim are, a passage when its source,
event, person and act (so the act's event and victim) are, a position when both persons are, an
evidence item when its source is (an item with no source is the console operator's alone); a
tombstoned target is counted for nobody, nor an item whose source is tombstoned.

Asking that of every linked record costs a read of every target per matrix (thousands for a camp).
Instead each link points to a ``Reach`` row: the sorted keys of the sources, events and persons
its target names and whether the target is gone. Links share these rows (a camp's thousands of
acts hang off a few hundred), so the matrix reads the reach ids in the same scan as its counts and
asks ``access.out_of_reach`` once for the keys of those few rows. The reach is derived, not
asserted: written by ``ElementLink.save``, rewritten by ``refresh`` when a changeset writes a
target or a record a target hangs off through (a passage's act; an item's source), and left out of
the link's versions (docs/cases.md, "Speed").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from kirok.protection import access
from kirok.protection.principal import Principal

from .models import ElementLink, Reach

UNSOURCED = "unsourced"  # the key of an evidence item without a source: held by the console operator alone
BATCH = 2000  # targets read, and links rewritten, per statement


def _target_model(name: str):
    return ElementLink._meta.get_field(name).related_model


def _paths(name: str) -> list[tuple[str, str]]:
    """The anchor lookups of a kind of target; an evidence item goes by its source."""
    if name == "item":
        return [("source_id", "source")]
    return access.anchor_paths(_target_model(name))


def _gone(name: str) -> Q:
    """A target counted for nobody: tombstoned, or for an item, its source tombstoned."""
    return Q(source__deleted_at__isnull=False) if name == "item" else Q(deleted_at__isnull=False)


def of_targets(name: str, pks: Iterable[int]) -> dict[int, tuple[str, bool]]:
    """{target key: (anchor keys as text, gone)} for these targets of one kind."""
    paths = _paths(name)
    manager = _target_model(name)._base_manager
    out: dict[int, tuple[str, bool]] = {}
    for chunk in _chunks(sorted(set(pks))):
        gone = set(manager.filter(_gone(name), pk__in=chunk).values_list("pk", flat=True))
        for pk, *keys in manager.filter(pk__in=chunk).values_list("pk", *(path for path, _type in paths)):
            named = sorted({f"{record_type}:{key}" for (_path, record_type), key in zip(paths, keys) if key is not None})
            if name == "item" and not named:
                named = [UNSOURCED]
            out[pk] = (" ".join(named), pk in gone)
    return out


def ids(found: Iterable[tuple[str, bool]]) -> dict[tuple[str, bool], int]:
    """The ``Reach`` row of each (keys, gone), made when missing (rows are shared, never removed)."""
    wanted = set(found)
    rows: dict[tuple[str, bool], int] = {}
    for attempt in range(2):
        for chunk in _chunks(sorted({keys for keys, _gone in wanted - set(rows)})):
            for keys, gone, pk in Reach.objects.filter(keys__in=chunk).values_list("keys", "gone", "pk"):
                rows[(keys, gone)] = pk
        missing = wanted - set(rows)
        if not missing or attempt:
            break
        Reach.objects.bulk_create([Reach(keys=keys, gone=gone) for keys, gone in missing], ignore_conflicts=True)
    return {pair: rows[pair] for pair in wanted}


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), BATCH):
        yield values[start:start + BATCH]


def refresh(name: str, targets: QuerySet) -> int:
    """Rewrite the reach of the links to these targets of one kind (a queryset of their keys; only
    those that have links are read); returns the number of links whose reach changed."""
    field = f"{name}_id"
    linked = ElementLink.all_objects.filter(**{f"{field}__in": targets}).order_by().values_list(field, flat=True).distinct()
    changed = 0
    for chunk in _chunks(sorted(linked)):
        found = of_targets(name, chunk)
        reach = ids(found.values())
        by_reach: dict[int, list[int]] = defaultdict(list)
        for pk, pair in found.items():
            by_reach[reach[pair]].append(pk)
        for reach_id, pks in by_reach.items():
            changed += ElementLink.all_objects.filter(**{f"{field}__in": pks}).exclude(reach_id=reach_id).update(reach_id=reach_id)
    return changed


def rows(reach_ids: Iterable[int]) -> dict[int, tuple[str, bool]]:
    """{reach id: (keys, gone)} of these ``Reach`` rows."""
    return {pk: (keys, gone) for pk, keys, gone in Reach.objects.filter(pk__among=set(reach_ids)).values_list("pk", "keys", "gone")}


def refused(found: dict[int, tuple[str, bool]], principal: Principal) -> set[int]:
    """Of these ``Reach`` rows ({id: (keys, gone)}, from ``rows`` or read with the links), those
    whose links the principal may not see: a key out of reach (``access.out_of_reach``, one
    probe per key for all rows together) or a gone target."""
    if not principal.operator and not principal.can("read_records"):
        return set(found)
    named = {pk: keys.split() for pk, (keys, _gone) in found.items()}
    wanted: dict[str, set] = defaultdict(set)
    for keys in named.values():
        for key in keys:
            if key != UNSOURCED:
                record_type, pk = key.split(":")
                wanted[record_type].add(int(pk))
    out = access.out_of_reach(wanted, principal)
    unsourced_refused = not principal.operator

    def refuses(keys: list[str]) -> bool:
        for key in keys:
            if key == UNSOURCED:
                if unsourced_refused:
                    return True
                continue
            record_type, pk = key.split(":")
            if int(pk) in out[record_type]:
                return True
        return False

    return {pk for pk, (_keys, gone) in found.items() if gone or refuses(named[pk])}
