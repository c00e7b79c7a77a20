from pathlib import Path

from django.core.management.base import BaseCommand

from kirok.records.exporting import FORMATS, export_all
from kirok.records.progress import progress_bar


class Command(BaseCommand):
    help = "Export every record, one file per record type, in the Kirok exchange format (full fidelity)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="jsonl")
        parser.add_argument("--output", type=Path, required=True, help="folder to write into")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, format, output, no_progress, **options):
        with progress_bar(not no_progress) as update:
            counts = export_all(output, format, progress=update)
        for record_type, n in counts.items():
            self.stdout.write(f"{record_type}: {n}")
        self.stdout.write(f"Written to {output}")
