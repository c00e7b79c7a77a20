"""One pass over the bytes: SHA-256, SHA-512 and the write, overlapped on threads.

Intake must cost little more than hashing alone, and SHA-512 alone takes about twice as long as
SHA-256 here. hashlib and file writes release the GIL on large buffers, so one thread reads into
a small pool of large buffers and hands each filled buffer to every consumer (the two hashers and
the backend's writer), each on its own thread; a buffer goes back to the pool when all of them
are done with it. Memory stays at ``BUFFERS × CHUNK_SIZE`` whatever the size of the file, and the
bytes that are hashed are exactly the bytes that are written. The buffers are page-aligned
(anonymous ``mmap``) and every chunk but the last is full, so a writer may hand them to the disk
directly (``O_DIRECT``).
"""

from __future__ import annotations

import hashlib
import mmap
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO, Union

from .base import StoredBlob

CHUNK_SIZE = 8 << 20
BUFFERS = 6

Source = Union[BinaryIO, Iterable[bytes]]
Sink = Callable[[memoryview], None]
Progress = Callable[[int], None]


class _Chunks:
    """Makes an iterable of byte chunks readable with ``readinto``, like a file."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._rest = memoryview(b"")

    def readinto(self, buffer: memoryview) -> int:
        filled = 0
        while filled < len(buffer):
            if not self._rest:
                chunk = next(self._chunks, None)
                if chunk is None:
                    break
                self._rest = memoryview(chunk).cast("B")
                continue
            n = min(len(self._rest), len(buffer) - filled)
            buffer[filled:filled + n] = self._rest[:n]
            self._rest = self._rest[n:]
            filled += n
        return filled


def _fill(readinto: Callable[[memoryview], int | None], buffer: memoryview) -> int:
    """Fill the buffer, or stop at the end: pipes and sockets return short reads."""
    filled = 0
    while filled < len(buffer):
        n = readinto(buffer[filled:])
        if not n:
            break
        filled += n
    return filled


class _Consumer(threading.Thread):
    """Applies one function to each buffer it is given; after a failure it only hands buffers back."""

    def __init__(self, work: Sink, release: Callable[[int], None]):
        super().__init__(daemon=True)
        self.work = work
        self.release = release
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.error: BaseException | None = None

    def run(self) -> None:
        while (item := self.inbox.get()) is not None:
            view, slot = item
            if self.error is None:
                try:
                    self.work(view)
                except BaseException as exc:  # handed to the reader, which re-raises it
                    self.error = exc
            self.release(slot)


def run(source: Source, sinks: Sequence[Sink] = (), *, progress: Progress | None = None,
        chunk_size: int = CHUNK_SIZE) -> StoredBlob:
    """Read ``source`` once and return its digests and size, giving every chunk to each sink too.

    ``source`` is a binary file (``readinto`` or ``read``) or an iterable of ``bytes``. The first
    exception from the source or from any sink stops the pass and is re-raised here, after every
    thread has finished, so the caller can clean up knowing nothing is still writing.
    """
    sha256, sha512 = hashlib.sha256(), hashlib.sha512()
    buffers = [mmap.mmap(-1, chunk_size) for _ in range(BUFFERS)]
    free: queue.SimpleQueue = queue.SimpleQueue()
    for slot in range(BUFFERS):
        free.put(slot)
    users = [0] * BUFFERS
    lock = threading.Lock()

    def release(slot: int) -> None:
        with lock:
            users[slot] -= 1
            if users[slot] == 0:
                free.put(slot)

    consumers = [_Consumer(work, release) for work in (sha256.update, sha512.update, *sinks)]
    for consumer in consumers:
        consumer.start()
    readinto = _reader(source)
    size = 0
    try:
        while True:
            slot = free.get()
            if any(c.error for c in consumers):
                break
            view = memoryview(buffers[slot])
            n = _fill(readinto, view)
            if not n:
                break
            size += n
            users[slot] = len(consumers)
            for consumer in consumers:
                consumer.inbox.put((view[:n], slot))
            if progress:
                progress(size)
    finally:
        for consumer in consumers:
            consumer.inbox.put(None)
        for consumer in consumers:
            consumer.join()
    for consumer in consumers:
        if consumer.error is not None:
            raise consumer.error
    return StoredBlob(sha256.hexdigest(), sha512.hexdigest(), size)


def _reader(source: Source) -> Callable[[memoryview], int | None]:
    if hasattr(source, "readinto"):
        return source.readinto
    if hasattr(source, "read"):
        return _Chunks(iter(lambda: source.read(CHUNK_SIZE), b"")).readinto
    return _Chunks(source).readinto
