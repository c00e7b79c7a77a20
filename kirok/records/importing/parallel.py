"""Decoding in a second process while this one writes.

Reading and decoding rows is pure Python and takes about half of an import's time; writing
takes the other half in this process and in SQLite. A forked child reads and decodes the next
chunk while the parent writes the current one, so an import uses both cores of a small machine.
Only streams that touch no database while being read may go to the child (Kirok-format files);
the child inherits the loaded vocabularies from the fork and sends back pickled chunks through a
pipe, whose small buffer keeps at most one chunk in flight.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator


def fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and os.environ.get("KIROK_IMPORT_PROCESSES") != "1"


def in_child(produce: Callable[[], Iterator]) -> Iterator:
    """Yield what ``produce()`` yields, computed in a forked child process."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_run, args=(produce, send, receive), name="kirok-import-decode", daemon=True)
    child.start()
    send.close()
    try:
        while True:
            try:
                message = receive.recv_bytes()
            except EOFError:
                raise RuntimeError("the decoding process ended without finishing; see its error above") from None
            kind, payload = pickle.loads(message)
            if kind == "done":
                return
            if kind == "error":
                raise payload
            yield payload
    finally:
        receive.close()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()
            child.join()


def _run(produce: Callable[[], Iterator], send, receive) -> None:
    receive.close()  # else a child outlives a killed parent, blocked on a pipe it holds itself
    try:
        for item in produce():
            send.send_bytes(pickle.dumps(("item", item), pickle.HIGHEST_PROTOCOL))
        send.send_bytes(pickle.dumps(("done", None)))
    except BaseException as exc:  # handed to the parent, which raises it where the import runs
        send.send_bytes(pickle.dumps(("error", exc)))
    finally:
        send.close()
