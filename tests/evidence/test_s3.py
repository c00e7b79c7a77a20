"""The S3 vault, against moto's S3 server over HTTP: the same promises as the local folder."""

from __future__ import annotations

import hashlib
import io
import os

import boto3
import pytest

from kirok.evidence import services
from kirok.evidence.errors import BlobMissing
from kirok.evidence.storage import S3Storage, get_storage

from .conftest import plain_metadata
from .test_storage import Broken

MIB = 1 << 20


def keys(bucket: str) -> list[str]:
    return sorted(o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket).get("Contents", []))


def unfinished_uploads(bucket: str) -> list:
    return boto3.client("s3").list_multipart_uploads(Bucket=bucket).get("Uploads", [])


def test_vault_url_selects_s3_with_the_usual_aws_variables(bucket, monkeypatch):
    monkeypatch.setenv("KIROK_VAULT_URL", f"s3://{bucket}/evidence/")
    vault = get_storage()
    assert isinstance(vault, S3Storage) and vault.url == f"s3://{bucket}/evidence/"
    blob = vault.put([b"a small item"])
    assert keys(bucket) == [f"evidence/{blob.sha256[:2]}/{blob.sha256}"]
    head = boto3.client("s3").head_object(Bucket=bucket, Key=keys(bucket)[0])
    assert head["Metadata"] == {"sha256": blob.sha256, "sha512": blob.sha512}


def test_a_large_item_goes_up_in_parts_and_lands_only_under_its_sha256(bucket):
    vault = S3Storage(bucket, "vault", part_size=5 * MIB)
    data = os.urandom(12 * MIB + 17)  # three parts, the last one short
    blob = vault.put(io.BytesIO(data))
    assert blob.sha256 == hashlib.sha256(data).hexdigest() and blob.size == len(data)
    assert keys(bucket) == [f"vault/{blob.sha256[:2]}/{blob.sha256}"]  # the temporary key is gone
    assert unfinished_uploads(bucket) == []
    with vault.open(blob.sha256) as stream:
        assert stream.read() == data
        stream.seek(len(data) - 10)
        assert stream.read() == data[-10:]
    assert vault.rehash(blob.sha256) == blob
    assert list(vault.names()) == [blob.sha256] and vault.leftovers() == []


def test_the_same_bytes_are_stored_once(bucket):
    vault = S3Storage(bucket, "", part_size=5 * MIB)
    data = os.urandom(6 * MIB)
    first = vault.put(io.BytesIO(data))
    modified = boto3.client("s3").head_object(Bucket=bucket, Key=vault.key(first.sha256))["LastModified"]
    assert vault.put([data[:MIB], data[MIB:]]) == first
    assert keys(bucket) == [vault.key(first.sha256)]
    assert boto3.client("s3").head_object(Bucket=bucket, Key=vault.key(first.sha256))["LastModified"] == modified
    assert unfinished_uploads(bucket) == []


@pytest.mark.parametrize("after", [3 * MIB, 11 * MIB])  # before the first part is sent; after two parts
def test_a_failure_mid_upload_leaves_no_object_and_no_unfinished_upload(bucket, after):
    vault = S3Storage(bucket, "vault", part_size=5 * MIB)
    with pytest.raises(OSError, match="simulated"):
        vault.put(Broken(after=after))
    assert keys(bucket) == []
    assert unfinished_uploads(bucket) == []


def test_a_missing_object_is_named(bucket):
    vault = S3Storage(bucket, "vault")
    with pytest.raises(BlobMissing, match=f"s3://{bucket}/vault/00/0+ is missing"):
        vault.open("0" * 64)


@pytest.mark.django_db
def test_intake_and_verification_on_s3(vocabularies, bucket, monkeypatch, tmp_path):
    monkeypatch.setenv("KIROK_VAULT_URL", f"s3://{bucket}/kirok")
    from .conftest import synthetic_jpeg

    photo = tmp_path / "photo.jpg"
    synthetic_jpeg(photo)
    item = services.add_file(photo, capture=services.Capture(collector="Analyst A"), reason="test intake").item
    assert item.media_type == "image/jpeg"
    assert plain_metadata(item)["exif"]["IFD0"]["Make"] == "Synthetic Camera Co"  # read back from the stored object
    assert services.custody_of(item)[0].details["vault"] == f"s3://{bucket}/kirok/"
    assert services.verify_vault().ok

    client = boto3.client("s3")
    key = f"kirok/{item.sha256[:2]}/{item.sha256}"
    client.put_object(Bucket=bucket, Key=key, Body=photo.read_bytes()[:-1])  # someone with bucket access truncates it
    report = services.verify_vault()
    assert [p.kind for p in report.problems] == ["altered"]
    assert f"s3://{bucket}/{key}" in report.problems[0].describe() and str(item.uid) in report.problems[0].describe()

    client.delete_object(Bucket=bucket, Key=key)
    report = services.verify_vault()
    assert [p.kind for p in report.problems] == ["missing"]
