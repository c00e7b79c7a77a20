"""Checkpoint keys: made on first use in the workspace, rotated with the rotation logged."""

from __future__ import annotations

import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kirok.ledger import keys, services, verifier
from kirok.ledger.models import Checkpoint, Entry, SigningKey

pytestmark = pytest.mark.django_db


def test_the_first_checkpoint_makes_a_private_key_file_only_its_owner_can_read(workspace, person_edits):
    made = services.checkpoint()
    key = SigningKey.objects.get()
    path = keys.path_for(key.key_id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(workspace.keys.stat().st_mode) == 0o700
    assert b"PRIVATE KEY" in path.read_bytes()
    # the key is announced in the log before it signs, and the checkpoint covers that entry
    announced = Entry.objects.get(kind="key")
    assert announced.subject == f"key:{key.key_id}" and announced.index < made.tree_size
    assert verifier.verify_checkpoint(made.note(services.origin()), [key.vkey]).size == made.tree_size


def test_rotation_is_logged_vouched_for_by_the_old_key_and_old_checkpoints_keep_verifying(workspace, person_edits):
    first = services.checkpoint()
    old = first.key
    new = services.rotate_key("annual rotation")
    old.refresh_from_db()
    assert old.retired is not None and new.retired is None and new.reason == "annual rotation"
    entry = Entry.objects.get(subject=f"key:{new.key_id}")
    vouch = Checkpoint.objects.filter(key=old).order_by("id").last()
    assert vouch.tree_size == entry.index + 1  # the old key signed the tree that holds the new key
    later = services.checkpoint()
    assert later.key == new
    origin = services.origin()
    assert verifier.verify_checkpoint(first.note(origin), [old.vkey]).size == first.tree_size
    assert verifier.verify_checkpoint(later.note(origin), [new.vkey]).size == later.tree_size
    with pytest.raises(verifier.VerificationError):
        verifier.verify_checkpoint(first.note(origin), [new.vkey])
    report = services.verify()
    assert report.ok, report.problem
    assert report.checkpoints == 3


def test_a_missing_key_file_is_named_with_the_way_out(workspace, person_edits, capsys):
    key, _ = services.current_key()
    keys.path_for(key.key_id).unlink()
    with pytest.raises(CommandError, match=rf"ledger-{key.key_id}.pem: restore that file .* rotate-key"):
        call_command("ledger", "checkpoint")
    call_command("ledger", "rotate-key", "--reason", "key file lost")
    assert "new signing key: kirok-" in capsys.readouterr().out
    call_command("ledger", "checkpoint")
    assert services.verify().ok


def test_a_rotation_needs_a_reason(db, workspace):
    with pytest.raises(ValueError):
        services.rotate_key("  ")


def test_a_changed_key_entry_is_found(workspace, person_edits):
    services.checkpoint()
    Entry.objects.filter(kind="key").update(subject="key:0000000000000000")
    problem = str(services.verify().problem)
    assert problem.startswith("entry 3 (key:0000000000000000): expected key:0000000000000000 to exist")


def test_a_checkpoint_signed_by_a_key_the_log_never_announced_is_found(workspace, person_edits):
    from django.utils import timezone

    services.checkpoint()
    kid, private = keys.generate()
    stranger = SigningKey.objects.create(key_id=kid, public_key=keys.public_bytes(private), created=timezone.now())
    services._sign_head(stranger, private)
    assert str(services.verify().problem).startswith(f"key:{kid}: expected an entry in the ledger, found none")


def test_proof_command_output_is_checked_by_the_standalone_verifier(workspace, person_edits, tmp_path, capsys):
    call_command("ledger", "checkpoint")
    key = SigningKey.objects.get()
    out = tmp_path / "proof.json"
    call_command("ledger", "proof", "--index", "1", "--output", str(out))
    assert verifier.main(["proof", str(out), "--key", key.vkey]) == 0
    assert "included: entry 1 (changeset changeset:" in capsys.readouterr().out
    text = out.read_text()
    out.write_text(text.replace('"index": 1', '"index": 2'))
    assert verifier.main(["proof", str(out), "--key", key.vkey]) == 1
    assert "FAILED" in capsys.readouterr().err
    call_command("ledger", "proof", "--old", "1", "--output", str(out))
    assert verifier.main(["proof", str(out), "--key", key.vkey]) == 0
    note = tmp_path / "checkpoint.txt"
    note.write_text(Checkpoint.objects.get().note(services.origin()))
    assert verifier.main(["checkpoint", str(note), "--key", key.vkey]) == 0


def test_a_proof_without_a_covering_checkpoint_says_what_to_do(workspace, person_edits):
    with pytest.raises(CommandError, match="no checkpoint covers entry 0 yet: run `kirok ledger checkpoint` first"):
        call_command("ledger", "proof", "--index", "0")


def test_a_key_announced_only_after_it_signed_is_found(workspace, person_edits):
    from django.db import transaction
    from django.utils import timezone

    kid, private = keys.generate()
    late = SigningKey.objects.create(key_id=kid, public_key=keys.public_bytes(private), created=timezone.now())
    signed = services._sign_head(late, private)
    with transaction.atomic():
        services.append("key", f"key:{kid}", verifier.key_digest(late.vkey, verifier.format_time(late.created)))
    problem = str(services.verify().problem)
    assert problem.startswith(f"checkpoint {signed.pk} (size {signed.tree_size}, ")
    assert f"key kirok-{kid} logged within the tree it signs" in problem
