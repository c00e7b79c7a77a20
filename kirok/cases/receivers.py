"""Keeping what is derived from the links right: each link's copy of its target's source
(``ElementLink.source``) and of what the target hangs off (``ElementLink.reach``,
``kirok.cases.reach``), and each case's counts of its links (``kirok.cases.tallies``).

A link copies source and reach when it is written. When a changeset later writes the target (an
edit, a revert, a re-import, a tombstone) or a record the target hangs off through (a passage's
act, an evidence item's source), the change arrives here through ``changeset_closed``, inside the
changeset's own transaction, so the copies can never disagree with a committed record. Then the
cases whose links this changeset wrote, or whose links' copies it may have changed, are counted
again. An evidence item is written once and never changes source.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from kirok.records.registry import model_for

from . import reach, tallies
from .models import ElementLink
from .services import TARGET_TYPES
from .versioning import CaseVersion

# Targets whose reach depends on another record they point to: (kind of target, its field, record type).
THROUGH = (("information", "act", "act"), ("item", "source", "source"))


def on_changeset(sender, changeset, **kwargs) -> None:
    """Rewrite the copies of the links this changeset's records touch, then recount their cases."""
    if not ElementLink.all_objects.exists():
        return
    written = CaseVersion.objects.filter(changeset=changeset, record_type=ElementLink.record_type).values("record_uid")
    cases = set(ElementLink.all_objects.filter(uid__in=written).values_list("case_id", flat=True).distinct())
    tallies.recount(cases | refresh_links(changeset))


def refresh_links(changeset) -> set[int]:
    """Rewrite the copied source and reach of the links whose target (or what it hangs off through)
    this changeset wrote; returns the cases of those links."""
    from kirok.records.models import Version

    written = Version.objects.filter(changeset=changeset)
    types = set(written.values_list("record_type", flat=True).distinct())
    cases: set[int] = set()

    def touched(links: QuerySet) -> None:
        cases.update(links.order_by().values_list("case_id", flat=True).distinct())

    for name, record_type in TARGET_TYPES.items():
        if record_type not in types:
            continue
        model = model_for(record_type)
        targets = model._base_manager.filter(uid__in=written.filter(record_type=record_type).values("record_uid"))
        current = model._base_manager.filter(pk=OuterRef(f"{name}_id")).values("source_id")[:1]
        links = ElementLink.all_objects.filter(**{f"{name}_id__in": targets.values("pk")})
        touched(links)
        links.update(source_id=Subquery(current))
        reach.refresh(name, targets.values("pk"))
    for name, field, record_type in THROUGH:
        if record_type not in types:
            continue
        through = model_for(record_type)._base_manager.filter(uid__in=written.filter(record_type=record_type).values("record_uid"))
        target = ElementLink._meta.get_field(name).related_model._base_manager
        targets = target.filter(**{f"{field}__in": through.values("pk")}).values("pk")
        touched(ElementLink.all_objects.filter(**{f"{name}_id__in": targets}))
        reach.refresh(name, targets)
    return cases
