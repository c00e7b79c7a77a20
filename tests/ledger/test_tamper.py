"""Tamper evidence: any change behind Kirok's back is found by `verify`, which names it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kirok.ledger import services
from kirok.ledger.models import Checkpoint, Entry, Node
from kirok.ledger.tree import stored_index
from kirok.records.models import Changeset, Person, Version

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(workspace, person_edits):
    """Three changesets of a person (plus one of another), a checkpoint, more edits, another."""
    from kirok.records import history

    services.checkpoint()
    with history.changeset(actor="documenter", reason="second witness"):
        Person.objects.create(remarks="fictional B")
    with history.changeset(actor="documenter", reason="remark"):
        person_edits.remarks = "fictional, corrected"
        person_edits.save()
    services.checkpoint()
    assert services.verify().ok
    return person_edits


def _problem() -> str:
    report = services.verify()
    assert not report.ok, "the change went unnoticed"
    return str(report.problem)


def _flip_hex(text: str, at: int = 10) -> str:
    return text[:at] + ("0" if text[at] != "0" else "1") + text[at + 1:]


def _flip(raw, at: int = 5) -> bytes:
    raw = bytearray(bytes(raw))
    raw[at] ^= 0x01
    return bytes(raw)


def test_one_changed_byte_of_a_versions_data_is_named(ledger):
    version = Version.objects.filter(record_uid=ledger.uid).order_by("id")[1]
    data = dict(version.data)
    data["occupation"] = "minor"  # one byte: e → o
    Version.objects.filter(pk=version.pk).update(data=data)
    assert _problem().startswith(f"version {version.pk} (person {ledger.uid}, changeset {version.changeset_id})")


def test_a_changed_version_digest_is_named(ledger):
    version = Version.objects.order_by("id").first()
    Version.objects.filter(pk=version.pk).update(digest=_flip_hex(version.digest))
    assert _problem().startswith(f"version {version.pk} ")


def test_a_removed_version_is_found_by_its_changesets_entry(ledger):
    version = Version.objects.filter(record_uid=ledger.uid).order_by("id").last()
    entry = Entry.objects.get(subject=f"changeset:{version.changeset_id}")
    Version.objects.filter(pk=version.pk).delete()
    assert _problem().startswith(f"entry {entry.index} (changeset:{version.changeset_id}): expected changeset:")


def test_a_version_added_to_a_logged_changeset_is_found(ledger):
    version = Version.objects.order_by("id").first()
    entry = Entry.objects.get(subject=f"changeset:{version.changeset_id}")
    Version.objects.create(changeset_id=version.changeset_id, record_type=version.record_type, record_uid=version.record_uid,
                           action="update", data=version.data, digest=version.digest)
    problem = _problem()
    assert problem.startswith(f"entry {entry.index} (changeset:{version.changeset_id}): expected digest ")
    assert "recomputed from changeset:" in problem


def test_a_changeset_written_without_its_entry_is_found(ledger):
    cs = Changeset.objects.create(actor="intruder", reason="unlogged")
    Version.objects.create(changeset=cs, record_type="person", record_uid=ledger.uid, action="update", data={}, digest="0" * 64)
    # its version is consistent with its data, so only the missing entry can tell
    Version.objects.filter(changeset=cs).update(digest=__import__("kirok.records.history", fromlist=["x"]).digest({}))
    assert _problem().startswith(f"changeset:{cs.pk}: expected an entry in the ledger, found none")


def test_a_changed_entry_digest_is_named(ledger):
    entry = Entry.objects.get(index=2)
    Entry.objects.filter(index=2).update(digest=_flip_hex(entry.digest))
    assert _problem().startswith(f"entry 2 ({entry.subject}): expected digest {entry.digest}")


def test_a_changed_entry_time_is_named(ledger):
    entry = Entry.objects.get(index=1)
    Entry.objects.filter(index=1).update(time=entry.time.replace(microsecond=(entry.time.microsecond + 1) % 1000000))
    assert _problem().startswith(f"entry 1 ({entry.subject}): expected leaf hash ")


def test_a_changed_leaf_hash_is_named(ledger):
    entry = Entry.objects.get(index=3)
    Entry.objects.filter(index=3).update(leaf_hash=_flip(entry.leaf_hash))
    assert _problem().startswith(f"entry 3 ({entry.subject}): expected leaf hash {bytes(entry.leaf_hash).hex()}")


def test_a_removed_entry_is_named(ledger):
    Entry.objects.filter(index=2).delete()
    assert _problem().startswith("entry 2: expected an entry, found none: the next entry is 3")


def test_a_changed_stored_node_is_named(ledger):
    sid = stored_index(1, 1)
    node = Node.objects.get(id=sid)
    Node.objects.filter(id=sid).update(hash=_flip(node.hash))
    assert _problem().startswith(f"node level 1 index 1 (entries 2–3, stored as {sid}): expected hash")


def test_a_changed_checkpoint_root_is_named(ledger):
    cp = Checkpoint.objects.order_by("id").first()
    Checkpoint.objects.filter(pk=cp.pk).update(root=_flip(cp.root))
    assert _problem().startswith(f"checkpoint {cp.pk} (size {cp.tree_size}, ")


def test_a_changed_checkpoint_signature_is_named(ledger):
    cp = Checkpoint.objects.order_by("id").last()
    Checkpoint.objects.filter(pk=cp.pk).update(signature=_flip(cp.signature, 40))
    problem = _problem()
    assert problem.startswith(f"checkpoint {cp.pk} (size {cp.tree_size}, ") and "a valid signature by kirok-" in problem


def test_checking_the_log_only_misses_changed_versions_but_not_a_changed_log(ledger):
    version = Version.objects.order_by("id").first()
    Version.objects.filter(pk=version.pk).update(digest=_flip_hex(version.digest))
    assert services.verify(subjects=False).ok
    node = Node.objects.order_by("id").first()
    Node.objects.filter(id=node.id).update(hash=_flip(node.hash))
    assert str(services.verify(subjects=False).problem).startswith("node level 1 index 0 ")


def test_the_verify_command_exits_non_zero_and_names_the_problem(ledger):
    entry = Entry.objects.get(index=2)
    Entry.objects.filter(index=2).update(digest=_flip_hex(entry.digest))
    with pytest.raises(CommandError, match=r"ledger verification FAILED after 2 of 6 entries: entry 2 \(changeset:"):
        call_command("ledger", "verify", "--no-progress")


TARGETS = {
    "entry.digest": (Entry, "index", "digest"), "entry.subject": (Entry, "index", "subject"),
    "entry.leaf_hash": (Entry, "index", "leaf_hash"), "entry.kind": (Entry, "index", "kind"), "node.hash": (Node, "id", "hash"),
    "checkpoint.root": (Checkpoint, "id", "root"), "checkpoint.signature": (Checkpoint, "id", "signature"),
    "version.digest": (Version, "id", "digest"),
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(TARGETS)), st.data())
def test_any_flipped_byte_of_the_ledger_or_a_version_is_found(ledger, target, data):
    model, key, field = TARGETS[target]
    rows = list(model.objects.order_by(key).values_list(key, field))
    pk, value = data.draw(st.sampled_from(rows))
    raw = bytearray(value.encode() if isinstance(value, str) else bytes(value))
    at = data.draw(st.integers(0, len(raw) - 1))
    raw[at] ^= data.draw(st.integers(1, 127))
    changed = raw.decode("latin-1") if isinstance(value, str) else bytes(raw)
    if isinstance(value, str) and ("\x00" in changed):
        changed = changed.replace("\x00", "\x01")  # PostgreSQL text cannot hold NUL
    with transaction.atomic():
        model.objects.filter(**{key: pk}).update(**{field: changed})
        report = services.verify()
        transaction.set_rollback(True)
    assert not report.ok, f"{target} of {pk} changed at byte {at} went unnoticed"
