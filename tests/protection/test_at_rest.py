"""Protected values are never plaintext at rest: not in the rows, not in the history, not in the
file; digests cover commitments only, so rotation and purge leave them intact."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given, strategies as st

from kirok.protection.envelope import Unopenable, aad, open_value, seal
from kirok.protection.principal import Principal
from kirok.records import history
from kirok.records.exchange import ROW, SEALED, canonical_json, commitments_only, to_dict
from kirok.records.models import Act, Person, PersonName, Source, Version
from kirok.records.services import get_record

pytestmark = pytest.mark.django_db


def test_no_canary_in_any_row_or_version(world):
    with connection.cursor() as cur:
        tables = connection.introspection.table_names(cur)
        for table in tables:
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            text = repr(cur.fetchall())
            for canary in world.canaries:
                assert canary not in text, f"{canary!r} is stored in {table}"


def test_the_version_holds_envelopes_and_its_digest_covers_only_commitments(world):
    witness = Person.objects.get(external_id=world.north.ext("witness"))
    (version,) = history.versions(witness)
    names = version.data["names"]
    assert all("full_name" not in n and n[SEALED]["names"] == ["full_name"] for n in names)  # a name row, sealed whole
    envelope = version.data["birth_date"][SEALED]
    assert set(envelope) == {"commit", "kid", "ct"}
    redacted = commitments_only(version.data)
    assert redacted["birth_date"] == {SEALED: {"commit": envelope["commit"]}}
    assert version.digest == history.digest_of_version(version) == history.digest(redacted)
    import hashlib

    assert version.digest == hashlib.sha256(canonical_json(redacted)).hexdigest()  # an outsider's computation


def test_a_ciphertext_moved_to_another_record_does_not_open(world):
    witness = Person.objects.get(external_id=world.north.ext("witness"))
    victim = Person.objects.get(external_id=world.north.ext("victim"))
    stolen = witness.sealed["birth_date"]
    assert open_value(stolen, aad("records_person", "birth_date", str(witness.uid))) == world.north.canaries["birth_date"]
    with pytest.raises(Unopenable):
        open_value(stolen, aad("records_person", "birth_date", str(victim.uid)))
    with pytest.raises(Unopenable):
        open_value(stolen, aad("records_person", "death_date", str(witness.uid)))
    forged = dict(stolen, commit="0" * 64)
    with pytest.raises(Unopenable):
        open_value(forged, aad("records_person", "birth_date", str(witness.uid)))


def test_each_sealing_has_its_own_salt(world):
    where = aad("records_personname", "full_name", "x")
    a, b = seal("김철", where), seal("김철", where)
    assert a["commit"] != b["commit"] and a["ct"] != b["ct"]


def test_a_django_save_seals_and_an_unchanged_save_keeps_the_envelope(world):
    victim = Person.objects.get(external_id=world.north.ext("victim"))
    operator = Principal.console("test")
    with history.changeset(actor="test", reason="name added by a later interview"):
        PersonName.objects.create(person=victim, full_name="새이름", script="Hang")
    stored = victim.names.order_by("id").last()
    assert stored.full_name == "" and set(stored.sealed) == {ROW} and stored.sealed[ROW]["names"] == ["full_name"]
    before = history.versions(victim).count()
    with history.changeset(actor="test", reason="opened and saved"):
        stored.full_name = "새이름"  # typed again, the same
        stored.save()
        victim.save()
    assert history.versions(victim).count() == before
    revealed = get_record("person", str(victim.uid), user=operator, purpose="test")
    assert "새이름" in [n["full_name"] for n in revealed["names"]]


def test_revert_brings_back_a_sealed_value(world):
    victim = Person.objects.get(external_id=world.north.ext("victim"))
    first = history.versions(victim).first()
    with history.changeset(actor="test", reason="wrong edit"):
        name = victim.names.get()
        name.full_name = "박영수"
        name.save()
    history.revert(victim, first, reason="undo wrong edit")
    data = get_record("person", str(victim.uid), user=Principal.console("test"), purpose="test")
    assert data["names"][0]["full_name"] == world.north.canaries["victim_name"]
    assert history.versions(victim).last().digest == first.digest


def test_reimporting_the_same_plaintext_adds_no_version(world):
    from tests.protection.conftest import rows

    from kirok.protection.compartments import assigning
    from kirok.records.importing import import_streams

    versions = Version.objects.count()
    with assigning(["north"]):
        report = import_streams(rows(world.north), actor="test", reason="same file again")
    assert report.created == 0 and report.updated == 0
    assert Version.objects.count() == versions


def test_translations_of_a_protected_field_are_sealed_too(world):
    source = Source.objects.get(external_id=world.north.ext("source"))
    with history.changeset(actor="test", reason="translated"):
        source.translations = {"transcript": {"en": "CANARY-TRANSLATION"}}
        source.save()
    stored = Source.objects.get(pk=source.pk)
    assert "CANARY-TRANSLATION" not in repr(stored.translations)
    assert "CANARY-TRANSLATION" not in repr(history.versions(source).last().data)
    revealed = get_record("source", str(source.uid), user=Principal.console("test"), purpose="test")
    assert revealed["translations"]["transcript"]["en"] == "CANARY-TRANSLATION"


def test_the_exchange_form_of_a_record_shows_envelopes_never_plaintext(world):
    act = Act.objects.get(external_id=world.north.ext("act"))
    data = to_dict(act)
    assert set(data["exact_location"]) == {SEALED}
    assert act.exact_location == ""


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
_envelope = st.fixed_dictionaries(
    {"commit": st.text("0123456789abcdef", min_size=64, max_size=64), "kid": st.just("dk-00000000"), "ct": st.text("ABCxyz+/=", max_size=30)},
    optional={"names": st.lists(_text, max_size=3)},
)
_value = st.recursive(
    st.one_of(_text, st.integers(-(2**53), 2**53), st.booleans(), st.none(), _envelope.map(lambda e: {SEALED: e})),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_text, inner, max_size=3)),
    max_leaves=12,
)


@given(st.dictionaries(_text, _value, max_size=6))
def test_the_importers_fast_digest_is_the_history_digest(data):
    """The writer hashes canonical bytes with ciphertexts cut out; it must equal the one
    definition, ``history.digest``, whatever text the values hold (quotes, '"ct":' …)."""
    from kirok.records.importing.writer import _digest

    assert _digest(canonical_json(data)) == history.digest(data)
