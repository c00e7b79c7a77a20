"""Keys: envelope encryption in the workspace's key folder, rotation without changing a digest."""

from __future__ import annotations

import os

import pytest

from kirok.protection.keys import Keyring, KeyringError, keyring
from kirok.protection.principal import AccessDenied, Principal
from kirok.protection.rotation import count_by_key, rotate_data_key, rotate_kek
from kirok.records.models import Person, Version
from kirok.records.services import get_record

pytestmark = pytest.mark.django_db


def test_the_key_folder_is_private_and_holds_wrapped_data_keys(world, workspace):
    folder = keyring().folder
    assert folder == workspace.keys / "protection"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    names = sorted(p.name for p in folder.iterdir())
    assert any(n.startswith("kek-") for n in names) and any(n.startswith("dk-") for n in names)
    assert {"blind-index.key", "pseudonym.key", "current.json"} <= set(names)
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in folder.iterdir())
    dek = next(p for p in folder.iterdir() if p.name.startswith("dk-"))
    fresh = Keyring(folder)  # what another process reads from the files
    kid = dek.stem
    assert fresh.aead(kid) is not None
    os.unlink(next(p for p in folder.iterdir() if p.name.startswith("kek-")))
    with pytest.raises(KeyringError, match="restore it from the key backup"):
        Keyring(folder).aead(kid)


def test_rotation_reencrypts_everything_keeps_every_digest_and_destroys_the_old_key(world):
    old = keyring().current()[0]
    digests = dict(Version.objects.values_list("pk", "digest"))
    datas = dict(Version.objects.values_list("pk", "data"))
    with pytest.raises(AccessDenied):
        rotate_data_key(principal=Principal.of(world.users["analyst"]))
    result = rotate_data_key(principal=Principal.of(world.users["data_steward"]))
    assert result.new_key != old and result.retired == [old] and result.kept == []
    assert result.reencrypted > 20
    assert set(count_by_key()) == {result.new_key}
    assert dict(Version.objects.values_list("pk", "digest")) == digests
    changed = [pk for pk, data in Version.objects.values_list("pk", "data") if data != datas[pk]]
    assert changed  # the ciphertexts changed …
    for pk in changed:  # … and nothing else did
        from kirok.records import history

        assert history.digest(Version.objects.get(pk=pk).data) == digests[pk]
    steward = world.users["data_steward"]
    witness = get_record("person", world.north.ext("witness"), user=steward, purpose="after rotation")
    assert witness["birth_date"] == world.north.canaries["birth_date"]
    assert not (keyring().folder / f"{old}.json").exists()


def test_values_sealed_under_the_old_key_read_while_the_rotation_runs(world):
    ring = keyring()
    old = ring.current()[0]
    ring.new_data_key()  # a rotation has begun: new values under the new key, nothing re-encrypted yet
    witness = get_record("person", world.north.ext("witness"), user=Principal.console("t"), purpose="t")
    assert witness["birth_date"] == world.north.canaries["birth_date"]
    assert count_by_key()[old] > 0


def test_a_new_key_encryption_key_rewraps_without_touching_a_ciphertext(world):
    folder = keyring().folder
    old_kek = keyring().current_ids["kek"]
    datas = list(Version.objects.order_by("pk").values_list("data", flat=True))
    new_kek = rotate_kek(principal=Principal.console("test"))
    assert new_kek != old_kek and not (folder / f"{old_kek}.key").exists()
    assert list(Version.objects.order_by("pk").values_list("data", flat=True)) == datas
    fresh = Keyring(folder)
    witness = Person.objects.get(external_id=world.north.ext("witness"))
    from kirok.protection.envelope import aad, open_value

    assert open_value(witness.sealed["birth_date"], aad("records_person", "birth_date", str(witness.uid)), fresh) == world.north.canaries["birth_date"]


def test_keys_made_before_the_workspace_existed_are_kept_when_it_appears(settings, tmp_path, db):
    from kirok.protection.envelope import aad, open_value, seal
    from kirok.workspace import Workspace

    settings.WORKSPACE = Workspace(tmp_path / "later")
    sealed = seal("김철", aad("t", "c", "u"))
    assert not (tmp_path / "later").exists()
    settings.WORKSPACE.ensure()
    keyring()  # the folder is there now: the keys move in
    assert open_value(sealed, aad("t", "c", "u"), Keyring(tmp_path / "later" / "keys" / "protection")) == "김철"
