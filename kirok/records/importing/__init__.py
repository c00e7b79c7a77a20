"""Import: files in, records and versions out — all of it, or none of it.

``import_files`` reads CSV, XLSX and JSON Lines in the Kirok exchange format, and Uwazi CSV
exports (a ``.csv`` or a ``.zip`` with ``import.csv``), decodes every row, writes in chunks
inside one transaction and one changeset, and either commits everything or rolls everything back
and reports each bad row as ``FILE:ROW:FIELD: reason``. With ``skip_bad`` the good rows land and
the bad ones go to a rejects file beside the report.
"""

from __future__ import annotations

import csv
import functools
import gc
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from django.db import connection

from kirok.records import history
from kirok.records.registry import ORDER, model_for, record_type_of

from . import parallel
from .decode import Decoder, RowErrors
from .readers import ReadError, Row, reader_for
from .writer import Located, Outcome, Writer

CHUNK = 2000
ERRORS_SHOWN = 200


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.field}: {self.message}"


class ImportFailed(Exception):
    """Nothing was written; ``errors`` say which rows and fields, and why."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} bad row(s); nothing was imported")


@dataclass
class Stream:
    """Rows of one record type from one file (or one part of a file)."""

    name: str
    record_type: str
    rows: Iterable[Row]
    total: int | None = None
    layout: str = "csv"  # how rejects are written back: csv or jsonl
    header: list[str] = field(default_factory=list)
    parallel: bool = False  # rows may be read and decoded in a forked process (no database access)
    after: Callable[..., None] | None = None  # called with actor and reason once the rows are written, in the transaction


@dataclass
class ImportReport:
    outcomes: dict[str, Outcome]
    rejected: list[RowError]
    rejects_files: list[Path]
    changeset_id: int | None

    @property
    def created(self) -> int:
        return sum(o.created for o in self.outcomes.values())

    @property
    def updated(self) -> int:
        return sum(o.updated for o in self.outcomes.values())

    @property
    def unchanged(self) -> int:
        return sum(o.unchanged for o in self.outcomes.values())


def _count_lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            count += block.count(b"\n")
    return count


def open_streams(paths: list[Path], *, record_type: str | None = None, fmt: str = "auto", count: bool = True) -> list[Stream]:
    """Each file becomes one or more typed streams, ordered so references point backwards.
    ``count``: count each file's lines for a progress bar's total (a read of the whole file,
    before anything is imported; an import without a progress bar skips it)."""
    from . import uwazi

    streams: list[Stream] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise ReadError(path, None, "no such file")
        if fmt == "uwazi" or (fmt == "auto" and uwazi.looks_like_uwazi(path)):
            streams.extend(uwazi.streams(path, record_type=record_type))
            continue
        reader = reader_for(path)
        rtype = record_type or record_type_of(path.stem.split(".")[0])
        layout = "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson") else "csv"
        total = _count_lines(path) if count and path.suffix.lower() != ".xlsx" else None
        if rtype:
            streams.append(Stream(str(path), rtype, reader(path), total, layout, parallel=True))
        else:
            streams.extend(_split_by_type(path, reader(path), layout))
    return sorted(streams, key=lambda s: ORDER.index(s.record_type))


def _split_by_type(path: Path, rows: Iterator[Row], layout: str) -> list[Stream]:
    """A file of mixed types names each row's type in a ``type`` field; rows are grouped by it."""
    groups: dict[str, list[Row]] = {}
    for number, raw in rows:
        rtype = record_type_of(str(raw.get("type", "")))
        if not rtype:
            raise ReadError(
                path, number,
                "cannot tell the record type: name the file after it (persons.csv) or give a `type` "
                f"field ({', '.join(ORDER)}) or --type",
            )
        groups.setdefault(rtype, []).append((number, raw))
    return [Stream(str(path), t, rows, len(rows), layout) for t, rows in groups.items()]


def import_files(
    paths: list[Path],
    *,
    record_type: str | None = None,
    fmt: str = "auto",
    reason: str = "",
    **options,
) -> ImportReport:
    """Import files; see ``import_streams`` for the options."""
    streams = open_streams(paths, record_type=record_type, fmt=fmt, count=options.get("progress") is not None)
    names = ", ".join(Path(p).name for p in paths)
    return import_streams(streams, reason=reason or f"import of {names}", **options)


def import_streams(
    streams: list[Stream],
    *,
    user=None,
    actor: str = "",
    reason: str = "",
    kind: str = "import",
    skip_bad: bool = False,
    rejects_dir: Path | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> ImportReport:
    """Decode and write typed streams in one transaction and one changeset.

    The cyclic garbage collector is paused meanwhile: an import makes millions of small acyclic
    objects, and collecting them cost a fifth of a million-row import (measured, docs/benchmarks.md).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import_streams(streams, user=user, actor=actor, reason=reason, kind=kind, skip_bad=skip_bad,
                               rejects_dir=rejects_dir, progress=progress)
    finally:
        if collecting:
            gc.enable()


def _import_streams(streams, *, user, actor, reason, kind, skip_bad, rejects_dir, progress) -> ImportReport:
    from kirok.protection.sealing import Sealer

    streams = sorted(streams, key=lambda s: ORDER.index(s.record_type))
    decoder = Decoder(sealer=Sealer())  # made here, so a forked decoding process inherits the keys
    errors: list[RowError] = []
    rejected_raw: dict[str, list[tuple[int, dict, str]]] = {}
    report_streams = {s.name: s for s in streams}

    def fail_row(stream_name: str, row: int, raw: dict | None, fieldname: str, message: str) -> None:
        errors.append(RowError(stream_name, row, fieldname, message))
        if raw is not None:
            rejected_raw.setdefault(stream_name, []).append((row, raw, f"{fieldname}: {message}"))

    with history.changeset(user=user, actor=actor or "import", kind=kind, reason=reason) as cs:
        writer = Writer(cs.pk, decoder.sealer)
        _lock(streams)
        for stream in streams:
            done = 0
            if progress:
                progress(stream.name, 0, stream.total)
            if stream.parallel and parallel.fork_available():
                chunks = parallel.in_child(functools.partial(_decoded_chunks, stream, decoder, keep_raw=skip_bad))
            else:
                chunks = _decoded_chunks(stream, decoder)
            for size, header, raws, located, row_errors in chunks:
                stream.header = stream.header or header
                for (number, fieldname, message) in row_errors:
                    fail_row(stream.name, number, raws.get((stream.name, number)), fieldname, message)
                for where, fieldname, message in writer.write(stream.record_type, located):
                    fail_row(where[0], where[1], raws.get(where), fieldname, message)
                done += size
                if progress:
                    progress(stream.name, done, stream.total)
            if stream.after is not None and (skip_bad or not errors):
                stream.after(actor=actor or "import", reason=reason)
        for where, fieldname, message in writer.finish():
            errors.append(RowError(where[0], where[1], fieldname, message))
            skip_bad = False  # a dangling reference cannot be skipped: rows already point to it
        if errors and not skip_bad:
            raise ImportFailed(sorted(errors, key=lambda e: (e.file, e.row)))
        changeset_id = cs.pk
    rejects = _write_rejects(rejected_raw, report_streams, rejects_dir) if errors else []
    return ImportReport(writer.outcomes, sorted(errors, key=lambda e: (e.file, e.row)), rejects, changeset_id)


def _decoded_chunks(stream: Stream, decoder: Decoder, keep_raw: bool = True) -> Iterator[tuple]:
    """Read and decode a stream a chunk at a time.

    Yields (rows read, the first row's keys, raw rows by place, decoded rows, row errors); raw
    rows are kept for rejects files and error reports, and left out when crossing to another
    process would only cost time (an all-or-nothing import reports errors by place alone).
    """
    rows_iter = iter(stream.rows)
    header: list[str] = []
    while True:
        chunk = list(itertools.islice(rows_iter, CHUNK))
        if not chunk:
            return
        located, raws, row_errors = [], {}, []
        for number, raw in chunk:
            where = (stream.name, number)
            if keep_raw:
                raws[where] = raw
            if not header and isinstance(raw, dict):
                header = list(raw)
            try:
                located.append(Located(where, decoder.decode(stream.record_type, raw)))
            except RowErrors as exc:
                row_errors.extend((number, fieldname, message) for fieldname, message in exc.errors)
        yield len(chunk), header, raws, located, row_errors


def _lock(streams: list[Stream]) -> None:
    """PostgreSQL: keep other writers out of the tables whose keys this import allocates.
    (SQLite's IMMEDIATE transaction already holds the database's write lock.)"""
    if connection.vendor != "postgresql":
        return
    tables = {model_for(s.record_type)._meta.db_table for s in streams}
    with connection.cursor() as cur:
        for table in sorted(tables):
            cur.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN SHARE ROW EXCLUSIVE MODE")


def _write_rejects(rejected: dict, streams: dict[str, Stream], folder: Path | None) -> list[Path]:
    written = []
    folder = Path(folder or ".")
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in rejected.items():
        stream = streams.get(name)
        base = Path(name).name.split(".")[0]
        seen, unique = set(), []
        for row, raw, message in sorted(rows, key=lambda r: r[0]):
            if row in seen:
                unique[-1] = (row, raw, unique[-1][2] + "; " + message)
                continue
            seen.add(row)
            unique.append((row, raw, message))
        if stream is not None and stream.layout == "jsonl":
            path = folder / f"{base}.rejects.jsonl"
            with open(path, "wb") as f:
                for row, raw, message in unique:
                    f.write(orjson.dumps({**raw, "_row": row, "_error": message}) + b"\n")
        else:
            path = folder / f"{base}.rejects.csv"
            header = list(stream.header if stream else []) or list(unique[0][1])
            with open(path, "w", newline="", encoding="utf-8") as f:
                out = csv.writer(f)
                out.writerow([*header, "_row", "_error"])
                for row, raw, message in unique:
                    out.writerow([_cell(raw.get(h)) for h in header] + [row, message])
        written.append(path)
    return written


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


def apply_snapshot(record_type: str, data: dict) -> None:
    """Write one record from its exchange form inside the current changeset (used by revert)."""
    cs = history.current()
    if cs is None:
        raise history.NoChangeset("apply_snapshot needs an open changeset")
    decoder = Decoder()
    decoded = decoder.decode(record_type, data)
    writer = Writer(cs.pk, decoder.sealer)
    problems = writer.write(record_type, [Located(("snapshot", 1), decoded)]) + writer.finish()
    if problems:
        raise ImportFailed([RowError(w[0], w[1], f, m) for w, f, m in problems])


__all__ = ["ImportFailed", "ImportReport", "ReadError", "RowError", "apply_snapshot", "Stream", "import_files", "import_streams", "open_streams"]
