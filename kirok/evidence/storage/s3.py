"""S3-compatible object storage (AWS S3, MinIO, Ceph, Garage …) as the vault.

Configured by ``KIROK_VAULT_URL=s3://bucket/prefix`` and boto3's usual environment
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL_S3``
or ``AWS_ENDPOINT_URL`` for a server that is not AWS). Objects are ``<prefix>/<sha[:2]>/<sha>``,
like the local folder, with both digests in their metadata.

A blob's name is known only after its last byte is hashed, so a blob larger than one part goes
up as a multipart upload to a temporary key (``<prefix>/.incoming/<uuid>``), is copied on the
server to its final key and the temporary key is deleted; a smaller one is put directly under its
final name. A failure aborts the upload: no object appears under a SHA-256 name. Kirok never
overwrites an existing object, but S3 cannot refuse a copy onto an existing key; for write-once
storage enforced by the server, enable versioning and Object Lock on the bucket (docs/evidence.md).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from typing import BinaryIO

from . import pipeline
from .base import SHA256, Storage, StoredBlob, checked, conflict, missing

PART_SIZE = 16 << 20  # S3 wants parts of at least 5 MiB, at most 10,000 of them: 16 MiB reaches 156 GiB
INCOMING = ".incoming/"


def _missing(error) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


class _Upload:
    """Collects chunks into parts; the first full part starts a multipart upload to a temporary key."""

    def __init__(self, client, bucket: str, key: str, part_size: int):
        self.client, self.bucket, self.key, self.part_size = client, bucket, key, part_size
        self.pending = bytearray()
        self.upload_id: str | None = None
        self.parts: list[dict] = []

    def __call__(self, view: memoryview) -> None:
        self.pending += view
        if len(self.pending) >= self.part_size:
            self._send()

    def _send(self) -> None:
        if self.upload_id is None:
            self.upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key)["UploadId"]
        number = len(self.parts) + 1
        answer = self.client.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=bytes(self.pending)
        )
        self.parts.append({"ETag": answer["ETag"], "PartNumber": number})
        self.pending = bytearray()

    def complete(self) -> None:
        if self.pending or not self.parts:
            self._send()
        self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, MultipartUpload={"Parts": self.parts}
        )
        self.upload_id = None

    def abort(self) -> None:
        if self.upload_id is not None:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)


class _RangeReader(io.RawIOBase):
    """A stored object read with ranged GETs, so it can be seeked (image headers, partial reads)."""

    def __init__(self, client, bucket: str, key: str, size: int):
        self.client, self.bucket, self.key, self.size = client, bucket, key, size
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self) -> int:
        return self.position

    def _get(self, want: int) -> bytes:
        answer = self.client.get_object(Bucket=self.bucket, Key=self.key, Range=f"bytes={self.position}-{self.position + want - 1}")
        data = answer["Body"].read()
        self.position += len(data)
        return data

    def readinto(self, buffer) -> int:
        want = min(len(buffer), self.size - self.position)
        if want <= 0:
            return 0
        data = self._get(want)
        buffer[:len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        """One request for the rest, not one per small buffer."""
        want = self.size - self.position
        return self._get(want) if want > 0 else b""


class S3Storage(Storage):
    def __init__(self, bucket: str, prefix: str = "", *, client=None, part_size: int = PART_SIZE):
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3")
        self.part_size = part_size
        self.url = f"s3://{bucket}/{self.prefix}"

    def key(self, sha256: str) -> str:
        return f"{self.prefix}{sha256[:2]}/{checked(sha256)}"

    def _head(self, key: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise

    def put(self, source, *, progress: Callable[[int], None] | None = None) -> StoredBlob:
        temporary = f"{self.prefix}{INCOMING}{uuid.uuid4()}"
        upload = _Upload(self.client, self.bucket, temporary, self.part_size)
        try:
            blob = pipeline.run(source, [upload], progress=progress)
            target = self.key(blob.sha256)
            existing = self._head(target)
            if existing is not None:
                if existing["ContentLength"] != blob.size:
                    raise conflict(self.location(blob.sha256), existing["ContentLength"], blob.size)
                upload.abort()
                return blob
            metadata = {"sha256": blob.sha256, "sha512": blob.sha512}
            if upload.upload_id is None:  # smaller than one part: straight to its final name
                self.client.put_object(Bucket=self.bucket, Key=target, Body=bytes(upload.pending), Metadata=metadata)
                return blob
            upload.complete()
            try:
                self.client.copy(
                    {"Bucket": self.bucket, "Key": temporary}, self.bucket, target,
                    ExtraArgs={"Metadata": metadata, "MetadataDirective": "REPLACE"},
                )
            finally:
                self.client.delete_object(Bucket=self.bucket, Key=temporary)
            return blob
        except BaseException:
            upload.abort()
            raise

    def open(self, sha256: str) -> BinaryIO:
        head = self._head(self.key(sha256))
        if head is None:
            raise missing(self.location(sha256))
        return io.BufferedReader(_RangeReader(self.client, self.bucket, self.key(sha256), head["ContentLength"]), pipeline.CHUNK_SIZE)

    def exists(self, sha256: str) -> bool:
        return self._head(self.key(sha256)) is not None

    def location(self, sha256: str) -> str:
        return f"s3://{self.bucket}/{self.key(sha256)}"

    def _keys(self, prefix: str) -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                yield entry["Key"]

    def names(self) -> Iterator[str]:
        for key in self._keys(self.prefix):
            shard, _slash, name = key[len(self.prefix):].partition("/")
            if SHA256.fullmatch(name) and name.startswith(shard) and len(shard) == 2:
                yield name

    def destroy(self, sha256: str) -> None:
        """Delete the object and, in a versioned bucket, every version of it. A bucket under
        Object Lock refuses: the error names the object, for its retention to be lifted."""
        key = self.key(sha256)
        self.client.delete_object(Bucket=self.bucket, Key=key)
        for page in self.client.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=key):
            for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                if entry["Key"] == key:
                    self.client.delete_object(Bucket=self.bucket, Key=key, VersionId=entry["VersionId"])

    def leftovers(self) -> list[str]:
        incoming = self.prefix + INCOMING
        found = [f"s3://{self.bucket}/{key}" for key in self._keys(incoming)]
        for page in self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=incoming):
            found += [f"s3://{self.bucket}/{u['Key']} (unfinished upload {u['UploadId']})" for u in page.get("Uploads", [])]
        return found
