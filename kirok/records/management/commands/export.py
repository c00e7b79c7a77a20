from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kirok.records.exporting import FORMATS, export_all
from kirok.records.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Export every record, one file per record type, in the Kirok exchange format (full fidelity); "
        "or, with --format uwazi --type TYPE, one record type as an Uwazi CSV (DIR/<type>.uwazi.csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=[*FORMATS, "uwazi"], default="jsonl")
        parser.add_argument("--output", type=Path, required=True, help="folder to write into")
        parser.add_argument("--type", dest="what", help="uwazi: the record type or Uwazi mapping to export (event, persons, …)")
        parser.add_argument("--mapping", help="uwazi: a mapping name or YAML file (default: the one for --type)")
        parser.add_argument("--language", help="uwazi: language of thesaurus labels (default: the mapping's language)")
        parser.add_argument("--with-files", action="store_true", help="uwazi: write a ZIP with import.csv and the records' files")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, format, output, what, mapping, language, with_files, no_progress, **options):
        if format == "uwazi":
            from kirok.records.importing.uwazi import MappingError
            from kirok.records.uwazi_export import export_uwazi

            if not what and not mapping:
                raise CommandError("--format uwazi exports one record type: say which with --type (e.g. --type event)")
            try:
                result = export_uwazi(output, what or "", language=language, with_files=with_files, mapping=mapping)
            except MappingError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{result.rows} record(s) written to {result.path}")
            for note in result.notes:
                self.stderr.write(f"note: {note}")
            return
        if what or mapping or language or with_files:
            raise CommandError("--type, --mapping, --language and --with-files apply to --format uwazi only")
        with progress_bar(not no_progress) as update:
            counts = export_all(output, format, progress=update)
        for record_type, n in counts.items():
            self.stdout.write(f"{record_type}: {n}")
        self.stdout.write(f"Written to {output}")
