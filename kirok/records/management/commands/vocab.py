from django.core.management.base import BaseCommand, CommandError

from kirok.records.models import Vocabulary


class Command(BaseCommand):
    help = "List the vocabularies, or show one's terms (codes, English and Korean labels) as a tree."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="every vocabulary with its term count")
        show = sub.add_parser("show", help="the terms of one vocabulary")
        show.add_argument("key")

    def handle(self, *args, action, **options):
        if action == "list":
            for vocab in Vocabulary.objects.all():
                esf = f"ESF MT {vocab.esf_mt}" if vocab.esf_mt else "Kirok"
                self.stdout.write(f"{vocab.key:28} {vocab.terms.count():4} terms  {esf:10} {vocab.label_en} / {vocab.label_ko}")
            return
        try:
            vocab = Vocabulary.objects.get(key=options["key"])
        except Vocabulary.DoesNotExist:
            keys = ", ".join(Vocabulary.objects.values_list("key", flat=True)) or "none loaded; run `kirok init`"
            raise CommandError(f"no vocabulary {options['key']!r}; known: {keys}") from None
        self.stdout.write(f"{vocab.key}: {vocab.label_en} / {vocab.label_ko}\nsource: {vocab.source}\nlicence: {vocab.licence}")
        for term in vocab.terms.filter(retired=False).order_by("position"):
            depth = term.path.count("::")
            self.stdout.write(f"{'  ' * depth}{term.code:{max(1, 40 - 2 * depth)}} {term.label_en} / {term.label_ko}")
