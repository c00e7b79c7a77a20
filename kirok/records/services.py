"""What the web pages, the API and the CLI all call to read and change the record."""

from __future__ import annotations

from django.db.models import Count, F

from kirok.records import history
from kirok.records.models import Act
from kirok.records.models.base import Record
from kirok.records.registry import ORDER, model_for


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


def delete_record(record: Record, *, user=None, reason: str) -> None:
    """Tombstone a record. A reason is required: the history must say why."""
    if not reason.strip():
        raise ValueError("say why the record is deleted")
    with history.changeset(user=user, reason=reason, kind="delete"):
        record.delete()


def restore_record(record: Record, *, user=None, reason: str) -> Record:
    return history.restore(record, user=user, reason=reason)




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
