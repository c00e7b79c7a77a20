"""What the CLI, the admin and (later) the web pages, the API and bundles call to handle evidence.

Intake stores the bytes first and writes the register second: a crash in between leaves at most
a complete, unregistered blob (reported by ``verify_vault``, taken up again by the next intake of
the same file), never a register row that points at nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kirok.evidence import terms
from kirok.evidence.clock import system_clock_source
from kirok.evidence.errors import BlobConflict, BlobMissing, EvidenceError
from kirok.evidence.metadata import read_embedded
from kirok.evidence.models import CustodyEvent, Item
from kirok.evidence.protected import seal_metadata
from kirok.evidence.storage import Storage, StoredBlob, get_storage

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Capture:
    """How an item was collected (Berkeley Protocol ch. VI.C): what a court asks of its provenance."""

    collector: str = ""
    collected_at: datetime | None = None
    clock_source: str = ""
    method: str = ""
    tool: str = ""
    tool_version: str = ""
    device: str = ""
    origin_kind: str = ""
    origin: str = ""
    notes: str = ""

    def as_dict(self) -> dict:
        data = asdict(self)
        data["collected_at"] = self.collected_at.isoformat() if self.collected_at else None
        return data


@dataclass(frozen=True)
class Intake:
    item: Item
    created: bool  # False: the vault already held these bytes as this item; a new receipt was recorded


def _who(user, actor: str) -> str:
    return actor or (user.get_username() if user else "system")


# --- custody ----------------------------------------------------------------------------------

def record_custody(item: Item, action: str, *, user=None, actor: str = "", reason: str = "", details: dict | None = None) -> CustodyEvent:
    """Append one custody event (the ledger is told inside the same transaction)."""
    terms.check(terms.CUSTODY_ACTIONS, action, "action")
    return CustodyEvent.objects.create(
        item=item, action=action, user=user, actor=_who(user, actor), reason=reason, details=details or {},
    )


def custody_of(item: Item):
    """The item's custody events, oldest first."""
    return item.custody.select_related("user").order_by("id")


# --- intake -----------------------------------------------------------------------------------

def _checked_capture(capture: Capture, *, web_parts: bool) -> Capture:
    """Codes in force, an aware collection time, and a URL for a web item; filled defaults."""
    if capture.collected_at is None:
        capture = replace(capture, collected_at=timezone.now(), clock_source=capture.clock_source or system_clock_source())
    elif timezone.is_naive(capture.collected_at):
        raise EvidenceError(
            _("collection time %(time)s has no time zone; give one, e.g. 2024-05-01T14:30:00+09:00 or …Z for UTC")
            % {"time": capture.collected_at.isoformat()}
        )
    if web_parts and not capture.origin_kind:
        capture = replace(capture, origin_kind="web")
    for vocabulary, name in ((terms.CLOCK_SOURCES, "clock_source"), (terms.CAPTURE_METHODS, "method"), (terms.ORIGIN_KINDS, "origin_kind")):
        if getattr(capture, name):
            terms.check(vocabulary, getattr(capture, name), name)
    if capture.origin_kind == "web":
        url = urlparse(capture.origin)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise EvidenceError(
                _("origin: a web item needs the URL it was captured from (http:// or https://), not %(origin)r")
                % {"origin": capture.origin}
            )
    elif web_parts:
        raise EvidenceError(_("an HTML source or a full-page capture belongs to a web item: set the origin kind to web and the origin to its URL"))
    return capture


def _open(path: Path) -> BinaryIO:
    try:
        return open(path, "rb", buffering=0)
    except OSError as exc:
        raise EvidenceError(_("%(path)s cannot be read: %(reason)s") % {"path": path, "reason": exc.strerror}) from None


def add_file(path: Path | str, *, source=None, capture: Capture = Capture(), user=None, actor: str = "", reason: str = "",
             media_type: str = "", html_source: Item | None = None, page_capture: Item | None = None,
             progress: Progress | None = None) -> Intake:
    """Take a file into the vault as an original and record its receipt.

    Without an origin, the origin is the file's own path (kind "file"). The same bytes taken in
    again are the same item: the new receipt, with its capture record, joins its custody.
    """
    path = Path(path)
    if path.is_dir():
        raise EvidenceError(_("%(path)s is a folder; name the files in it") % {"path": path})
    if not capture.origin and capture.origin_kind in ("", "file"):
        capture = replace(capture, origin=str(path.absolute()), origin_kind="file")
    with _open(path) as stream:
        return add_stream(
            stream, name=path.name, source=source, capture=capture, user=user, actor=actor, reason=reason,
            media_type=media_type, html_source=html_source, page_capture=page_capture, progress=progress,
        )


def add_stream(stream, *, name: str, source=None, capture: Capture = Capture(), user=None, actor: str = "",
               reason: str = "", media_type: str = "", html_source: Item | None = None, page_capture: Item | None = None,
               progress: Progress | None = None) -> Intake:
    """``add_file`` for bytes that are not a file of their own (an upload, a member of an archive)."""
    capture = _checked_capture(capture, web_parts=bool(html_source or page_capture))
    for part in (html_source, page_capture):
        if part is not None and not part.is_original:
            raise EvidenceError(_("%(item)s is a derivative; link the original capture instead") % {"item": part})
    return _intake(
        stream, name=name, media_type=media_type, progress=progress, who=(user, actor, reason),
        fields={"source": source, "html_source": html_source, "page_capture": page_capture, **_capture_fields(capture)},
        again_details={"capture": capture.as_dict(), "original_name": name},
    )


def add_derivative(original: Item, path_or_stream, *, operation: str, notes: str = "", name: str = "",
                   capture: Capture = Capture(), user=None, actor: str = "", reason: str = "", media_type: str = "",
                   progress: Progress | None = None) -> Intake:
    """Store a redacted copy, transcript, translation, excerpt … as a new item linked to its original.

    The original is not touched: its custody gains a "derived" event naming the new item, whose
    own custody starts with its receipt.
    """
    terms.check(terms.OPERATIONS, operation, "operation")
    capture = _checked_capture(capture, web_parts=False)
    if isinstance(path_or_stream, (str, Path)):
        stream, name = _open(Path(path_or_stream)), name or Path(path_or_stream).name
    else:
        stream = path_or_stream

    def note_in_original(derivative: Item) -> None:
        record_custody(
            original, "derived", user=user, actor=actor, reason=reason,
            details={"derivative": str(derivative.uid), "sha256": derivative.sha256, "operation": operation},
        )

    with stream:
        return _intake(
            stream, name=name, media_type=media_type, progress=progress, who=(user, actor, reason),
            fields={"source": original.source, "derived_from": original, "operation": operation, "derivation_notes": notes,
                    **_capture_fields(capture)},
            again_details={"original_name": name, "operation": operation}, then=note_in_original,
        )


def _capture_fields(capture: Capture) -> dict:
    return {
        "collector": capture.collector, "collected_at": capture.collected_at, "clock_source": capture.clock_source,
        "method": capture.method, "tool": capture.tool, "tool_version": capture.tool_version, "device": capture.device,
        "origin_kind": capture.origin_kind, "origin": capture.origin, "capture_notes": capture.notes,
    }


def _intake(stream, *, name: str, media_type: str, progress: Progress | None, who: tuple, fields: dict,
            again_details: dict, then: Callable[[Item], None] | None = None) -> Intake:
    """Store, then register: the item, its receipt and ``then(item)`` in one transaction."""
    user, actor, reason = who
    storage = get_storage()
    blob = storage.put(stream, progress=progress)
    twin = {"sha256": blob.sha256, "derived_from": fields.get("derived_from")}
    existing = Item.objects.filter(**twin).first()
    if existing is not None:
        return _received_again(existing, blob, storage, who, again_details)
    metadata, media_type = _embedded(storage, blob.sha256, name, media_type)
    uid = uuid.uuid4()  # the sealed metadata is bound to the item's id
    try:
        with transaction.atomic():
            item = Item.objects.create(
                uid=uid, sha256=blob.sha256, sha512=blob.sha512, size=blob.size, media_type=media_type, original_name=name,
                metadata=seal_metadata(uid, metadata), **fields,
            )
            details = {"vault": storage.url}
            if item.derived_from_id:
                details |= {"derived_from": item.derived_from.sha256, "operation": item.operation}
            record_custody(item, "received", user=user, actor=actor, reason=reason, details=details)
            if then:
                then(item)
    except IntegrityError:
        existing = Item.objects.filter(**twin).first()
        if existing is None:
            raise
        return _received_again(existing, blob, storage, who, again_details)  # another intake of the same bytes won the race
    return Intake(item, True)


def _received_again(item: Item, blob: StoredBlob, storage: Storage, who: tuple, details: dict) -> Intake:
    if (item.sha512, item.size) != (blob.sha512, blob.size):
        raise BlobConflict(
            _("item %(uid)s has SHA-256 %(sha)s but the register's SHA-512 or size differ from those of the new bytes: "
              "the register is damaged; run `kirok vault verify`") % {"uid": item.uid, "sha": blob.sha256}
        )
    user, actor, reason = who
    record_custody(item, "received", user=user, actor=actor, reason=reason, details={"again": True, "vault": storage.url, **details})
    return Intake(item, False)


def _embedded(storage: Storage, sha256: str, name: str, media_type: str) -> tuple[dict, str]:
    """Read from the stored bytes, so the metadata is that of exactly what the vault holds."""
    with storage.open(sha256) as stream:
        return read_embedded(stream, name=name, media_type=media_type)


# --- reading ----------------------------------------------------------------------------------

def find_item(ref: str) -> Item:
    """An item by its id, its SHA-256, or an unambiguous SHA-256 prefix of at least 8 characters."""
    ref = ref.strip().lower()
    try:
        return Item.objects.get(uid=uuid.UUID(ref))
    except (ValueError, Item.DoesNotExist):
        pass
    if len(ref) < 8 or any(c not in "0123456789abcdef" for c in ref):
        raise EvidenceError(_("%(ref)r is neither an item id nor a SHA-256 (or a prefix of 8 or more of its characters)") % {"ref": ref})
    found = list(Item.objects.filter(sha256__startswith=ref).order_by("id")[:10])
    originals = [i for i in found if i.is_original]
    if len(found) == 1 or (len(originals) == 1 and len({i.sha256 for i in found}) == 1):
        return originals[0] if originals else found[0]
    if not found:
        raise EvidenceError(_("no evidence item has SHA-256 %(ref)s…") % {"ref": ref})
    listed = ", ".join(f"{i.uid} ({i.sha256[:16]}…)" for i in found)
    raise EvidenceError(_("%(ref)s matches several items: %(items)s; give more characters or the item id") % {"ref": ref, "items": listed})


def open_item(item: Item, *, user=None, actor: str = "", reason: str, action: str = "accessed",
              details: dict | None = None) -> BinaryIO:
    """The stored bytes, read-only; the access (or copy) is recorded first, with its reason."""
    if not reason.strip():
        raise EvidenceError(_("say why item %(uid)s is opened: the reason goes into its custody record") % {"uid": item.uid})
    storage = get_storage()
    stream = storage.open(item.sha256)
    try:
        record_custody(item, action, user=user, actor=actor, reason=reason, details={"vault": storage.url, **(details or {})})
    except BaseException:
        stream.close()
        raise
    return stream


# --- verification -----------------------------------------------------------------------------

@dataclass
class BlobProblem:
    kind: str  # missing | altered | unreadable | register
    sha256: str
    location: str
    message: str
    items: list[Item]
    found: StoredBlob | None = None

    def describe(self) -> str:
        names = "; ".join(f"item {i.uid} «{i.original_name}»" for i in self.items)
        return f"{self.kind.upper()}: {names} (SHA-256 {self.sha256}): {self.message}"


@dataclass
class VaultReport:
    vault: str
    blobs: int = 0
    items: int = 0
    bytes: int = 0
    problems: list[BlobProblem] = field(default_factory=list)
    disposed: list[str] = field(default_factory=list)  # absent, as every item holding them was disposed of
    unregistered: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_vault(*, progress: Callable[[int, int], None] | None = None, record: bool = True, user=None,
                 actor: str = "kirok vault verify") -> VaultReport:
    """Hash every registered blob again and compare it with the register.

    Each problem names the item(s), the blob's location and what differs. With ``record``, each
    item's custody gains a "verified" event with the result: the integrity checks themselves
    become part of the chain of custody. A blob that is gone after every item holding it was
    disposed of is expected, and listed as such. Blobs without an item and partial writes from
    interrupted intakes are listed too; they are not failures.
    """
    storage = get_storage()
    groups: dict[str, list[Item]] = {}
    for item in Item.objects.order_by("sha256", "id"):
        groups.setdefault(item.sha256, []).append(item)
    disposed = set(CustodyEvent.objects.filter(action="disposed").values_list("item_id", flat=True))
    total = sum(items[0].size for items in groups.values())
    report = VaultReport(vault=storage.url)
    for sha256, items in groups.items():
        problem = _check_blob(storage, sha256, items, lambda n: progress(report.bytes + n, total) if progress else None)
        if problem and problem.kind == "missing" and all(i.pk in disposed for i in items):
            problem = replace(problem, kind="disposed")
        report.blobs += 1
        report.items += len(items)
        report.bytes += items[0].size
        if progress:
            progress(report.bytes, total)
        if problem and problem.kind == "disposed":
            report.disposed.append(sha256)
        elif problem:
            report.problems.append(problem)
        if record:
            details = {"result": problem.kind if problem else "intact", "vault": storage.url}
            if problem and problem.found:
                details |= {"found_sha256": problem.found.sha256, "found_size": problem.found.size}
            with transaction.atomic():
                for item in items:
                    record_custody(item, "verified", user=user, actor=actor, reason=_("vault verification"), details=details)
    report.unregistered = sorted(set(storage.names()) - set(groups))
    report.leftovers = storage.leftovers()
    return report


def _check_blob(storage: Storage, sha256: str, items: list[Item], progress: Progress) -> BlobProblem | None:
    location = storage.location(sha256)
    registered = {(i.sha512, i.size) for i in items}
    if len(registered) > 1:
        return BlobProblem("register", sha256, location, _("the register's items disagree on SHA-512 or size"), items)
    sha512, size = registered.pop()
    try:
        found = storage.rehash(sha256, progress=progress)
    except BlobMissing as exc:
        return BlobProblem("missing", sha256, location, str(exc), items)
    except Exception as exc:  # an I/O or network failure on one blob must not hide the rest
        return BlobProblem("unreadable", sha256, location, f"{location}: {type(exc).__name__}: {exc}", items)
    if found.sha256 != sha256:
        if found.size != size:
            message = _("%(location)s has %(found)d bytes, the register says %(size)d; its SHA-256 is now %(now)s") % {
                "location": location, "found": found.size, "size": size, "now": found.sha256}
        else:
            message = _("%(location)s has the right size but different bytes; its SHA-256 is now %(now)s") % {
                "location": location, "now": found.sha256}
        return BlobProblem("altered", sha256, location, message, items, found)
    if (found.sha512, found.size) != (sha512, size):
        message = _("the blob at %(location)s matches its SHA-256 but not the register's SHA-512 or size "
                    "(register: %(size)d bytes, SHA-512 %(reg)s…; blob: %(found)d bytes, SHA-512 %(now)s…)") % {
            "location": location, "size": size, "reg": sha512[:16], "found": found.size, "now": found.sha512[:16]}
        return BlobProblem("register", sha256, location, message, items, found)
    return None
