"""The consent gate: what leaves, for whom, under which scope, and the record of it."""

from __future__ import annotations

import hashlib

import orjson
import pytest

from kirok.accounts.roles import user_can
from kirok.protection.gate import Gate, manifest_digest
from kirok.protection.models import DisclosedRecord, Disclosure, ProtectedRead
from kirok.protection.principal import AccessDenied, Principal
from kirok.protection.pseudonyms import is_pseudonym, pseudonym
from kirok.protection.signals import disclosed, protected_read
from kirok.records import history
from kirok.records.exporting import export_all
from kirok.records.models import Act, Consent, Person, Source

from .conftest import ROLES

pytestmark = pytest.mark.django_db


def lines(folder, record_type):
    return [orjson.loads(line) for line in (folder / f"{record_type}.jsonl").read_bytes().splitlines()]


@pytest.mark.parametrize("role", ROLES)
def test_export_as_every_role(world, role, tmp_path):
    user = world.users[role]
    if not user_can(user, "export"):
        with pytest.raises(AccessDenied):
            export_all(tmp_path / "out", principal=Principal.of(user))
        assert not (tmp_path / "out").exists()
        return
    assert role in ("data_steward", "analyst")
    result = export_all(tmp_path / "out", principal=Principal.of(user))
    text = b"".join(p.read_bytes() for p in (tmp_path / "out").iterdir()).decode()
    assert ":south:" not in text and not any(c in text for c in world.south.canaries.values())
    shows = user_can(user, "see_protected")
    assert all((c in text) == shows for c in world.north.canaries.values())
    assert "$protected" not in text and '"ct"' not in text
    assert result.disclosure.counts["person"] == 2


def test_a_scope_the_consent_does_not_cover_holds_the_testimony_back(world, tmp_path):
    operator = Principal.console("test")
    result = export_all(tmp_path / "prosecutors", scope="prosecutors", principal=operator)
    assert lines(tmp_path / "prosecutors", "source") == []
    assert lines(tmp_path / "prosecutors", "information") == []
    assert result.withheld["source"] == 2 and result.withheld["information"] == 2
    # The witness came from the testimony: held back too. The victim has no source: it leaves,
    # as a pseudonym without names.
    persons = lines(tmp_path / "prosecutors", "person")
    assert len(persons) == 2 and all(is_pseudonym(p["id"]) and "external_id" not in p for p in persons)
    assert not any(c in repr(persons) for c in world.canaries)
    un = export_all(tmp_path / "un", scope="un", principal=operator)
    assert len(lines(tmp_path / "un", "source")) == 2 and "source" not in un.withheld


def test_pseudonyms_are_stable_across_exports_and_link_references(world, tmp_path):
    operator = Principal.console("test")
    export_all(tmp_path / "a", scope="un", principal=operator)
    export_all(tmp_path / "b", scope="un", principal=operator, purpose="second request")
    assert (tmp_path / "a" / "person.jsonl").read_bytes() == (tmp_path / "b" / "person.jsonl").read_bytes()
    victim = Person.objects.get(external_id=world.north.ext("victim"))
    act = next(a for a in lines(tmp_path / "a", "act") if a["victim"] == pseudonym(str(victim.uid)))
    assert pseudonym(str(victim.uid)) in {p["id"] for p in lines(tmp_path / "a", "person")}
    assert "exact_location" in act and act["exact_location"] != world.north.canaries["location"]
    source = lines(tmp_path / "a", "source")[0]
    assert is_pseudonym(source["witness"])


def test_a_withdrawn_consent_bars_even_internal_use(world, tmp_path):
    source = Source.objects.get(external_id=world.north.ext("source"))
    with history.changeset(actor="test", reason="witness asked"):
        Consent.objects.create(source=source, scopes=[], withdrawn=True)
    result = export_all(tmp_path / "out", principal=Principal.console("test"))
    exported = {s["external_id"] for s in lines(tmp_path / "out", "source")}
    assert exported == {world.south.ext("source")} and result.withheld["source"] == 1


def test_the_latest_consent_entry_decides_and_a_scope_is_matched_whole(world):
    """``scopes__holds`` matches a list element exactly (no prefix, no substring, no key)."""
    source = Source.objects.get(external_id=world.north.ext("source"))
    gate = Gate(principal=Principal.console("test"), scope="un", destination="test")
    ids = lambda: set(gate.queryset("source", Source.objects.all()).values_list("external_id", flat=True))  # noqa: E731
    assert world.north.ext("source") in ids()
    with history.changeset(actor="test", reason="narrowed"):
        Consent.objects.create(source=source, scopes=["unofficial", "internal", "u"])
    assert world.north.ext("source") not in ids() and gate.dropped["source"] == 1
    with history.changeset(actor="test", reason="widened again"):
        Consent.objects.create(source=source, scopes=["internal", "un"])
    assert world.north.ext("source") in ids() and "source" not in gate.dropped
    assert Consent.objects.filter(source=source, scopes__holds="unofficial").count() == 1
    assert not Consent.objects.filter(scopes__holds="officia").exists()


def test_the_gate_carries_no_list_of_sources_into_its_queries(world):
    """Consent is asked of the database, not sent as ids: a query may carry at most 65,535
    parameters on PostgreSQL, and a workspace may hold more sources than that."""
    def parameters() -> int:
        gate = Gate(principal=Principal.console("test"), scope="un", destination="test")
        return len(gate.queryset("act", Act.objects.all()).query.sql_with_params()[1])

    before = parameters()
    with history.changeset(actor="test", reason="more sources"):
        for n in range(30):
            source = Source.objects.create(title=f"[FICTIONAL] source {n}")
            Consent.objects.create(source=source, scopes=["un"])
    assert parameters() == before


def test_the_disclosure_says_who_what_where_and_the_hash_of_what_left(world, tmp_path):
    steward = world.users["data_steward"]
    heard, reads = [], []
    disclosed.connect(lambda sender, disclosure, **kw: heard.append(disclosure), weak=False, dispatch_uid="t-d")
    protected_read.connect(lambda sender, read, **kw: reads.append(read), weak=False, dispatch_uid="t-r")
    try:
        result = export_all(tmp_path / "out", principal=Principal.of(steward), purpose="case 12 review")
    finally:
        disclosed.disconnect(dispatch_uid="t-d")
        protected_read.disconnect(dispatch_uid="t-r")
    disclosure = Disclosure.objects.get()
    assert heard == [disclosure] and disclosure == result.disclosure
    assert (disclosure.user, disclosure.scope, disclosure.purpose) == (steward, "internal", "case 12 review")
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "out").iterdir()}
    assert disclosure.files == files and disclosure.digest == manifest_digest(files)
    witness = Person.objects.get(external_id=world.north.ext("witness"))
    assert DisclosedRecord.objects.filter(disclosure=disclosure, record_uid=witness.uid).exists()
    assert not DisclosedRecord.objects.filter(record_uid=Person.objects.get(external_id=world.south.ext("witness")).uid).exists()
    person_read = ProtectedRead.objects.get(record_type="person")
    assert person_read.disclosure == disclosure and person_read.count == 2 and "names.full_name" in person_read.fields
    assert {r.record_type for r in reads} == {"source", "person", "act", "information"}


def test_audit_rows_are_written_once(world, tmp_path):
    export_all(tmp_path / "out", principal=Principal.console("test"))
    disclosure = Disclosure.objects.get()
    disclosure.purpose = "rewritten"
    with pytest.raises(PermissionError):
        disclosure.save()
    with pytest.raises(PermissionError):
        disclosure.delete()


def test_every_audit_row_has_a_digest_the_ledger_can_recompute(world, tmp_path):
    export_all(tmp_path / "out", principal=Principal.console("test"))
    disclosure = Disclosure.objects.get()
    again = Disclosure.objects.get(pk=disclosure.pk)
    assert len(disclosure.row_digest) == 64 and disclosure.row_digest == again.row_digest
    read = ProtectedRead.objects.first()
    assert read.row_digest == ProtectedRead.objects.get(pk=read.pk).row_digest != disclosure.row_digest
