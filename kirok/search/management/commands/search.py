import orjson
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.protection.principal import AccessDenied, Principal
from kirok.records.progress import progress_bar
from kirok.search import indexing
from kirok.search.services import search


class Command(BaseCommand):
    help = (
        "Search the record: kirok search QUERY [--json] [--user NAME]. Words, \"phrases\", prefix*, "
        "AND/OR/NOT and filters such as province:KP-09 or from:1998 (docs/search.md). "
        "`kirok search reindex` rebuilds the index from every record; `kirok search reindex --pending` "
        "finishes the indexing of imports left unfinished (a crash after their commit)."
    )

    def add_arguments(self, parser):
        parser.add_argument("query", nargs="+", help="the query, or `reindex` to rebuild the index")
        parser.add_argument("--json", action="store_true", help="one JSON object per hit and line")
        parser.add_argument("--user", default="", help="search as this Kirok user (their role and compartments)")
        parser.add_argument("--actor", default="", help="name the console operator in the read audit (default: login name)")
        parser.add_argument("--limit", type=int, default=20, help="hits to show (at most 100)")
        parser.add_argument("--pending", action="store_true", help="with reindex: only finish the changesets left pending")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (reindex)")

    def handle(self, *args, query, json, user, actor, limit, pending, no_progress, **options):
        if query == ["reindex"]:
            if user:
                raise CommandError(_("reindex runs at the console, not as a user: leave out --user"))
            if pending:
                with progress_bar(not no_progress) as update:
                    finished = indexing.finish_pending(update)
                self.stdout.write(_("finished the indexing of %(n)s changesets") % {"n": f"{finished:,}"})
                return
            with progress_bar(not no_progress) as update:
                counts = indexing.rebuild(update)
            self.stdout.write(_("indexed %(n)s records") % {"n": f"{sum(counts.values()):,}"} + " (" + ", ".join(f"{t} {n:,}" for t, n in counts.items()) + ")")
            return
        try:
            principal = Principal.resolve(username=user, actor=actor)
            results = search(" ".join(query), user=principal, limit=limit, facets=not json)
        except AccessDenied as exc:
            raise CommandError(str(exc)) from None
        if results.error:
            raise CommandError(results.error)
        if waiting := indexing.pending():
            self.stderr.write(_(
                "%(n)s changesets are committed but not yet in the index (an import still indexing, or one "
                "left unfinished): results may miss their records; `kirok search reindex --pending` finishes them"
            ) % {"n": waiting})
        if json:
            for hit in results.hits:
                self.stdout.write(orjson.dumps(hit.as_dict()).decode())
            return
        self.stdout.write(_("%(n)s hits") % {"n": f"{results.total:,}"})
        for hit in results.hits:
            marked = "".join(f"[{text}]" if on else text for text, on in hit.parts())
            self.stdout.write(f"\n{hit.score:8.3f}  {hit.record_type} {hit.external_id or hit.uid}  {hit.label}")
            if marked:
                self.stdout.write("          " + " ".join(marked.split()))
