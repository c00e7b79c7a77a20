"""What the UPR commits to the ledger, as kinds ``kirok ledger verify`` recomputes.

``upr-link`` (an evidence link made), ``upr-unlink`` (a link closed: who, when, why),
``upr-assessment`` (a status assessed) and ``upr-revision`` (a submission's text saved). Each
digest is the SHA-256 of the row's canonical JSON over fields that never change once written
(``kirok.upr.models``); nothing protected is in them: links name records by id only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kirok.ledger import services
from kirok.ledger.kinds import Kind


def _model(name: str):
    from . import models

    return getattr(models, name)


def _kind(kind: str, model_name: str, digest: str, logged: dict | None = None) -> Kind:
    def recompute(subjects: Sequence[str]) -> dict:
        wanted = {}
        for subject in subjects:
            head, _sep, number = subject.partition(":")
            if head == kind and number.isdigit():
                wanted[int(number)] = subject
        rows = _model(model_name).objects.filter(pk__in=list(wanted), **(logged or {}))
        return {wanted[row.pk]: getattr(row, digest) for row in rows}

    def must_log() -> Iterable[str]:
        rows = _model(model_name).objects.filter(**(logged or {})).order_by("pk").values_list("pk", flat=True)
        return (f"{kind}:{pk}" for pk in rows.iterator())

    return Kind(kind, recompute, must_log)


KINDS = (
    _kind("upr-link", "EvidenceLink", "row_digest"),
    _kind("upr-unlink", "EvidenceLink", "close_digest", {"closed_at__isnull": False}),
    _kind("upr-assessment", "Assessment", "row_digest"),
    _kind("upr-revision", "Revision", "row_digest"),
)


def log(kind: str, row, digest: str = "row_digest") -> None:
    """Append the row's entry; call inside the transaction that wrote it."""
    services.append(kind, f"{kind}:{row.pk}", getattr(row, digest))
