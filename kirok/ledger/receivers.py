"""What other apps announce, logged inside the transaction that writes it.

Connected in ``LedgerConfig.ready``. A receiver that raises undoes the write it was told about:
nothing is committed unlogged.
"""

from __future__ import annotations

from . import services, verifier


def log_changeset(sender, changeset, **kwargs) -> None:
    """One entry per changeset: the tree head over its versions' digests, in version-id order,
    read in one streamed query (measured: 4 s for an import of 2.3 million versions)."""
    from kirok.records.models import Version

    if not Version.objects.filter(changeset=changeset).exists():
        return
    services.append("changeset", f"changeset:{changeset.pk}", verifier.root_of_digests(services.version_digests(changeset.pk)))


def log_custody(sender, event, **kwargs) -> None:
    services.append("custody", f"custody:{event.pk}", event.digest)


def log_audit(kind: str, argument: str):
    """A receiver for one of witness protection's signals, whose audit row comes as ``argument``:
    it logs the row's digest, never a value."""

    def receiver(sender, **kwargs) -> None:
        row = kwargs[argument]
        services.append(kind, f"{kind}:{row.pk}", row.row_digest)

    return receiver


def log_consent(sender, consent, **kwargs) -> None:
    from kirok.protection.consents import digest

    services.append("consent", f"consent:{consent.pk}", digest(consent))


def log_imported_withdrawals(sender, changeset, **kwargs) -> None:
    """Withdrawals that arrived in bulk (an import writes without Django's save signals) are logged
    when their changeset closes, so that every withdrawal has its entry."""
    from kirok.protection.consents import digest
    from kirok.records.models import Consent, Source, Version

    sources = Source.all_objects.filter(
        uid__in=Version.objects.filter(changeset=changeset, record_type="source").values("record_uid")
    ).values("pk")
    found = {f"consent:{c.pk}": c for c in Consent.objects.filter(withdrawn=True, source_id__in=sources).select_related("source")}
    if not found:
        return
    from .models import Entry

    logged = set(Entry.objects.filter(kind="consent", subject__in=list(found)).values_list("subject", flat=True))
    services.append_many(("consent", subject, digest(c)) for subject, c in sorted(found.items()) if subject not in logged)
