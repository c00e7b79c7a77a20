"""Bundles: what leaves for a court or a UN mechanism, as a BagIt bag anyone can check offline.

``export_bundle`` writes, for a ``Selection`` passed through the consent gate: the evidence files
byte for byte, each item's capture record and custody history, every stored version of the
records they support, the ledger entries that commit to all of these with their inclusion proofs
against one signed checkpoint, and the log's public keys (the layout is in
``kirok.ledger.verifier``, section 8, and docs/bundles.md). ``verify_bundle`` is that verifier.

Order of work, so that nothing is half-written and nothing is logged that did not happen:

1. the gate decides what may leave (compartments, consent, the role); it opens with the request;
2. the evidence files are copied into ``DIR.partial``, hashed with SHA-256 and SHA-512 as they
   stream (compared with the vault's register: a damaged blob stops the export, named);
3. in one transaction: an "exported" custody event per item (logged in the ledger), a signed
   checkpoint over the log, the JSON files with their proofs, the manifests, the disclosure
   record, the tag files, and the rename of ``DIR.partial`` to ``DIR``. Any failure rolls the
   events back and removes the folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import orjson
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import kirok
from kirok.evidence.models import CustodyEvent
from kirok.evidence.services import record_custody
from kirok.evidence.storage import get_storage
from kirok.evidence.storage.pipeline import run as stream_hashes
from kirok.ledger import services as ledger
from kirok.ledger import verifier
from kirok.ledger.models import Entry, SigningKey
from kirok.ledger.tree import complete_subtrees, completed_by, inclusion_spans, resolve
from kirok.protection.gate import Gate
from kirok.protection.principal import Principal
from kirok.records.exchange import commitments_only
from kirok.records.models import Source, Version

from .selection import Selection

Progress = Callable[[str, int, "int | None"], None]

# Capture-record fields of free text that can lead to a witness (an interview reference, who
# handed a file over, notes). Scopes that pseudonymise persons withhold them; web origins (a URL,
# Berkeley Protocol para 155) and everything the custody chain needs stay.
IDENTIFYING_CAPTURE = ("origin", "capture_notes", "derivation_notes")
ITEM = "evidence_item"
REDACTION = "redaction"  # the derivative operation that makes the copy of an original that may leave masked
BATCH = 500


class BundleError(Exception):
    """An export that cannot be made as asked; the message says what and how to fix it."""


@dataclass
class Exported:
    path: Path
    bundle_id: str
    items: int = 0
    records: int = 0
    versions: int = 0
    bytes: int = 0
    withheld: dict[str, int] = field(default_factory=dict)
    disclosure: object = None
    checkpoint: object = None


# --- file names and hashes -------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\%]")


def safe_name(name: str) -> str:
    """An original file name usable as one path component that ``sha256sum -c`` reads back:
    no folders, control characters or "%" (which BagIt would percent-encode), at most 200 bytes."""
    name = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if name in ("", ".", ".."):
        return "item"
    stem, dot, suffix = name.rpartition(".")
    while len(name.encode()) > 200:
        stem = stem[:-1] if dot and stem else ""
        name = f"{stem}.{suffix}" if dot and stem else name[:-1]
    return name


@dataclass(frozen=True)
class Written:
    sha256: str
    sha512: str
    size: int


class _Bag:
    """The folder being written: every payload file goes through here and is remembered."""

    def __init__(self, root: Path):
        self.root = root
        self.payload: dict[str, Written] = {}

    def write_json(self, rel: str, doc) -> None:
        data = orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
        self.write_bytes(f"data/{rel}", data)

    def write_bytes(self, rel: str, data: bytes, *, payload: bool = True) -> Written:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written = Written(hashlib.sha256(data).hexdigest(), hashlib.sha512(data).hexdigest(), len(data))
        if payload:
            self.payload[rel] = written
        return written

    def manifest(self, algorithm: str, files: dict[str, Written]) -> bytes:
        """``sha256sum`` lines ("<hex>  <path>"), sorted by path: for the payload, the very
        listing the disclosure's digest is the SHA-256 of (``gate.manifest_digest``)."""
        return "".join(f"{getattr(files[p], algorithm)}  {verifier.encode_bag_path(p)}\n" for p in sorted(files)).encode()


# --- what leaves -------------------------------------------------------------------------------


def _gated(gate: Gate, selection: Selection) -> tuple[list, dict[str, list[str]]]:
    """(items that may leave, {record type: uids that may leave}). An item follows its source
    (compartments and consent, as the gate decides for the source); an item with no source
    leaves with the read_records capability, as a record with no source does. Under a scope that
    masks protected values, an original that has a redacted copy stays home: the copy goes."""
    uids: dict[str, list[str]] = {}
    for record_type, queryset in selection.records().items():
        allowed = gate.queryset(record_type, queryset)
        uids[record_type] = [str(u) for u in allowed.order_by("uid").values_list("uid", flat=True)]
    sources = set(Source.objects.filter(uid__in=uids.get("source", [])).values_list("pk", flat=True))
    candidates = list(selection.items().select_related("source", "derived_from", "html_source", "page_capture").order_by("id"))
    sourceless = gate.principal.can("read_records")
    items = [i for i in candidates if (i.source_id in sources if i.source_id else sourceless)]
    if not gate.scope.reveal:
        redacted = {i.derived_from_id for i in items if i.operation == REDACTION}
        items = [i for i in items if i.pk not in redacted]
    if len(items) < len(candidates):
        gate.dropped[ITEM] = len(candidates) - len(items)
    return items, uids


def _copy_items(bag: _Bag, items: list, progress: Progress | None) -> dict[int, str]:
    """Stream each item's bytes into data/items/<sha256>/<name>, hashed on the way; {item pk:
    path under data/}. Bytes that differ from the register stop the export."""
    storage = get_storage()
    paths: dict[int, str] = {}
    total = sum(i.size for i in items)
    done = 0
    copied: set[str] = set()
    for item in items:
        rel = f"items/{item.sha256}/{safe_name(item.original_name or item.sha256)}"
        paths[item.pk] = rel
        if rel in copied:
            continue
        target = bag.root / "data" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(item.sha256) as stream, open(target, "wb") as out:
            report = (lambda n, base=done: progress(_("evidence files (bytes)"), base + n, total)) if progress else None
            blob = stream_hashes(stream, [out.write], progress=report)
        if (blob.sha256, blob.sha512, blob.size) != (item.sha256, item.sha512, item.size):
            raise BundleError(
                _("item %(uid)s (%(name)s): the vault's bytes at %(location)s no longer match its register (SHA-256 %(found)s, "
                  "%(size)s bytes); nothing was exported; run `kirok vault verify`")
                % {"uid": item.uid, "name": item.original_name, "location": storage.location(item.sha256),
                   "found": blob.sha256, "size": blob.size}
            )
        bag.payload[f"data/{rel}"] = Written(blob.sha256, blob.sha512, blob.size)
        copied.add(rel)
        done += item.size
    return paths


# --- proofs --------------------------------------------------------------------------------------


def _entries(subjects: list[str]) -> dict[str, Entry]:
    """The first ledger entry of each subject."""
    found: dict[str, Entry] = {}
    for start in range(0, len(subjects), BATCH):
        for entry in Entry.objects.filter(subject__in=subjects[start:start + BATCH]).order_by("index"):
            found.setdefault(entry.subject, entry)
    return found


def _version_paths(changeset_id: int, wanted: set[int]) -> dict[int, tuple[int, int, list[str]]]:
    """{version id: (position, count, path)} in the tree the changeset's entry logged: one pass
    over the ids for the positions, one over the digests collecting the subtrees the paths need,
    in O(log n) memory however large the changeset (an import of millions is one)."""
    ids = Version.objects.filter(changeset_id=changeset_id).order_by("id").values_list("id", flat=True)
    positions, count = {}, 0
    for count, vid in enumerate(ids.iterator(chunk_size=10000), 1):
        if vid in wanted:
            positions[vid] = count - 1
    spans = {vid: inclusion_spans(pos, count) for vid, pos in positions.items()}
    needed = {t for s in spans.values() for a, b in s for t in complete_subtrees(a, b)}
    found: dict[tuple[int, int], bytes] = {}
    stack: list[bytes] = []
    for n, digest in enumerate(ledger.version_digests(changeset_id)):
        h = verifier.leaf_hash(bytes.fromhex(digest))
        if (0, n) in needed:
            found[(0, n)] = h
        for level, index, node in completed_by(n, h, stack):
            if (level, index) in needed:
                found[(level, index)] = node
    return {vid: (positions[vid], count, [h.hex() for h in resolve(spans[vid], lambda want: found)]) for vid in positions}


# --- writing -------------------------------------------------------------------------------------


def _capture(item, withhold: bool) -> tuple[dict, list[str]]:
    capture = item.capture_record()
    if not withhold:
        return capture, []
    hidden = [k for k in IDENTIFYING_CAPTURE if capture.get(k) and not (k == "origin" and item.origin_kind == "web")]
    return {**capture, **dict.fromkeys(hidden, None)}, hidden


def _write_items(bag: _Bag, items: list, paths: dict[int, str], gate: Gate, proved: dict[int, Entry]) -> list[dict]:
    events: dict[int, list[CustodyEvent]] = {item.pk: [] for item in items}
    by_pk = {item.pk: item for item in items}
    for start in range(0, len(items), BATCH):
        chosen = [i.pk for i in items[start:start + BATCH]]
        for event in CustodyEvent.objects.filter(item_id__in=chosen).order_by("item_id", "id"):
            event.item = by_pk[event.item_id]  # what canonical() reads, without a query per event
            events[event.item_id].append(event)
    entries = _entries([f"custody:{e.pk}" for evs in events.values() for e in evs])
    listed = []
    for item in items:
        custody = []
        for event in events[item.pk]:
            entry = entries.get(f"custody:{event.pk}")
            if entry is None:
                raise BundleError(_("custody event %(id)s of item %(uid)s has no ledger entry; run `kirok ledger verify`")
                                  % {"id": event.pk, "uid": item.uid})
            proved[entry.index] = entry
            custody.append({"event": event.canonical(), "digest": event.digest, "entry": entry.index})
        capture, withheld = _capture(item, gate.scope.pseudonymise)
        doc = {"capture": capture, "custody": custody, "file": paths[item.pk]}
        if withheld:
            doc["withheld"] = {"fields": withheld, "why": _("scope %(scope)s withholds free text that may identify a witness")
                               % {"scope": gate.scope.code}}
        record = f"evidence/{item.uid}.json"
        bag.write_json(record, doc)
        listed.append({"id": str(item.uid), "sha256": item.sha256, "file": paths[item.pk], "record": record,
                       "original": item.is_original})
    return listed


def _write_records(bag: _Bag, uids: dict[str, list[str]], gate: Gate, proved: dict[int, Entry],
                   progress: Progress | None) -> tuple[list[str], int]:
    """One file per record with every stored version; returns (the files, versions written)."""
    plain = not gate.scope.pseudonymise and not gate.scope.drop
    refs: list[tuple[str, str, list[tuple[int, int]]]] = []  # (type, uid, [(version id, changeset id)])
    by_changeset: dict[int, set[int]] = {}
    for record_type, chosen in uids.items():
        for start in range(0, len(chosen), BATCH):
            rows = Version.objects.filter(record_type=record_type, record_uid__in=chosen[start:start + BATCH])
            grouped: dict[str, list[tuple[int, int]]] = {}
            for vid, uid, cid in rows.order_by("record_uid", "id").values_list("id", "record_uid", "changeset_id"):
                grouped.setdefault(str(uid), []).append((vid, cid))
                by_changeset.setdefault(cid, set()).add(vid)
            refs.extend((record_type, uid, grouped[uid]) for uid in sorted(grouped))
    paths: dict[int, tuple[int, int, list[str]]] = {}
    for cid, vids in by_changeset.items():
        paths.update(_version_paths(cid, vids))
    entries = _entries([f"changeset:{cid}" for cid in by_changeset])
    files, total = [], sum(len(v) for _t, _u, v in refs)
    written = 0
    for record_type, uid, versions in refs:
        out_versions, released_id = [], uid
        for version in Version.objects.filter(pk__in=[v for v, _c in versions]).order_by("id"):
            entry = entries.get(f"changeset:{version.changeset_id}")
            if entry is None:
                raise BundleError(_("changeset %(id)s (version %(version)s) has no ledger entry; run `kirok ledger verify`")
                                  % {"id": version.changeset_id, "version": version.pk})
            proved[entry.index] = entry
            released = gate.release(record_type, version.data)
            released_id = released.get("id", uid)
            position, count, path = paths[version.pk]
            doc = {"version": version.pk, "changeset": version.changeset_id, "action": version.action, "digest": version.digest,
                   "entry": entry.index, "position": position, "count": count, "path": path, "released": released}
            if plain:
                doc["committed"] = commitments_only(version.data)
            out_versions.append(doc)
        rel = f"records/{record_type}/{released_id}.json"
        bag.write_json(rel, {"record_type": record_type, "id": released_id, "versions": out_versions})
        files.append(rel)
        written += len(out_versions)
        if progress:
            progress(_("record versions"), written, total)
    return files, written


def _write_ledger(bag: _Bag, checkpoint, proved: dict[int, Entry]) -> None:
    keys = []
    key_entries = _entries([f"key:{k.key_id}" for k in SigningKey.objects.order_by("created", "id")])
    for key in SigningKey.objects.order_by("created", "id"):
        entry = key_entries.get(f"key:{key.key_id}")
        if entry is not None and entry.index < checkpoint.tree_size:
            proved[entry.index] = entry
            keys.append({"vkey": key.vkey, "created": verifier.format_time(key.created), "entry": entry.index})
    origin = ledger.origin()
    bag.write_bytes("data/ledger/checkpoint.txt", checkpoint.note(origin).encode())
    bag.write_json("ledger/keys.json", {"keys": keys})
    bag.write_json("ledger/entries.json", {
        "origin": origin, "tree_size": checkpoint.tree_size, "root": bytes(checkpoint.root).hex(),
        "entries": [entry.as_dict() | {"path": path} for entry, path in _inclusion_paths(proved, checkpoint.tree_size)],
    })


def _inclusion_paths(proved: dict[int, Entry], size: int) -> Iterator[tuple[Entry, list[str]]]:
    """Each entry's RFC 6962 PATH at ``size``, the stored hashes of a batch of entries fetched
    together (one query, not one per entry: a bundle of a thousand items proves thousands)."""
    chosen = sorted(proved.items())
    for start in range(0, len(chosen), 100):
        batch = chosen[start:start + 100]
        spans = [inclusion_spans(index, size) for index, _entry in batch]
        hashes = iter(resolve([span for path in spans for span in path], ledger.lookup))
        for (_index, entry), path in zip(batch, spans):
            yield entry, [next(hashes).hex() for _ in path]


def _write_tags(bag: _Bag, info: dict[str, str]) -> None:
    """The manifests, bag-info.txt (Payload-Oxum first), bagit.txt, and the tag manifests over them."""
    tags = {f"manifest-{a}.txt": bag.write_bytes(f"manifest-{a}.txt", bag.manifest(a, bag.payload), payload=False)
            for a in ("sha256", "sha512")}
    size = sum(w.size for w in bag.payload.values())
    fields = {"Payload-Oxum": f"{size}.{len(bag.payload)}", **info}
    text = "".join(f"{k}: {' '.join(str(v).split())}\n" for k, v in fields.items())
    tags["bag-info.txt"] = bag.write_bytes("bag-info.txt", text.encode(), payload=False)
    tags["bagit.txt"] = bag.write_bytes("bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", payload=False)
    for algorithm in ("sha256", "sha512"):
        bag.write_bytes(f"tagmanifest-{algorithm}.txt", bag.manifest(algorithm, tags), payload=False)


def _organization(given: str) -> str:
    return given or getattr(settings, "KIROK_ORGANIZATION", "") or f"Kirok workspace {ledger.origin()}"


def export_bundle(output: Path | str, selection: Selection, *, scope: str, purpose: str, principal: Principal | None = None,
                  organization: str = "", progress: Progress | None = None) -> Exported:
    """Write the bundle for ``selection`` to the new folder ``output`` for recipients of
    ``scope``, as ``principal`` (default: the console operator). See the module docstring."""
    output = Path(output)
    if not purpose.strip():
        raise BundleError(_("say why this bundle is made (--purpose): it goes into every item's custody and the disclosure record"))
    if output.exists():
        raise BundleError(_("%(dir)s exists; a bundle is written into a new folder, never over another") % {"dir": output})
    partial = output.with_name(output.name + ".partial")
    if partial.exists():
        raise BundleError(_("%(dir)s is left from an interrupted export; remove it and run the export again") % {"dir": partial})
    if not output.parent.is_dir():
        raise BundleError(_("%(dir)s does not exist; make it first") % {"dir": output.parent})
    gate = Gate(principal=principal or Principal.console(), scope=scope, destination=str(output.resolve()), purpose=purpose)
    items, uids = _gated(gate, selection)
    bundle_id = str(uuid.uuid4())
    result = Exported(output, bundle_id)
    partial.mkdir()
    renamed = False
    try:
        bag = _Bag(partial)
        paths = _copy_items(bag, items, progress)
        with transaction.atomic():
            for item in items:
                record_custody(item, "exported", user=gate.principal.user, actor=gate.principal.actor, reason=purpose.strip(),
                               details={"bundle": bundle_id, "scope": gate.scope.code, "destination": gate.destination})
            checkpoint = ledger.checkpoint()
            proved: dict[int, Entry] = {}
            listed = _write_items(bag, items, paths, gate, proved)
            records, result.versions = _write_records(bag, uids, gate, proved, progress)
            _write_ledger(bag, checkpoint, proved)
            created = timezone.now()
            bag.write_json("bundle.json", {
                "format": verifier.BUNDLE_FORMAT, "id": bundle_id, "created": verifier.format_time(created),
                "scope": gate.scope.code, "purpose": purpose.strip(), "selection": selection.describe(),
                "made_by": gate.principal.actor, "kirok_version": kirok.__version__, "items": listed, "records": records,
                "withheld": dict(gate.dropped), "versions_recomputable": not gate.scope.pseudonymise and not gate.scope.drop,
            })
            for record_type, released in list(gate.released.items()):
                gate.released[record_type] = sorted(set(released))  # a record leaves once, with all its versions
            gate.released[ITEM] = [str(i.uid) for i in items]
            disclosure = gate.close({rel: w.sha256 for rel, w in bag.payload.items()})
            _write_tags(bag, {
                "Source-Organization": _organization(organization),
                "Bagging-Date": date.today().isoformat(),
                "External-Identifier": bundle_id,
                "External-Description": f"{selection.describe()}; scope {gate.scope.code}; {purpose.strip()}",
                "Bag-Software-Agent": f"Kirok {kirok.__version__}",
                "Kirok-Version": kirok.__version__,
                "Kirok-Scope": gate.scope.code,
                "Kirok-Disclosure": f"{disclosure.uid} sha256 {disclosure.digest}",
                "Kirok-Checkpoint": f"{ledger.origin()} size {checkpoint.tree_size} root {bytes(checkpoint.root).hex()}",
            })
            os.replace(partial, output)
            renamed = True
    except BaseException:
        shutil.rmtree(output if renamed else partial, ignore_errors=True)
        raise
    result.items, result.records = len(items), len(records)
    result.bytes = sum(w.size for w in bag.payload.values())
    result.withheld, result.disclosure, result.checkpoint = dict(gate.dropped), disclosure, checkpoint
    return result


def verify_bundle(path: Path | str, keys: list[str] | None = None,
                  progress: Callable[[int, int], None] | None = None) -> verifier.BagReport:
    """The stand-alone verifier's full check of a bundle (Kirok runs exactly what recipients run)."""
    return verifier.verify_bundle(Path(path), keys or [], progress)
