"""A consent withdrawal reaches the vault: the source's evidence blobs are destroyed (local folder
and S3), their items stay as tombstones with hashes, a "disposed" custody event and the reason,
and the sealed metadata (EXIF GPS, camera serial) leaves no ciphertext in any table."""

from __future__ import annotations

import boto3
import pytest
from django.db import connection
from PIL import Image

from kirok.evidence import services
from kirok.evidence.models import Item
from kirok.evidence.protected import TOMBSTONE_FIELDS, metadata_of
from kirok.evidence.storage import get_storage
from kirok.ledger import services as ledger
from kirok.protection.principal import Principal
from kirok.protection.purge import withdraw
from kirok.protection.reveal import DESTROYED, MASK
from kirok.records.exchange import SEALED
from kirok.records.models import Source
from tests.evidence.conftest import bucket, s3_endpoint, s3_env  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

SERIAL = "CANARY-SERIAL-4471-X"


def photo(path, serial: str, colour) -> None:
    """A fictional JPEG whose EXIF holds a camera serial number and a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "Synthetic Camera Co"
    exif.get_ifd(0x8769)[0xA431] = serial  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (39.0, 1.0, 30.0)
    Image.new("RGB", (40, 30), colour).save(path, format="JPEG", exif=exif)


def all_rows_text() -> str:
    with connection.cursor() as cur:
        out = []
        for table in connection.introspection.table_names(cur):
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            out.append(repr(cur.fetchall()))
    return "\n".join(out)


def attach(world, tmp_path):
    source = Source.objects.get(external_id=world.north.ext("source"))
    path = tmp_path / "witness-home.jpg"
    photo(path, SERIAL, (200, 10, 10))
    item = services.add_file(path, source=source, capture=services.Capture(collector="Documenter K", device="phone of K"),
                             reason="handed over at the interview").item
    redacted = tmp_path / "redacted.jpg"
    Image.new("RGB", (40, 30), (0, 0, 0)).save(redacted, format="JPEG")
    derivative = services.add_derivative(item, redacted, operation="redaction", notes="faces blurred").item
    other = tmp_path / "other.jpg"
    photo(other, "OTHER-SERIAL", (10, 200, 10))
    south = services.add_file(other, source=Source.objects.get(external_id=world.south.ext("source"))).item
    return source, path.read_bytes(), item, derivative, south


def test_metadata_is_sealed_and_shown_only_to_roles_that_may_see_it(world, tmp_path):
    _source, _raw, item, _derivative, _south = attach(world, tmp_path)
    assert SERIAL not in all_rows_text()
    steward, reviewer = Principal.of(world.users["data_steward"]), Principal.of(world.users["reviewer"])
    assert metadata_of(item, steward, purpose="t")["exif"]["Exif"]["BodySerialNumber"] == SERIAL
    assert metadata_of(item, reviewer, purpose="t") == str(MASK)


def test_withdrawal_destroys_the_sources_blobs_and_leaves_tombstones(world, tmp_path, django_capture_on_commit_callbacks):
    source, raw, item, derivative, south = attach(world, tmp_path)
    ciphertext = item.metadata[SEALED]["ct"]
    vault = get_storage()
    with django_capture_on_commit_callbacks(execute=True):
        purge = withdraw(source, principal=Principal.of(world.users["data_steward"]), reason="withdrawn, form W-17")

    assert not vault.exists(item.sha256) and not vault.exists(derivative.sha256)
    assert vault.exists(south.sha256)  # another source's evidence is untouched
    for path in vault.root.rglob("*"):
        if path.is_file():
            assert raw[-400:] not in path.read_bytes() and SERIAL.encode() not in path.read_bytes()

    for tomb in Item.objects.filter(pk__in=[item.pk, derivative.pk]):
        assert tomb.sha256 and tomb.size  # the hashes stay
        assert all(getattr(tomb, name) == "" for name in TOMBSTONE_FIELDS)
        assert services.custody_of(tomb).last().action == "disposed"
        assert services.custody_of(tomb).last().reason == "withdrawn, form W-17"
    assert metadata_of(Item.objects.get(pk=item.pk), Principal.of(world.users["data_steward"]), purpose="t") == str(DESTROYED)
    assert ciphertext not in all_rows_text()
    assert ["source", str(source.uid), f"evidence:{item.uid}.metadata", item.metadata[SEALED]["commit"]] in purge.commitments
    assert purge.counts["evidence_item"] == 2 and not purge.remains

    report = services.verify_vault(record=False)
    assert report.ok and set(report.disposed) == {item.sha256, derivative.sha256}
    assert ledger.verify().ok


def test_withdrawal_destroys_the_blobs_on_s3_too(world, tmp_path, bucket, monkeypatch,  # noqa: F811
                                                 django_capture_on_commit_callbacks):
    monkeypatch.setenv("KIROK_VAULT_URL", f"s3://{bucket}/kirok")
    source, _raw, item, derivative, south = attach(world, tmp_path)
    client = boto3.client("s3")
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(source, principal=Principal.console("test"), reason="withdrawn")
    keys = [v["Key"] for v in client.list_object_versions(Bucket=bucket).get("Versions", [])]
    keys += [m["Key"] for m in client.list_object_versions(Bucket=bucket).get("DeleteMarkers", [])]
    assert not any(item.sha256 in k or derivative.sha256 in k for k in keys)
    assert any(south.sha256 in k for k in keys)


def test_bytes_another_source_also_holds_stay_and_the_purge_says_so(world, tmp_path, django_capture_on_commit_callbacks):
    source, raw, item, _derivative, _south = attach(world, tmp_path)
    again = tmp_path / "same-bytes.jpg"
    again.write_bytes(raw)
    # The same bytes, received again for the other source, are the same original item: make a
    # derivative of the south item with those bytes instead, which is its own item.
    south_item = Item.objects.filter(source__external_id=world.south.ext("source")).get()
    services.add_derivative(south_item, again, operation="redaction")
    with django_capture_on_commit_callbacks(execute=True):
        purge = withdraw(source, principal=Principal.console("test"), reason="withdrawn")
    assert get_storage().exists(item.sha256)
    assert any(item.sha256 in note for note in purge.remains)


def test_a_blob_that_cannot_be_destroyed_is_named_for_the_operator(world, tmp_path, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    from kirok.evidence.errors import EvidenceError
    from kirok.evidence.storage.local import LocalStorage
    from kirok.protection.models import Purge

    source, _raw, item, _derivative, _south = attach(world, tmp_path)

    def refuse(self, sha256):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(LocalStorage, "destroy", refuse)
    with pytest.raises(EvidenceError, match=item.sha256) as failure:
        with django_capture_on_commit_callbacks(execute=True):
            withdraw(source, principal=Principal.console("test"), reason="withdrawn")
    assert "delete them by hand" in str(failure.value) and "read-only file system" in str(failure.value)
    assert Purge.objects.filter(source_uid=source.uid).exists()  # the withdrawal itself is recorded
