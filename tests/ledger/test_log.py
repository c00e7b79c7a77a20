"""The log itself: appends, stored nodes, proofs from the database, and what is logged when."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.db import transaction

from kirok.ledger import services, verifier
from kirok.ledger.models import Entry, Head, Node
from kirok.records import history
from kirok.records.importing import import_files
from kirok.records.models import Changeset, Person, Version

from .memory import MemoryTree

pytestmark = pytest.mark.django_db


def _digest(i: int) -> str:
    return verifier._sha256(str(i).encode()).hexdigest()


def _append(n: int, start: int = 0) -> None:
    with transaction.atomic():
        services.append_many(("custody", f"custody:{i}", _digest(i)) for i in range(start, start + n))


def _memory() -> MemoryTree:
    return MemoryTree(e.encoded() for e in Entry.objects.order_by("index"))


@pytest.mark.django_db(transaction=True)
def test_an_append_outside_a_transaction_is_refused():
    with pytest.raises(services.NotInTransaction):
        services.append("custody", "custody:1", _digest(1))
    assert not Entry.objects.exists()


def test_entries_that_would_encode_ambiguously_are_refused():
    with transaction.atomic(), pytest.raises(ValueError, match="subject"):
        services.append("custody", "custody:1\ndigest 00", _digest(1))


@pytest.mark.parametrize("batches", [[1], [2, 1], [5, 3, 8], [1] * 13, [20, 1, 12]])
def test_stored_nodes_and_proofs_match_a_tree_built_in_memory(batches):
    start = 0
    for n in batches:
        _append(n, start)
        start += n
    tree = _memory()
    head = Head.objects.get()
    assert (head.size, bytes(head.root)) == (tree.size, verifier.root_of(tree.levels[0]))
    assert Node.objects.count() == tree.size - bin(tree.size).count("1")
    for size in range(1, tree.size + 1):
        root = services.root_at(size)
        assert root == verifier.root_of(tree.levels[0][:size])
        for index in range(size):
            path = services.inclusion_proof(index, size)
            verifier.verify_inclusion(index, size, tree.levels[0][index], path, root)
        for old in range(0, size + 1):
            verifier.verify_consistency(old, size, services.root_at(old), root, services.consistency_proof(old, size))
    assert services.inclusion_proof(0) == MemoryTree(e.encoded() for e in Entry.objects.order_by("index")).inclusion(0)


def test_proofs_refuse_positions_outside_the_log():
    _append(3)
    for call in (lambda: services.inclusion_proof(3), lambda: services.inclusion_proof(0, 4), lambda: services.consistency_proof(4)):
        with pytest.raises(ValueError):
            call()


def test_a_changeset_is_one_entry_committing_to_its_versions_in_id_order(person_edits):
    changesets = list(Changeset.objects.order_by("id"))
    entries = list(Entry.objects.order_by("index"))
    assert [(e.kind, e.subject) for e in entries] == [("changeset", f"changeset:{c.pk}") for c in changesets]
    for cs, entry in zip(changesets, entries):
        digests = Version.objects.filter(changeset=cs).order_by("id").values_list("digest", flat=True)
        assert entry.digest == verifier.root_of(verifier.leaf_hash(bytes.fromhex(d)) for d in digests).hex()
    assert services.verify().ok


def test_a_changeset_that_wrote_no_version_is_not_logged(person_edits):
    before = Entry.objects.count()
    with history.changeset(actor="documenter", reason="opened and saved"):
        person_edits.save()
    assert Entry.objects.count() == before


def test_a_failed_changeset_leaves_no_entry(db):
    with pytest.raises(RuntimeError), history.changeset(actor="documenter", reason="crash"):
        Person.objects.create(remarks="fictional")
        raise RuntimeError("crash")
    assert not Entry.objects.exists() and not Version.objects.exists()


def test_an_import_lands_in_the_ledger_as_one_entry_and_verifies(reference, tmp_path):
    path = tmp_path / "persons.csv"
    path.write_text("external_id,names,remarks\n" + "".join(f"t:p{i},이름{i},fictional\n" for i in range(50)), encoding="utf-8")
    report = import_files([path])
    entry = Entry.objects.get(subject=f"changeset:{report.changeset_id}")
    assert entry.kind == "changeset"
    versions = Version.objects.filter(changeset_id=report.changeset_id).order_by("id")
    assert versions.count() == 50
    assert entry.digest == verifier.root_of_digests(versions.values_list("digest", flat=True))
    assert services.verify().ok


def test_every_version_has_a_checkable_proof(workspace, person_edits):
    services.checkpoint()
    for version in Version.objects.all():
        doc = services.version_document(version.pk)
        said = verifier.verify_proof_document(doc, [k for k in doc["keys"]])
        assert said[-1].startswith(f"included: version {version.pk} ")


def test_a_custody_event_is_logged_with_its_digest_and_verified(db, workspace, tmp_path):
    from kirok.evidence import services as evidence
    from kirok.evidence.models import CustodyEvent
    from kirok.records.reference import load_vocabularies

    load_vocabularies()
    path = tmp_path / "photo.bin"
    path.write_bytes(os.urandom(500))
    evidence.add_file(path, actor="Documenter K", reason="received from witness A-12 (fictional)")
    events = list(CustodyEvent.objects.order_by("pk"))
    assert events
    for event in events:
        entry = Entry.objects.get(subject=f"custody:{event.pk}")
        assert (entry.kind, entry.digest) == ("custody", event.compute_digest())
    report = services.verify()
    assert report.ok, report.problem
    assert report.by_kind["custody"] == len(events)


def test_status_and_verify_commands(workspace, person_edits, capsys):
    call_command("ledger", "checkpoint")
    call_command("ledger", "status")
    out = capsys.readouterr().out
    assert "size:   4 entries" in out and "last checkpoint: size 4" in out and "signing key: kirok-" in out
    call_command("ledger", "verify", "--no-progress")
    assert "ledger OK: 4 entries (changeset 3, key 1), 3 nodes, 1 checkpoints recomputed in " in capsys.readouterr().out
    call_command("ledger", "verify", "--no-progress", "--log-only")
    assert "ledger OK (the log only): 4 entries" in capsys.readouterr().out


def test_append_many_returns_the_indexes_it_used():
    _append(3)
    with transaction.atomic():
        got = services.append_many(("custody", f"custody:{i}", _digest(i)) for i in range(3, 7))
    assert got == range(3, 7)
    with transaction.atomic():
        assert services.append_many([]) == range(7, 7)


def test_the_admin_shows_the_ledger_but_cannot_change_it(rf, admin_user):
    from django.contrib import admin

    from kirok.ledger.models import Checkpoint, SigningKey

    request = rf.get("/admin/")
    request.user = admin_user
    for model in (Entry, Checkpoint, SigningKey):
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
                    or model_admin.has_delete_permission(request))


def test_a_changed_custody_event_is_named(db, workspace, tmp_path):
    from django.db import connection

    from kirok.evidence import services as evidence
    from kirok.evidence.models import CustodyEvent
    from kirok.records.reference import load_vocabularies

    load_vocabularies()
    path = tmp_path / "photo.bin"
    path.write_bytes(os.urandom(500))
    evidence.add_file(path, actor="Documenter K", reason="received from witness A-12 (fictional)")
    event = CustodyEvent.objects.order_by("pk").first()
    with connection.cursor() as cur:  # behind the evidence layer's back: its own API refuses changes
        cur.execute(f"UPDATE {CustodyEvent._meta.db_table} SET reason = %s WHERE id = %s", ["received from witness A-13", event.pk])
    problem = str(services.verify().problem)
    assert problem.startswith(f"custody event {event.pk} ({event.action} of item ") and "(stored), found its fields hash to" in problem
