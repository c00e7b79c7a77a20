"""What the web pages, the API and the CLI all call to read and change the record."""

from __future__ import annotations

from django.db.models import Count

from kirok.records import history
from kirok.records.models import Act, Event, Person, Source
from kirok.records.models.base import Record
from kirok.records.registry import ORDER, model_for


def workspace_counts() -> dict[str, int]:
    """Live records per type, for the landing page and `kirok status`."""
    return {t: model_for(t).objects.count() for t in ORDER}


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


__all__ = ["Act", "Event", "Person", "Source", "acts_by_type", "delete_record", "restore_record", "workspace_counts"]
