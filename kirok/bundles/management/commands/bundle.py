from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.bundles import services
from kirok.bundles.selection import AllSelection, CaseSelection, SelectionError, SourceSelection
from kirok.evidence.errors import EvidenceError
from kirok.ledger import verifier
from kirok.ledger.keys import KeyFileMissing
from kirok.protection.policy import PolicyError, scopes
from kirok.protection.principal import AccessDenied, Principal
from kirok.records.progress import progress_bar


class Command(BaseCommand):
    help = _("Verifiable bundles: export evidence, records and ledger proofs as a BagIt bag; verify one offline.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help=_("write a bundle (a BagIt bag) through the consent gate"))
        export.add_argument("--output", type=Path, required=True, help=_("the new folder to write the bag into"))
        what = export.add_mutually_exclusive_group(required=True)
        what.add_argument("--source", nargs="+", metavar="ID", help=_("sources (Kirok id or external id), their evidence and records"))
        what.add_argument("--case", metavar="ID", help=_("an event (Kirok id or external id) and everything linked to it"))
        what.add_argument("--all", action="store_true", help=_("every evidence item and every record"))
        export.add_argument("--scope", required=True, choices=sorted(scopes()),
                            help=_("who receives it; the sources' consent must cover it"))
        export.add_argument("--purpose", required=True, help=_("why it is sent: kept in each item's custody and the disclosure"))
        who = export.add_mutually_exclusive_group()
        who.add_argument("--user", default="", help=_("export as this Kirok user (their role and compartments)"))
        who.add_argument("--actor", default="", help=_("name the console operator in the custody and disclosure records"))
        export.add_argument("--organization", default="", help=_("Source-Organization in bag-info.txt"))
        export.add_argument("--no-progress", action="store_true")
        check = sub.add_parser("verify", help=_("check a bundle completely, offline; exit 1 on any failure"))
        check.add_argument("bundle", type=Path, metavar="DIR")
        check.add_argument("--key", action="append", default=[], help=_("a verifier key you trust (default: the bundle's own)"))
        check.add_argument("--no-progress", action="store_true")

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_export(self, output, source, case, all, scope, purpose, user, actor, organization, no_progress, **options):
        try:
            principal = Principal.resolve(username=user, actor=actor)
            selection = SourceSelection(source, principal) if source else CaseSelection(case, principal) if case else AllSelection()
            with progress_bar(not no_progress) as update:
                result = services.export_bundle(output, selection, scope=scope, purpose=purpose, principal=principal,
                                                organization=organization, progress=update)
        except (AccessDenied, PolicyError, SelectionError, services.BundleError, EvidenceError, KeyFileMissing) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("bundle %(id)s written to %(dir)s: %(items)s evidence items, %(records)s records, %(versions)s versions, "
                            "%(bytes)s bytes of payload") % {
            "id": result.bundle_id, "dir": output, "items": result.items, "records": result.records,
            "versions": result.versions, "bytes": f"{result.bytes:,}"})
        for what, n in sorted(result.withheld.items()):
            self.stdout.write(_("withheld: %(n)s %(what)s (compartments or consent do not cover scope %(scope)s)")
                              % {"n": n, "what": what, "scope": scope})
        self.stdout.write(_("checkpoint: size %(size)s; disclosure %(id)s recorded (sha256 %(digest)s)") % {
            "size": result.checkpoint.tree_size, "id": result.disclosure.uid, "digest": result.disclosure.digest})

    def do_verify(self, bundle, key, no_progress, **options):
        with progress_bar(not no_progress) as update:
            report = services.verify_bundle(bundle, key, lambda done, total: update(_("hashing"), done, total))
        said, failed = verifier.bundle_report_lines(report)
        self.stdout.write("\n".join(said))
        if failed:
            self.stderr.write("\n".join(failed))
            raise CommandError(_("bundle verification FAILED: %(n)s failure(s) in %(dir)s") % {"n": len(report.failures), "dir": bundle})
        self.stdout.write(_("bundle OK: %(dir)s") % {"dir": bundle})
