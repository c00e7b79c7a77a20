"""Keeping each link's derived copies right: its target's source (``ElementLink.source``) and
what the target hangs off (``ElementLink.reach``, ``kirok.cases.reach``).

A link copies both when it is written. When a changeset later writes the target (an edit, a
revert, a re-import, a tombstone) or a record the target hangs off through (a passage's act, an
evidence item's source), the change arrives here through ``changeset_closed``, inside the
changeset's own transaction, so the copies can never disagree with a committed record. An
evidence item is written once and never changes source.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from kirok.records.registry import model_for

from . import reach
from .models import ElementLink
from .services import TARGET_TYPES

# Targets whose reach depends on another record they point to: (kind of target, its field, record type).
THROUGH = (("information", "act", "act"), ("item", "source", "source"))


def refresh_links(sender, changeset, **kwargs) -> None:
    """Rewrite the copied source and reach of the links whose target (or what it hangs off through)
    this changeset wrote."""
    from kirok.records.models import Version

    if not ElementLink.all_objects.exists():
        return
    written = Version.objects.filter(changeset=changeset)
    types = set(written.values_list("record_type", flat=True).distinct())
    for name, record_type in TARGET_TYPES.items():
        if record_type not in types:
            continue
        model = model_for(record_type)
        targets = model._base_manager.filter(uid__in=written.filter(record_type=record_type).values("record_uid"))
        current = model._base_manager.filter(pk=OuterRef(f"{name}_id")).values("source_id")[:1]
        ElementLink.all_objects.filter(**{f"{name}_id__in": targets.values("pk")}).update(source_id=Subquery(current))
        reach.refresh(name, targets.values("pk"))
    for name, field, record_type in THROUGH:
        if record_type not in types:
            continue
        through = model_for(record_type)._base_manager.filter(uid__in=written.filter(record_type=record_type).values("record_uid"))
        target = ElementLink._meta.get_field(name).related_model._base_manager
        reach.refresh(name, target.filter(**{f"{field}__in": through.values("pk")}).values("pk"))
