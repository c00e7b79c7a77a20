from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.protection.management.arguments import add_principal_arguments
from kirok.protection.policy import PolicyError
from kirok.protection.principal import AccessDenied, NotFound, Principal
from kirok.upr import briefing, importing, reference, repeats, services, submissions


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("%(value)r is not a date (YYYY-MM-DD)") % {"value": value}) from None


class Command(BaseCommand):
    help = (
        "The Universal Periodic Review. `load-cycles` loads the shipped DPRK cycles; `import FILE` reads recommendations "
        "(CSV/XLSX, Kirok's columns or the UN matrix with --cycle); `link`/`unlink`/`assess` follow them up with the record; "
        "`repeats` shows a recommendation made again; `submission-new` and `submission-export` draft and export a stakeholder submission; "
        "`briefing` writes a UN briefing pack (PDF and CSV). Exports pass the consent gate."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load-cycles", help="load kirok/data/upr/cycles.yaml (safe to repeat)")
        imp = sub.add_parser("import", help="import recommendations, all or nothing")
        imp.add_argument("file", type=Path)
        imp.add_argument("--cycle", type=int, help="the cycle of a UN matrix (Kirok's format names it per row)")
        link = sub.add_parser("link", help="link an incident, act or source to a recommendation as evidence")
        link.add_argument("recommendation", help="CYCLE:NUMBER, e.g. 3:124.37")
        link.add_argument("record_type", choices=["event", "act", "source"])
        link.add_argument("record", help="Kirok id or external id")
        link.add_argument("--bearing", default="non_implementation", choices=["non_implementation", "implementation"])
        link.add_argument("--note", default="")
        unlink = sub.add_parser("unlink", help="close an evidence link")
        unlink.add_argument("link", help="the link's id")
        unlink.add_argument("--reason", required=True)
        assess = sub.add_parser("assess", help="record a recommendation's status as of a review")
        assess.add_argument("recommendation")
        assess.add_argument("--status", required=True, choices=["not_implemented", "partially_implemented", "implemented", "unknown"])
        assess.add_argument("--review", type=int, help="the review it is assessed for (default: the next cycle)")
        assess.add_argument("--summary", default="")
        again = sub.add_parser("repeats", help="the same recommendation in other cycles")
        again.add_argument("recommendation")
        sub_new = sub.add_parser("submission-new", help="start a stakeholder submission draft")
        sub_new.add_argument("--review", type=int, required=True)
        sub_new.add_argument("--title", required=True)
        sub_new.add_argument("--kind", default="individual", choices=["individual", "joint"])
        sub_new.add_argument("--organisations", default="")
        sub_new.add_argument("--scope", default="un")
        sub_export = sub.add_parser("submission-export", help="export a submission as DOCX or PDF")
        sub_export.add_argument("submission", help="the submission's id")
        sub_export.add_argument("--format", dest="fmt", choices=["docx", "pdf"], default="docx")
        sub_export.add_argument("--output", type=Path, required=True)
        brief = sub.add_parser("briefing", help="a UN briefing pack for a period: PDF and CSV")
        brief.add_argument("--from", dest="period_from", required=True)
        brief.add_argument("--to", dest="period_to", required=True)
        brief.add_argument("--scope", default="un")
        brief.add_argument("--case", dest="cases", action="append", default=[], help="an incident to summarise (repeat)")
        brief.add_argument("--output", type=Path, required=True, help="folder for the files")
        for p in (load, imp, link, unlink, assess, again, sub_new, sub_export, brief):
            add_principal_arguments(p)

    def handle(self, *args, action, user, actor, **options):
        try:
            principal = Principal.resolve(username=user, actor=actor)
            getattr(self, f"_{action.replace('-', '_')}")(principal, **options)
        except importing.ImportFailed as exc:
            raise CommandError(_("nothing imported:\n%(problems)s") % {"problems": exc}) from None
        except (AccessDenied, NotFound, services.FollowUpError, PolicyError) as exc:
            raise CommandError(str(exc)) from None

    def _recommendation(self, principal, ref: str):
        cycle, paragraph = services.resolve(ref)
        return services.get_recommendation(cycle, paragraph, user=principal)

    def _load_cycles(self, principal, **options):
        principal.require("write_records")
        self.stdout.write(_("%(n)s UPR cycles loaded") % {"n": reference.load_cycles()})

    def _import(self, principal, file, cycle, **options):
        done = importing.import_file(file, principal=principal, cycle=cycle)
        self.stdout.write(_("%(file)s (%(layout)s): %(c)s created, %(u)s updated, %(n)s unchanged")
                          % {"file": file, "layout": done.layout, "c": done.created, "u": done.updated, "n": done.unchanged})

    def _link(self, principal, recommendation, record_type, record, bearing, note, **options):
        row = services.link(self._recommendation(principal, recommendation), record_type, record, bearing=bearing, note=note, user=principal)
        self.stdout.write(_("Link %(id)s made") % {"id": row.uid})

    def _unlink(self, principal, link, reason, **options):
        services.unlink(services.get_link(link, user=principal), reason=reason, user=principal)
        self.stdout.write(_("Link %(id)s closed") % {"id": link})

    def _assess(self, principal, recommendation, status, review, summary, **options):
        rec = self._recommendation(principal, recommendation)
        row = services.assess(rec, status=status, review=services.get_cycle(review) if review else None, summary=summary, user=principal)
        self.stdout.write(_("%(rec)s assessed for the review of %(year)s: %(status)s, on %(n)s evidence link(s)")
                          % {"rec": rec.paragraph, "year": row.review.review_date.year, "status": status, "n": len(row.evidence)})

    def _repeats(self, principal, recommendation, **options):
        for match in repeats.made_again(self._recommendation(principal, recommendation)):
            other = match.recommendation
            self.stdout.write(f"{other.cycle.number}:{other.paragraph}\t{match.similarity:.2f}\t{other.text}")

    def _submission_new(self, principal, review, title, kind, organisations, scope, **options):
        made = submissions.create(services.get_cycle(review), title=title, kind=kind, organisations=organisations, scope=scope, user=principal)
        self.stdout.write(_("Submission %(id)s started: %(words)s of %(limit)s words")
                          % {"id": made.uid, "words": made.current.words, "limit": submissions.limit(kind)})

    def _submission_export(self, principal, submission, fmt, output, **options):
        data, _name, doc = submissions.export(submissions.get(submission, user=principal), fmt, user=principal, destination=str(output))
        output.write_bytes(data)
        self.stdout.write(_("%(file)s written: %(words)s of %(limit)s words") % {"file": output, "words": doc.words, "limit": doc.limit})
        if doc.over_limit:
            self.stderr.write(_("over the word limit: OHCHR does not consider a submission over it"))

    def _briefing(self, principal, period_from, period_to, scope, cases, output, **options):
        files = briefing.export(user=principal, scope=scope, period_from=_date(period_from), period_to=_date(period_to), cases=cases,
                                destination=str(output))
        output.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (output / name).write_bytes(data)
            self.stdout.write(str(output / name))
