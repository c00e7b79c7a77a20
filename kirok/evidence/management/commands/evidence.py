import shutil
import sys
from argparse import ArgumentTypeError
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import orjson
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.evidence import services, terms
from kirok.evidence.errors import BlobMissing, EvidenceError
from kirok.evidence.metadata import IFD_NAMES
from kirok.evidence.protected import metadata_of
from kirok.evidence.storage import pipeline
from kirok.protection.principal import Principal
from kirok.records.exchange import canonical_uuid
from kirok.records.models import Source
from kirok.records.progress import progress_bar

BAR_FROM = 32 << 20  # files smaller than this go in without a progress bar


def find_source(ref: str) -> Source:
    uid = canonical_uuid(ref.strip())
    source = Source.all_objects.filter(**({"uid": uid} if uid else {"external_id": ref.strip()})).first()
    if source is None:
        raise CommandError(_("no source with id or external id %(ref)r") % {"ref": ref})
    return source


def when(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(_("%(text)r is not an ISO 8601 time, e.g. 2024-05-01T14:30:00+09:00") % {"text": text}) from None


def item_or_error(ref: str):
    try:
        return services.find_item(ref)
    except EvidenceError as exc:
        raise CommandError(str(exc)) from None


def bytes_progress(update, label: str, total: int | None):
    return (lambda done: update(label, done, total)) if total is None or total >= BAR_FROM else None


class Command(BaseCommand):
    help = _("Take files into the evidence vault, store derivatives, show items and their custody.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        add = sub.add_parser("add", help=_("take files in as originals; prints each SHA-256"))
        add.add_argument("files", nargs="+", type=Path)
        add.add_argument("--source", help=_("Kirok id or external id of the source the files belong to"))
        add.add_argument("--collector", default="", help=_("who collected the files"))
        add.add_argument("--collected-at", type=when, help=_("when, ISO 8601 with a time zone (default: now, by this computer's clock)"))
        add.add_argument("--clock-source", default="", help=_("where that time comes from (clock_sources)"))
        add.add_argument("--method", default="", help=_("how they were captured (capture_methods)"))
        add.add_argument("--tool", default="", help=_("the capture tool"))
        add.add_argument("--tool-version", default="")
        add.add_argument("--device", default="", help=_("the device or machine used"))
        add.add_argument("--origin-kind", default="", help=_("web, file, interview, device … (origin_kinds)"))
        add.add_argument("--origin", default="", help=_("URL, path, interview reference, who handed it over (default: the file's path)"))
        add.add_argument("--notes", default="", help=_("capture settings and any change the capture made"))
        add.add_argument("--media-type", default="", help=_("the media type, when it cannot be recognised"))
        add.add_argument("--html-source", type=Path, help=_("web item: the page's HTML source, taken in and linked"))
        add.add_argument("--page-capture", type=Path, help=_("web item: a full-page capture, taken in and linked"))
        add.add_argument("--reason", default="", help=_("why they are taken in (kept in their custody)"))
        add.add_argument("--no-progress", action="store_true")

        derive = sub.add_parser("derive", help=_("store a redacted copy, transcript, translation … of an item"))
        derive.add_argument("original", help=_("the original: item id or SHA-256 (or 8+ characters of it)"))
        derive.add_argument("file", type=Path)
        derive.add_argument("--operation", required=True, help=_("redaction, transcript, translation, excerpt … (derivative_operations)"))
        derive.add_argument("--notes", default="", help=_("what was done, with which tool and settings"))
        derive.add_argument("--tool", default="")
        derive.add_argument("--tool-version", default="")
        derive.add_argument("--media-type", default="")
        derive.add_argument("--reason", default="")
        derive.add_argument("--no-progress", action="store_true")

        show = sub.add_parser("show", help=_("an item's capture record, links, derivatives and custody"))
        show.add_argument("item")
        show.add_argument("--metadata", action="store_true", help=_("print the embedded metadata in full (may identify people)"))

        custody = sub.add_parser("custody", help=_("list an item's custody, or record a custody event"))
        custody.add_argument("item")
        custody.add_argument("--record", metavar="ACTION", help=_("append an event: transferred, exported, disposed … (custody_actions)"))
        custody.add_argument("--reason", default="")
        custody.add_argument("--detail", action="append", default=[], metavar="KEY=VALUE", help=_("a detail of the event (repeatable)"))

        get = sub.add_parser("get", help=_("copy an item's stored bytes out, recorded in its custody"))
        get.add_argument("item")
        get.add_argument("--output", type=Path, required=True)
        get.add_argument("--reason", required=True)

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    # --- add ------------------------------------------------------------------------------------

    def do_add(self, *, files, source, html_source, page_capture, reason, no_progress, media_type, **options):
        common = {"source": find_source(source) if source else None, "actor": "kirok evidence add", "reason": reason}
        capture = services.Capture(
            collector=options["collector"], collected_at=options["collected_at"], clock_source=options["clock_source"],
            method=options["method"], tool=options["tool"], tool_version=options["tool_version"], device=options["device"],
            origin_kind=options["origin_kind"], origin=options["origin"], notes=options["notes"],
        )
        failures = 0
        with progress_bar(not no_progress) as update:
            links = {}
            for option, path, method in (("html_source", html_source, "download"), ("page_capture", page_capture, "screenshot")):
                if path is not None:
                    part = replace(capture, origin_kind=capture.origin_kind or "web", method=capture.method or method)
                    try:
                        links[option] = self._take(path, update, capture=part, **common)
                    except (EvidenceError, OSError) as exc:
                        raise CommandError(_("%(path)s: %(error)s; nothing was taken in") % {"path": path, "error": exc}) from None
            for path in files:
                try:
                    self._take(path, update, capture=capture, media_type=media_type, **common, **links)
                except (EvidenceError, OSError) as exc:
                    failures += 1
                    sys.stderr.write(_("%(path)s: not taken in: %(error)s\n") % {"path": path, "error": exc})
        if failures:
            raise CommandError(_("%(failed)d of %(total)d file(s) not taken in; see above") % {"failed": failures, "total": len(files)})

    def _take(self, path: Path, update, **intake):
        total = path.stat().st_size if path.is_file() else None
        result = services.add_file(path, progress=bytes_progress(update, path.name, total), **intake)
        self.stdout.write(f"{result.item.sha256}  {path}")
        if not result.created:
            sys.stderr.write(_("%(path)s: already in the vault as item %(uid)s; this receipt is added to its custody\n")
                             % {"path": path, "uid": result.item.uid})
        return result.item

    # --- derive ---------------------------------------------------------------------------------

    def do_derive(self, *, original, file, operation, notes, tool, tool_version, media_type, reason, no_progress, **options):
        item = item_or_error(original)
        with progress_bar(not no_progress) as update:
            try:
                total = file.stat().st_size if file.is_file() else None
                intake = services.add_derivative(
                    item, file, operation=operation, notes=notes, capture=services.Capture(tool=tool, tool_version=tool_version),
                    actor="kirok evidence derive", reason=reason, media_type=media_type,
                    progress=bytes_progress(update, file.name, total),
                )
            except (EvidenceError, OSError) as exc:
                raise CommandError(_("%(path)s: not stored: %(error)s") % {"path": file, "error": exc}) from None
        self.stdout.write(f"{intake.item.sha256}  {file}")
        if not intake.created:
            sys.stderr.write(_("%(path)s: already stored as this derivative (item %(uid)s)\n") % {"path": file, "uid": intake.item.uid})

    # --- show -----------------------------------------------------------------------------------

    def do_show(self, *, item, metadata, **options):
        obj = item_or_error(item)
        record = obj.capture_record()
        labels = {
            "clock_source": terms.CLOCK_SOURCES, "method": terms.CAPTURE_METHODS, "origin_kind": terms.ORIGIN_KINDS,
            "operation": terms.OPERATIONS,
        }
        kind = _("derivative") if obj.derived_from_id else _("original")
        self.stdout.write(_("evidence item %(uid)s (%(kind)s)") % {"uid": obj.uid, "kind": kind})
        for key, value in record.items():
            if value in (None, "") or key == "id":
                continue
            if key in labels:
                value = f"{value} ({terms.label(labels[key], value)})"
            self.stdout.write(f"  {key}: {value}")
        if obj.source_id:
            self.stdout.write("  " + _("source title: %(title)s") % {"title": obj.source.title})
        if obj.origin_kind == "web":
            missing = [name for name in ("html_source", "page_capture") if not record[name]]
            if missing:
                self.stdout.write("  " + _("web item without %(parts)s (Berkeley Protocol para 155 asks for both)") % {"parts": ", ".join(missing)})
        # Protected: revealed to the console operator, and the read audited like any other.
        embedded = metadata_of(obj, Principal.console(), purpose="kirok evidence show")
        self.stdout.write("  " + _("embedded metadata: %(summary)s") % {"summary": self._metadata_summary(embedded)})
        if metadata and isinstance(embedded, dict) and embedded:
            self.stdout.write("  " + orjson.dumps(embedded, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode().replace("\n", "\n  "))
        for derivative in obj.derivatives.order_by("id"):
            self.stdout.write("  " + _("derivative: %(operation)s %(sha256)s  %(name)s") % {
                "operation": derivative.operation, "sha256": derivative.sha256, "name": derivative.original_name})
        self._custody(obj)

    def _metadata_summary(self, metadata) -> str:
        if not metadata:
            return _("none found")
        if not isinstance(metadata, dict):  # the mask, or the notice of a purge
            return str(metadata)
        parts = []
        if "image" in metadata:
            image = metadata["image"]
            parts.append(f"{image['format']} {image['width']}×{image['height']}")
        exif = metadata.get("exif", {})
        for ifd in IFD_NAMES:
            if ifd in exif:
                parts.append(_("EXIF %(ifd)s: %(n)d tags") % {"ifd": ifd, "n": len(exif[ifd])})
        parts += metadata.get("errors", [])
        return "; ".join(parts)

    def _custody(self, obj):
        self.stdout.write(_("custody:"))
        for event in services.custody_of(obj):
            details = orjson.dumps(event.details, option=orjson.OPT_SORT_KEYS).decode() if event.details else ""
            self.stdout.write(f"  {event.at:%Y-%m-%d %H:%M:%S} {event.action:12} {event.actor} — {event.reason or '-'} {details}")
            self.stdout.write(f"    sha256 {event.digest}")

    # --- custody --------------------------------------------------------------------------------

    def do_custody(self, *, item, record, reason, detail, **options):
        obj = item_or_error(item)
        if record:
            details = {}
            for pair in detail:
                key, sep, value = pair.partition("=")
                if not sep or not key:
                    raise CommandError(_("--detail %(pair)r: write KEY=VALUE") % {"pair": pair})
                details[key] = value
            if not reason.strip():
                raise CommandError(_("say why with --reason: it goes into the custody record"))
            try:
                services.record_custody(obj, record, actor="kirok evidence custody", reason=reason, details=details)
            except EvidenceError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(f"{obj.sha256}  {obj.original_name}")
        self._custody(obj)

    # --- get ------------------------------------------------------------------------------------

    def do_get(self, *, item, output, reason, **options):
        """Copy out and hash on the way: a copy that differs from the register is refused, not handed on."""
        obj = item_or_error(item)
        if output.exists():
            raise CommandError(_("%(path)s exists; Kirok does not overwrite files") % {"path": output})
        part = output.with_name(output.name + ".part")
        try:
            with services.open_item(obj, actor="kirok evidence get", reason=reason, action="copied",
                                    details={"to": str(output.absolute())}) as stream, open(part, "xb") as out:
                copied = pipeline.run(stream, [out.write])
        except (EvidenceError, BlobMissing, OSError) as exc:
            part.unlink(missing_ok=True)
            raise CommandError(str(exc)) from None
        if copied.sha256 != obj.sha256:
            part.unlink()
            raise CommandError(
                _("the stored bytes of item %(uid)s no longer match its SHA-256 (now %(now)s); nothing was written. "
                  "Run `kirok vault verify`.") % {"uid": obj.uid, "now": copied.sha256}
            )
        shutil.move(part, output)
        self.stdout.write(f"{copied.sha256}  {output}")
