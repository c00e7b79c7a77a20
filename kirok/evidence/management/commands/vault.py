import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.evidence import services
from kirok.records.progress import progress_bar


class Command(BaseCommand):
    help = _("Check the evidence vault: `kirok vault verify` hashes every stored blob again.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help=_("recompute every stored hash; exits non-zero on any missing or altered blob"))
        verify.add_argument("--no-record", action="store_true", help=_("do not add a 'verified' event to each item's custody"))
        verify.add_argument("--no-progress", action="store_true")

    def handle(self, *args, action, no_record, no_progress, **options):
        with progress_bar(not no_progress) as update:
            report = services.verify_vault(
                progress=lambda done, total: update(_("verifying"), done, total), record=not no_record,
            )
        for problem in report.problems:
            sys.stderr.write(problem.describe() + "\n")
        for name in report.disposed:
            self.stdout.write(_("note: blob %(sha)s is gone, as its item(s) were disposed of") % {"sha": name})
        for name in report.unregistered:
            self.stdout.write(_("note: blob %(sha)s is in the vault but no item refers to it") % {"sha": name})
        for path in report.leftovers:
            self.stdout.write(_("note: %(path)s is a partial write from an interrupted intake; it can be deleted") % {"path": path})
        summary = _("%(blobs)d blob(s) of %(items)d item(s), %(bytes)d bytes, checked in %(vault)s") % {
            "blobs": report.blobs, "items": report.items, "bytes": report.bytes, "vault": report.vault}
        if not report.ok:
            raise CommandError(_("%(summary)s: %(n)d problem(s), listed above") % {"summary": summary, "n": len(report.problems)})
        self.stdout.write(_("%(summary)s: all intact") % {"summary": summary})
