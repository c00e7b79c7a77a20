from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.protection.policy import PolicyError, scopes
from kirok.protection.principal import AccessDenied, Principal
from kirok.records.exporting import FORMATS, export_all
from kirok.records.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Export every record, one file per record type, in the Kirok exchange format (full fidelity); "
        "or, with --format uwazi --type TYPE, one record type as an Uwazi CSV (DIR/<type>.uwazi.csv). "
        "Everything passes the consent gate for the recipient --scope and is recorded as a disclosure; "
        "without --user the export is the console operator's, named in the record."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=[*FORMATS, "uwazi"], default="jsonl")
        parser.add_argument("--output", type=Path, required=True, help="folder to write into")
        parser.add_argument("--type", dest="what", help="uwazi: the record type or Uwazi mapping to export (event, persons, …)")
        parser.add_argument("--mapping", help="uwazi: a mapping name or YAML file (default: the one for --type)")
        parser.add_argument("--language", help="uwazi: language of thesaurus labels (default: the mapping's language)")
        parser.add_argument("--with-files", action="store_true", help="uwazi: write a ZIP with import.csv and the records' files")
        parser.add_argument("--scope", default="internal", choices=sorted(scopes()),
                            help="who receives it; the sources' consent must cover it (default: internal)")
        parser.add_argument("--user", default="", help="export as this Kirok user (their role and compartments)")
        parser.add_argument("--actor", default="", help="name the console operator in the disclosure record (default: login name)")
        parser.add_argument("--purpose", default="", help="why this export is made (kept in the disclosure record)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, format, output, what, mapping, language, with_files, no_progress, scope, user, actor, purpose, **options):
        try:
            principal = Principal.resolve(username=user, actor=actor)
            self._export(principal, format, output, what, mapping, language, with_files, no_progress, scope, purpose)
        except (AccessDenied, PolicyError) as exc:
            raise CommandError(str(exc)) from None

    def _export(self, principal, format, output, what, mapping, language, with_files, no_progress, scope, purpose):
        if format == "uwazi":
            from kirok.records.importing.uwazi import MappingError
            from kirok.records.uwazi_export import export_uwazi

            if not what and not mapping:
                raise CommandError("--format uwazi exports one record type: say which with --type (e.g. --type event)")
            try:
                result = export_uwazi(
                    output, what or "", language=language, with_files=with_files, mapping=mapping,
                    principal=principal, scope=scope, purpose=purpose,
                )
            except MappingError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{result.rows} record(s) written to {result.path}")
            for note in result.notes:
                self.stderr.write(f"note: {note}")
            return
        if what or mapping or language or with_files:
            raise CommandError("--type, --mapping, --language and --with-files apply to --format uwazi only")
        with progress_bar(not no_progress) as update:
            result = export_all(output, format, progress=update, principal=principal, scope=scope, purpose=purpose)
        for record_type, n in result.counts.items():
            withheld = result.withheld.get(record_type)
            note = _(" (%(n)s withheld: consent does not cover %(scope)s)") % {"n": withheld, "scope": scope} if withheld else ""
            self.stdout.write(f"{record_type}: {n}{note}")
        self.stdout.write(_("Written to %(folder)s; disclosure %(id)s recorded (sha256 %(digest)s)") % {
            "folder": output, "id": result.disclosure.uid, "digest": result.disclosure.digest})
