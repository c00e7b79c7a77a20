"""Consent withdrawal destroys what it covered — in rows, history, index and file — and keeps
only the reason and the hashes; every digest still verifies."""

from __future__ import annotations

import pytest

from kirok.protection.models import BlindToken, Purge
from kirok.protection.principal import AccessDenied, Principal
from kirok.protection.purge import PurgeError, withdraw
from kirok.protection.reveal import DESTROYED, MASK
from kirok.protection.sealing import envelopes
from kirok.protection.signals import purged
from kirok.records import history
from kirok.records.models import Act, Information, Person, Source, Version
from kirok.records.services import get_record

pytestmark = pytest.mark.django_db


def ciphertexts(queryset_data) -> list[str]:
    return [e["ct"] for data in queryset_data for _, e in envelopes(data) if "ct" in e]


def test_withdrawal_destroys_the_testimony_and_the_witness_and_keeps_the_digests(world):
    source = Source.objects.get(external_id=world.north.ext("source"))
    witness = Person.objects.get(external_id=world.north.ext("witness"))
    act = Act.objects.get(external_id=world.north.ext("act"))
    info = Information.objects.get(external_id=world.north.ext("info"))
    records = [source, witness, act, info]
    before = {(v.record_type, v.record_uid, v.pk): v.digest for r in records for v in history.versions(r)}
    doomed = ciphertexts(v.data for r in records for v in history.versions(r))
    assert doomed
    heard = []
    purged.connect(lambda sender, purge, **kw: heard.append(purge), weak=False, dispatch_uid="t-p")
    try:
        with pytest.raises(AccessDenied):
            withdraw(source, principal=Principal.of(world.users["analyst"]), reason="witness asked")
        with pytest.raises(PurgeError):
            withdraw(source, principal=Principal.of(world.users["data_steward"]), reason=" ")
        purge = withdraw(source, principal=Principal.of(world.users["data_steward"]), reason="witness asked on 2024-06-01")
    finally:
        purged.disconnect(dispatch_uid="t-p")
    assert heard == [purge] and Purge.objects.get() == purge
    assert purge.counts["person"] == 3 and purge.counts["source"] == 2  # names ×2 + birth date; transcript + description
    assert purge.counts["act"] == 1 and purge.counts["information"] == 1
    kept = {tuple(c[:3]) for c in purge.commitments}
    assert ("person", str(witness.uid), "birth_date") in kept and ("source", str(source.uid), "transcript") in kept
    for v in Version.objects.all():
        assert history.digest_of_version(v) == v.digest
        key = (v.record_type, v.record_uid, v.pk)
        if key in before:
            assert before[key] == v.digest
    remaining = ciphertexts(Version.objects.values_list("data", flat=True))
    assert not set(doomed) & set(remaining)
    assert not BlindToken.objects.filter(record_type="person", record_id=witness.pk).exists()
    steward = world.users["data_steward"]
    shown = get_record("person", str(witness.uid), user=steward, purpose="after purge")
    assert shown["birth_date"] == str(DESTROYED) and {n["full_name"] for n in shown["names"]} == {str(DESTROYED)}
    assert get_record("person", str(witness.uid), user=world.users["reviewer"], purpose="after purge")["birth_date"] == str(MASK)
    # The victim was not named by this source's provenance: untouched.
    victim = get_record("person", world.north.ext("victim"), user=steward, purpose="after purge")
    assert victim["names"][0]["full_name"] == world.north.canaries["victim_name"]
    # The other compartment's testimony is untouched.
    assert get_record("source", world.south.ext("source"), user=Principal.console("t"), purpose="t")["transcript"] == world.south.canaries["transcript"]
    # The consent entry that says so is a version like any other.
    assert history.versions(source).last().changeset.kind == "consent_withdrawal"


def test_a_witness_with_another_consenting_testimony_keeps_their_name(world):
    from kirok.protection.compartments import assigning
    from kirok.records.importing import Stream, import_streams

    with assigning(["north"]):
        import_streams([Stream("second", "source", [(1, {
            "external_id": "t:north:source2", "title": "second interview", "witness": world.north.ext("witness"),
            "consents": [{"scopes": ["internal"]}],
        })], 1, "jsonl")], actor="test")
    source = Source.objects.get(external_id=world.north.ext("source"))
    purge = withdraw(source, principal=Principal.console("test"), reason="first testimony withdrawn")
    witness = get_record("person", world.north.ext("witness"), user=Principal.console("t"), purpose="t")
    assert witness["birth_date"] == world.north.canaries["birth_date"]
    assert any("another of their sources" in r for r in purge.remains)

