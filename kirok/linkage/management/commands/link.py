from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.linkage import exports, services, terminal
from kirok.linkage.models import Merge
from kirok.protection import access
from kirok.protection.management.arguments import add_principal_arguments
from kirok.protection.policy import PolicyError
from kirok.protection.principal import AccessDenied, NotFound, Principal
from kirok.records.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Linkage of person records across sources. `run` scores candidate pairs (analysts); `review` "
        "judges them in the terminal (reviewers); `undo MERGE --reason …` splits a merge; `cluster RECORD` "
        "shows a cluster as one record with every source's values; `export-clusters FILE` writes "
        "external_id,cluster_id; `export-mse FILE` writes the list-overlap table for estimation."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="score candidate pairs among the persons you may see")
        run.add_argument("--no-progress", action="store_true")
        review = sub.add_parser("review", help="judge candidate pairs, best first")
        review.add_argument("--limit", type=int, default=20)
        undo = sub.add_parser("undo", help="undo a merge")
        undo.add_argument("merge", help="the merge's id")
        undo.add_argument("--reason", required=True)
        cluster = sub.add_parser("cluster", help="a person's cluster as one record")
        cluster.add_argument("record", help="Kirok id or external id of a person")
        clusters = sub.add_parser("export-clusters", help="CSV: external_id,cluster_id for every person record")
        clusters.add_argument("file", type=Path)
        mse = sub.add_parser("export-mse", help="CSV: one row per victim and stratum, in_<list> columns")
        mse.add_argument("file", type=Path)
        for p in (clusters, mse):
            p.add_argument("--scope", default="internal", help="consent scope of the recipient (default internal)")
            p.add_argument("--purpose", default="")
        for p in (run, review, undo, cluster, clusters, mse):
            add_principal_arguments(p)

    def handle(self, *args, action, user, actor, **options):
        try:
            principal = Principal.resolve(username=user, actor=actor)
            getattr(self, f"_{action.replace('-', '_')}")(principal, **options)
        except (AccessDenied, NotFound, services.LinkageError, PolicyError) as exc:
            raise CommandError(str(exc)) from None

    def _run(self, principal, no_progress, **options):
        with progress_bar(not no_progress) as update:
            run = services.run(user=principal, progress=update)
        self.stdout.write(_("Run %(uid)s: %(n)s records compared, %(c)s candidate pair(s) for review, %(a)s merged without review")
                          % {"uid": run.uid, "n": run.records, "c": run.candidates - run.auto_merged, "a": run.auto_merged})

    def _review(self, principal, limit, **options):
        judged = terminal.review(user=principal, limit=limit)
        self.stdout.write(_("%(n)s pair(s) judged") % {"n": judged})

    def _undo(self, principal, merge, reason, **options):
        found = Merge.objects.filter(uid=merge).first() if len(merge) == 36 else None
        if found is None:
            raise CommandError(_("no merge %(id)r") % {"id": merge})
        services.undo_merge(found, reason=reason, user=principal)
        self.stdout.write(_("Merge %(id)s undone") % {"id": merge})

    def _cluster(self, principal, record, **options):
        import json

        person = access.get("person", record, principal)
        self.stdout.write(json.dumps(services.canonical(person, user=principal), ensure_ascii=False, indent=2))

    def _export_clusters(self, principal, file, scope, purpose, **options):
        done = exports.export_clusters(file, user=principal, scope=scope, purpose=purpose)
        self.stdout.write(_("%(n)s person record(s) written to %(file)s; SHA-256 %(sha)s") % {"n": done.rows, "file": file, "sha": done.sha256})

    def _export_mse(self, principal, file, scope, purpose, **options):
        done = exports.export_mse(file, user=principal, scope=scope, purpose=purpose)
        self.stdout.write(_("%(v)s victim(s), counted once per cluster, from %(r)s person record(s); %(n)s row(s) written to %(file)s; "
                            "SHA-256 %(sha)s") % {"v": done.victims, "r": done.records, "n": done.rows, "file": file, "sha": done.sha256})
