"""Every protected read, disclosure, break-glass grant, purge and consent change is a ledger entry
whose digest is the audit row's (never a protected value), and `kirok ledger verify` recomputes
them: a purge still verifies, an audit row changed or written unlogged does not."""

from __future__ import annotations

import pytest

from kirok.ledger import services as ledger
from kirok.ledger.models import Entry
from kirok.protection import access, consents
from kirok.protection.models import BreakGlass, Disclosure, ProtectedRead, Purge
from kirok.protection.principal import Principal
from kirok.protection.purge import withdraw
from kirok.records.exporting import export_all
from kirok.records.models import Consent, Person, Source
from kirok.records.services import get_record

pytestmark = pytest.mark.django_db


def entries(kind: str) -> dict[str, str]:
    return dict(Entry.objects.filter(kind=kind).values_list("subject", "digest"))


def test_each_audit_row_is_logged_with_its_own_digest_and_verifies(world, tmp_path):
    steward, analyst = world.users["data_steward"], world.users["analyst"]
    get_record("person", world.north.ext("witness"), user=world.users["documenter"], purpose="interview follow-up")
    export_all(tmp_path / "out", principal=Principal.of(steward), purpose="internal review")
    grant = access.break_glass(Person.objects.get(external_id=world.south.ext("victim")), Principal.of(analyst),
                               reason="possible duplicate")
    source = Source.objects.get(external_id=world.north.ext("source"))
    purge = withdraw(source, principal=Principal.of(steward), reason="withdrawn by phone, form W-17")

    reads = entries("read")
    assert reads and {f"read:{r.pk}": r.row_digest for r in ProtectedRead.objects.all()} == reads
    disclosure = Disclosure.objects.get()
    assert entries("disclosure") == {f"disclosure:{disclosure.pk}": disclosure.row_digest}
    assert entries("break-glass") == {f"break-glass:{grant.pk}": grant.row_digest}
    assert entries("purge") == {f"purge:{purge.pk}": purge.row_digest}
    withdrawal = Consent.objects.get(source=source, withdrawn=True)
    assert entries("consent") == {f"consent:{withdrawal.pk}": consents.digest(withdrawal)}
    # The purge's entry commits to the reason and the commitments, and to nothing destroyed.
    assert purge.canonical()["reason"] == "withdrawn by phone, form W-17"
    ledger_text = repr(list(Entry.objects.values_list("subject", "digest")))
    assert not any(c in ledger_text for c in world.canaries)

    access.close_break_glass(grant)  # closing early narrows the grant; the logged digest holds
    report = ledger.verify()
    assert report.ok, report.problem
    assert {"read", "disclosure", "break-glass", "purge", "consent"} <= set(report.by_kind)


def test_a_changed_purge_reason_is_found(world):
    purge = withdraw(Source.objects.get(external_id=world.north.ext("source")), principal=Principal.console("t"),
                     reason="withdrawn")
    Purge.objects.filter(pk=purge.pk).update(reason="never happened")  # what an attacker with the database does
    problem = ledger.verify().problem
    assert problem is not None and f"purge:{purge.pk}" in str(problem)


def test_an_audit_row_written_without_its_entry_is_found(world):
    from django.utils import timezone

    steward = world.users["data_steward"]
    # bulk_create skips save() and the signal: a read that the ledger never heard of.
    ProtectedRead.objects.bulk_create([ProtectedRead(at=timezone.now(), user=steward, actor="x", purpose="p",
                                                     record_type="person", record_uids=[], fields=[], count=1)])
    problem = ledger.verify().problem
    assert problem is not None and str(problem).startswith(f"read:{ProtectedRead.objects.get().pk}")


def test_a_withdrawal_that_arrives_in_an_import_is_logged_with_its_changeset(world):
    from kirok.protection.compartments import assigning
    from kirok.records.importing import Stream, import_streams

    with assigning(["north"]):
        import_streams([Stream("w", "source", [(1, {
            "external_id": "t:north:withdrawn", "title": "withdrawn elsewhere",
            "consents": [{"scopes": ["internal"], "given_on": "2023-01-01"}, {"scopes": [], "withdrawn": True, "given_on": "2024-01-01"}],
        })], 1, "jsonl")], actor="test")
    withdrawn = Consent.objects.get(source__external_id="t:north:withdrawn", withdrawn=True)
    assert f"consent:{withdrawn.pk}" in entries("consent")
    report = ledger.verify()
    assert report.ok, report.problem


def test_a_break_glass_grant_row_that_is_widened_is_found(world):
    from datetime import timedelta

    grant = access.break_glass(Person.objects.get(external_id=world.south.ext("witness")),
                               Principal.of(world.users["analyst"]), reason="case 12", minutes=30)
    BreakGlass.objects.filter(pk=grant.pk).update(expires_at=grant.expires_at + timedelta(days=30))
    problem = ledger.verify().problem
    assert problem is not None and f"break-glass:{grant.pk}" in str(problem)
