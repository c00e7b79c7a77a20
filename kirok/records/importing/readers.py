"""Readers turn a file into numbered rows (dicts of strings or JSON values).

Row numbers are the ones a person sees: a spreadsheet's row (the header is row 1, so the first
record is row 2) and a JSON Lines file's line number. Every reader streams, so a file of a
million rows never sits in memory whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson

from kirok.types.text import NUL_MESSAGE


class ReadError(ValueError):
    """The file itself cannot be read (encoding, broken JSON, not a spreadsheet)."""

    def __init__(self, path: Path | str, row: int | None, message: str):
        self.path, self.row, self.message = str(path), row, message
        super().__init__(f"{path}:{row or 0}: {message}")

    def __reduce__(self):
        return (ReadError, (self.path, self.row, self.message))


Row = tuple[int, dict]

csv.field_size_limit(sys.maxsize)


def _sniff_delimiter(sample: str) -> str:
    first = sample.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _contains_nul(stream: io.TextIOBase) -> bool:
    """One fast pass for U+0000 (which no database stores), so rows are searched only when needed."""
    try:
        while chunk := stream.read(1 << 20):
            if "\x00" in chunk:
                return True
        return False
    finally:
        stream.seek(0)


def read_csv_stream(stream: io.TextIOBase, name: str) -> Iterator[Row]:
    """Rows of a CSV with a header. Spreadsheet row numbers count physical lines of the file."""
    sample = stream.read(65536)
    stream.seek(0)
    has_nul = _contains_nul(stream)
    reader = csv.reader(stream, delimiter=_sniff_delimiter(sample))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise ReadError(name, 1, f"not a CSV file ({exc})") from None
    header = [h.lstrip("\ufeff").strip() for h in header]
    if has_nul and any("\x00" in h for h in header):
        raise ReadError(name, 1, f"the header {NUL_MESSAGE}")
    seen = set()
    for h in header:
        if h in seen:
            raise ReadError(name, 1, f"column {h!r} appears twice in the header")
        seen.add(h)
    row_number = 1  # as a spreadsheet counts: one per record, a quoted line break stays in its row
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ReadError(name, row_number + 1, f"broken CSV ({exc})") from None
        row_number += 1
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            raise ReadError(name, row_number, f"{len(values)} values but only {len(header)} columns in the header")
        if has_nul:
            for column, value in zip(header, values):
                if "\x00" in value:
                    raise ReadError(name, row_number, f"{column or 'a column without a header'} {NUL_MESSAGE}")
        yield row_number, dict(zip(header, values))


def read_csv(path: Path) -> Iterator[Row]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            yield from read_csv_stream(f, str(path))
    except UnicodeDecodeError as exc:
        raise ReadError(path, None, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV") from None


def read_jsonl(path: Path) -> Iterator[Row]:
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ReadError(path, number, f"not valid JSON ({exc})") from None
            if not isinstance(value, dict):
                raise ReadError(path, number, "each line must be a JSON object")
            yield number, value


def read_xlsx(path: Path) -> Iterator[Row]:
    """Every sheet with a header row; a sheet named after a record type holds that type."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ReadError(path, None, f"not an Excel workbook ({exc.__class__.__name__}: {exc})") from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        names = [str(h).strip() if h is not None else "" for h in header]
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            yield number, {n: _cell(v) for n, v in zip(names, values) if n}
    finally:
        book.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


READERS = {".csv": read_csv, ".jsonl": read_jsonl, ".ndjson": read_jsonl, ".xlsx": read_xlsx}


def reader_for(path: Path):
    try:
        return READERS[path.suffix.lower()]
    except KeyError:
        raise ReadError(path, None, f"unknown file type {path.suffix!r}; use .csv, .xlsx, .jsonl or a Uwazi .zip") from None


def decode_utf8(data: bytes, name: str) -> str:
    try:
        return codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(name, None, f"not UTF-8 text (byte {exc.start})") from None
