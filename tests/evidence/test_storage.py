"""The local vault: content-addressed, streamed, atomic, deduplicated, read-only."""

from __future__ import annotations

import hashlib
import io
import os
import stat

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from kirok.evidence.errors import BlobConflict, BlobMissing
from kirok.evidence.storage import LocalStorage, get_storage, pipeline


def digests(data: bytes) -> tuple[str, str, int]:
    return hashlib.sha256(data).hexdigest(), hashlib.sha512(data).hexdigest(), len(data)


class Broken(io.RawIOBase):
    """A source that fails after ``after`` bytes, as a disk or a network read can."""

    def __init__(self, after: int):
        self.left = after

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.left <= 0:
            raise OSError(5, "Input/output error (simulated)")
        n = min(len(buffer), self.left, 1 << 20)
        buffer[:n] = os.urandom(n)
        self.left -= n
        return n


def files_under(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file())


@hsettings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=5000), cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=8),
       chunk=st.sampled_from([1, 7, 64, 4096]))
def test_digests_do_not_depend_on_how_the_bytes_arrive(data, cuts, chunk):
    pieces, last = [], 0
    for cut in sorted(set(c for c in cuts if c <= len(data))):
        pieces.append(data[last:cut])
        last = cut
    pieces.append(data[last:])
    written = bytearray()
    blob = pipeline.run(pieces, [written.extend], chunk_size=chunk)
    assert (blob.sha256, blob.sha512, blob.size) == digests(data)
    assert bytes(written) == data
    assert pipeline.run(io.BytesIO(data), chunk_size=chunk).sha256 == blob.sha256


@pytest.mark.parametrize("direct", [True, False], ids=["O_DIRECT where allowed", "through the page cache"])
def test_put_stores_under_the_sha256_read_only_and_streams(tmp_path, monkeypatch, direct):
    from kirok.evidence.storage import local

    if not direct:
        monkeypatch.setattr(local, "_direct", lambda fd, on: False)
        monkeypatch.setattr(local, "FLUSH_EVERY", pipeline.CHUNK_SIZE)
    vault = LocalStorage(tmp_path / "blobs")
    data = os.urandom(3 * pipeline.CHUNK_SIZE + 12345)  # several buffers, the last one short
    seen = []
    blob = vault.put(io.BytesIO(data), progress=seen.append)
    assert (blob.sha256, blob.sha512, blob.size) == digests(data)
    path = tmp_path / "blobs" / blob.sha256[:2] / blob.sha256
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert seen[-1] == len(data) and len(seen) == 4
    with vault.open(blob.sha256) as f:
        f.seek(len(data) - 5)
        assert f.read() == data[-5:]
    assert list(vault.names()) == [blob.sha256] and vault.leftovers() == []


def test_the_same_bytes_are_stored_once_and_never_rewritten(tmp_path):
    vault = LocalStorage(tmp_path / "blobs")
    first = vault.put([b"testimony ", b"audio"])
    path = vault.path(first.sha256)
    inode, mtime = path.stat().st_ino, path.stat().st_mtime_ns
    second = vault.put(io.BytesIO(b"testimony audio"))
    assert second == first
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (inode, mtime)
    assert files_under(tmp_path / "blobs") == [path]


def test_a_damaged_blob_is_not_hidden_by_a_new_put_of_the_same_name(tmp_path):
    vault = LocalStorage(tmp_path / "blobs")
    blob = vault.put([b"original bytes"])
    path = vault.path(blob.sha256)
    os.chmod(path, 0o644)
    path.write_bytes(b"trunc")
    with pytest.raises(BlobConflict, match=str(path)):
        vault.put([b"original bytes"])
    assert path.read_bytes() == b"trunc"  # left as found, for the investigation
    assert vault.leftovers() == []


def test_a_source_that_fails_mid_stream_leaves_nothing(tmp_path):
    vault = LocalStorage(tmp_path / "blobs")
    with pytest.raises(OSError, match="simulated"):
        vault.put(Broken(after=2 * pipeline.CHUNK_SIZE + 100))
    assert files_under(tmp_path / "blobs") == []


def test_a_write_that_fails_mid_stream_leaves_nothing(tmp_path, monkeypatch):
    """The disk fills up after the first buffer: no blob, no temporary file."""
    vault = LocalStorage(tmp_path / "blobs")
    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd, data):
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(OSError, match="No space left"):
        vault.put(io.BytesIO(os.urandom(3 * pipeline.CHUNK_SIZE)))
    monkeypatch.undo()
    assert files_under(tmp_path / "blobs") == []


def test_missing_blob_and_bad_names_are_named(tmp_path):
    vault = LocalStorage(tmp_path / "blobs")
    with pytest.raises(BlobMissing, match="is missing"):
        vault.open("0" * 64)
    with pytest.raises(ValueError, match="not a SHA-256"):
        vault.open("../../etc/passwd")
    assert not vault.exists("0" * 64)


def test_the_default_vault_is_the_workspace_blob_folder_in_the_sharded_layout(workspace):
    vault = get_storage()
    blob = vault.put([b"uwazi attachment"])
    assert vault.path(blob.sha256) == workspace.blobs / blob.sha256[:2] / blob.sha256
    assert vault.path(blob.sha256).read_bytes() == b"uwazi attachment"


def test_vault_url_chooses_the_backend(workspace, monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("KIROK_VAULT_URL", (tmp_path / "elsewhere").as_uri())
    assert get_storage().root == tmp_path / "elsewhere"
    monkeypatch.setenv("KIROK_VAULT_URL", "ftp://host/blobs")
    with pytest.raises(ImproperlyConfigured, match="s3://BUCKET/PREFIX"):
        get_storage()
