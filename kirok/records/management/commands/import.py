import sys
from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.protection.compartments import CompartmentError, assigning
from kirok.protection.keys import KeyringError, require_workspace
from kirok.records.importing import ImportFailed, ReadError, import_files
from kirok.records.progress import progress_bar
from kirok.records.registry import ORDER
from kirok.search import indexing


class Command(BaseCommand):
    help = (
        "Import CSV, XLSX or JSON Lines files in the Kirok exchange format, or Uwazi CSV/ZIP exports. "
        "All or nothing unless --skip-bad; each bad row is reported as FILE:ROW:FIELD: reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--type", choices=ORDER, help="record type of every row (default: from the file name or a `type` field)")
        parser.add_argument("--format", choices=["auto", "kirok", "uwazi"], default="auto")
        parser.add_argument("--skip-bad", action="store_true", help="land the good rows; write the bad ones to rejects files")
        parser.add_argument("--rejects-dir", type=Path, default=Path("."), help="where rejects files go (default: here)")
        parser.add_argument("--reason", default="", help="why this import is made (kept in the history)")
        parser.add_argument(
            "--compartment", action="append", default=[], metavar="KEY",
            help="compartment the new sources, events and persons go into (repeatable; default: the workspace's default)",
        )
        parser.add_argument(
            "--index-later", action="store_true",
            help="end at the commit; a large import is then indexed for search by `kirok search reindex --pending`",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, files, type, format, skip_bad, rejects_dir, reason, no_progress, compartment, index_later, **options):
        try:
            require_workspace()
            # A large import is indexed for search after it commits: its own bar ("search index").
            with assigning(compartment), progress_bar(not no_progress) as update, indexing.reporting(update), \
                    (indexing.later() if index_later else nullcontext()):
                report = import_files(
                    files, actor="kirok import", reason=reason, record_type=type, fmt=format,
                    skip_bad=skip_bad, rejects_dir=rejects_dir, progress=None if no_progress else update,
                )
        except ImportFailed as exc:
            for error in exc.errors[:200]:
                sys.stderr.write(f"{error}\n")
            if len(exc.errors) > 200:
                sys.stderr.write(f"… and {len(exc.errors) - 200} more\n")
            raise CommandError(
                f"{len(exc.errors)} problem(s); nothing was imported. Fix the rows above, "
                "or land the good rows with --skip-bad."
            ) from None
        except (ReadError, CompartmentError, KeyringError) as exc:
            raise CommandError(f"{exc}; nothing was imported") from None
        for type_, outcome in report.outcomes.items():
            self.stdout.write(f"{type_}: {outcome.created} created, {outcome.updated} updated, {outcome.unchanged} unchanged")
        if waiting := indexing.pending():
            self.stderr.write(_(
                "the import is committed, but the search index has not caught up with %(n)s changesets; "
                "run `kirok search reindex --pending` to complete it"
            ) % {"n": waiting})
        if report.rejected:
            for error in report.rejected[:200]:
                sys.stderr.write(f"{error}\n")
            files_ = ", ".join(str(p) for p in report.rejects_files)
            self.stderr.write(f"{len(report.rejected)} problem(s) in rejected rows, written to {files_}")
            sys.exit(1)
