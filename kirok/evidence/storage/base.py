"""What every vault backend offers: write-once, content-addressed blobs.

Like Django's pluggable backends (and the auto-archiver's Storage step), each backend is one small
class with the same few methods, chosen by ``KIROK_VAULT_URL`` (see ``get_storage``). A blob is
named by the SHA-256 of its bytes and is never overwritten or changed by Kirok: putting the same
bytes twice stores them once, and a crash during a put leaves no blob under any name. The one
deletion is ``destroy``, which only a consent withdrawal calls (``kirok.evidence.protected``).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _

from kirok.evidence.errors import BlobConflict, BlobMissing

SHA256 = re.compile(r"[0-9a-f]{64}")


def checked(sha256: str) -> str:
    """A blob name, refused unless it is a SHA-256 in lower-case hex (never a path)."""
    if not SHA256.fullmatch(sha256):
        raise ValueError(_("%(value)r is not a SHA-256 in hex") % {"value": sha256})
    return sha256


def missing(location: str) -> BlobMissing:
    return BlobMissing(_("%(location)s is missing") % {"location": location})


def conflict(location: str, found: int, size: int) -> BlobConflict:
    """A stored blob whose size differs from new bytes with its name: it is damaged, not replaced."""
    return BlobConflict(
        _("%(location)s holds %(found)d bytes, but new bytes with the same SHA-256 are %(size)d bytes: "
          "the stored blob is damaged; run `kirok vault verify`") % {"location": location, "found": found, "size": size}
    )


@dataclass(frozen=True)
class StoredBlob:
    """What the vault knows of a blob once its bytes are read: both digests and the size."""

    sha256: str
    sha512: str
    size: int


class Storage(ABC):
    """A place that holds blobs. ``url`` says where, in custody records and reports."""

    url: str

    @abstractmethod
    def put(self, source, *, progress: Callable[[int], None] | None = None) -> StoredBlob:
        """Store the bytes of ``source`` (a binary file or an iterable of bytes), streamed, atomically."""

    @abstractmethod
    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes, seekable; raises ``BlobMissing``."""

    @abstractmethod
    def exists(self, sha256: str) -> bool: ...

    @abstractmethod
    def location(self, sha256: str) -> str:
        """Where the blob is (a path or an object URL), for people reading a report."""

    @abstractmethod
    def names(self) -> Iterator[str]:
        """The SHA-256 of every stored blob."""

    @abstractmethod
    def destroy(self, sha256: str) -> None:
        """Remove the blob for good (consent withdrawn); a blob already gone is not an error."""

    @abstractmethod
    def leftovers(self) -> list[str]:
        """Partial writes left by interrupted intakes: never blobs, safe to delete."""

    def rehash(self, sha256: str, *, progress: Callable[[int], None] | None = None) -> StoredBlob:
        """Read the stored bytes again and compute what they are now."""
        from .pipeline import run

        with self.open(sha256) as stream:
            return run(stream, progress=progress)
