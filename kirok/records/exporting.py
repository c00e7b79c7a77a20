"""Export: every live record, one file per record type, in the exchange format.

Full fidelity is the contract: export, import into an empty workspace, export again, and the
files are byte-for-byte the same. Records are written in order of their Kirok id, which does not
depend on the database or the order of insertion; children and lists are sorted.

Every export passes the consent gate (``kirok.protection.gate``) for one principal and one
recipient scope: only records the principal may see and the sources' consent covers leave,
protected values in plaintext only where allowed, and the disclosure is recorded. An internal
export by an authorised user (or the console operator) is the full-fidelity one.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from django.db.models import Prefetch

from kirok.records import exchange
from kirok.records.exchange import TypeSpec
from kirok.records.registry import ORDER, model_for

FORMATS = ("jsonl", "csv")
BATCH = 2000


def _queryset(spec: TypeSpec):
    model = spec.model
    qs = model.objects.order_by("uid")
    related = [f.name for f in spec.fields if f.kind in ("terms", "refs")]
    children = [Prefetch(f.name, queryset=f.children.model.objects.order_by("id")) for f in spec.fields if f.kind == "children"]
    return qs.prefetch_related(*related, *children)


def iter_dicts(record_type: str, terms: dict[int, str] | None = None, restrict: Callable | None = None):
    """Yield the exchange dicts of one type, batch by batch, with references primed per batch;
    ``restrict`` narrows the queryset (the consent gate, a compartment check)."""
    spec = exchange.type_spec(record_type)
    terms = terms if terms is not None else exchange.term_codes()
    refs = [f for f in spec.fields if f.kind == "ref"]
    uids = exchange.UidCache()
    qs = _queryset(spec)
    if restrict is not None:
        qs = restrict(qs)
    last = None
    while True:
        batch_qs = qs if last is None else qs.filter(uid__gt=last)
        batch = list(batch_qs[:BATCH])
        if not batch:
            return
        for f in refs:
            pks = {getattr(o, f.attname) for o in batch} - {None}
            if pks:
                target = model_for(f.target)
                uids.prime(f.target, target.all_objects.filter(pk__in=pks).values_list("id", "uid"))
        for obj in batch:
            yield exchange.to_dict(obj, terms, uids)
        last = batch[-1].uid


def _csv_columns(spec: TypeSpec) -> list[str]:
    return [f.name for f in spec.fields]


def _csv_cell(kind: str, value) -> str:
    if value is None:
        return ""
    if kind in ("terms", "refs"):
        return exchange.MULTI_SEPARATOR.join(value)
    if kind in ("json", "children"):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    if kind == "bool":
        return "true" if value else "false"
    return str(value)


@dataclass
class Exported:
    counts: dict[str, int] = field(default_factory=dict)
    withheld: dict[str, int] = field(default_factory=dict)  # records consent kept back
    disclosure: object = None  # kirok.protection.models.Disclosure


def export_all(
    folder: Path, fmt: str = "jsonl", progress: Callable[[str, int, int], None] | None = None, *,
    principal=None, scope: str = "internal", purpose: str = "",
) -> Exported:
    """Write ``<type>.<fmt>`` for every record type through the consent gate, for ``principal``
    (default: the console operator) and the recipient ``scope``. Files appear whole or not at
    all, and only once the disclosure is recorded."""
    from kirok.protection.gate import Gate
    from kirok.protection.principal import Principal

    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use {' or '.join(FORMATS)}")
    folder = Path(folder)
    gate = Gate(principal=principal or Principal.console(), scope=scope, destination=str(folder.resolve()), purpose=purpose)
    folder.mkdir(parents=True, exist_ok=True)
    terms = exchange.term_codes()
    result = Exported()
    written: dict[Path, str] = {}
    digests: dict[str, str] = {}
    try:
        for record_type in ORDER:
            target = folder / f"{record_type}.{fmt}"
            written[target], digests[target.name], result.counts[record_type] = _export_type(
                folder, record_type, fmt, gate, terms, progress
            )
        result.disclosure = gate.close(digests)
        for target, tmp in written.items():
            os.replace(tmp, target)
    except BaseException:
        for tmp in written.values():
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
    result.withheld = dict(gate.dropped)
    return result


def _export_type(folder: Path, record_type: str, fmt: str, gate, terms, progress) -> tuple[str, str, int]:
    """Write one type's file under a temporary name: (its path, its SHA-256, records)."""
    spec = exchange.type_spec(record_type)
    restrict = functools.partial(gate.queryset, record_type)
    total = restrict(spec.model.objects.all()).count()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{record_type}.", suffix=".part")
    n = 0
    try:
        with os.fdopen(fd, "wb" if fmt == "jsonl" else "w", **({} if fmt == "jsonl" else {"newline": "", "encoding": "utf-8"})) as out:
            if fmt == "csv":
                writer = csv.writer(out)
                columns = _csv_columns(spec)
                kinds = {f.name: f.kind for f in spec.fields}
                writer.writerow(columns)
            for data in iter_dicts(record_type, terms, restrict):
                data = gate.release(record_type, data)
                if fmt == "jsonl":
                    out.write(orjson.dumps(data) + b"\n")
                else:
                    writer.writerow([_csv_cell(kinds[c], data.get(c)) for c in columns])
                n += 1
                if progress and n % 5000 == 0:
                    progress(record_type, n, total)
    except BaseException:
        os.unlink(tmp)
        raise
    if progress:
        progress(record_type, n, total)
    return tmp, file_sha256(tmp), n


def file_sha256(path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
