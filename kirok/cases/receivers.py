"""Keeping each link's copy of its target's source right (``ElementLink.source``).

A link copies the source of the act, passage or position it points to when it is written. When
that record's source is changed later (an edit, a revert, a re-import), the change arrives here
through ``changeset_closed``, inside the changeset's own transaction, so the copy can never
disagree with a committed record. An evidence item is written once and never changes source.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from kirok.records.registry import model_for

from .models import ElementLink
from .services import TARGET_TYPES


def refresh_link_sources(sender, changeset, **kwargs) -> None:
    """Rewrite the copied source of the links whose target this changeset wrote."""
    from kirok.records.models import Version

    if not ElementLink.all_objects.exists():
        return
    written = Version.objects.filter(changeset=changeset, record_type__in=TARGET_TYPES.values())
    types = set(written.values_list("record_type", flat=True).distinct())
    for name, record_type in TARGET_TYPES.items():
        if record_type not in types:
            continue
        model = model_for(record_type)
        targets = model._base_manager.filter(uid__in=written.filter(record_type=record_type).values("record_uid"))
        current = model._base_manager.filter(pk=OuterRef(f"{name}_id")).values("source_id")[:1]
        ElementLink.all_objects.filter(**{f"{name}_id__in": targets.values("pk")}).update(source_id=Subquery(current))
