from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from kirok.bundles import services as bundles
from kirok.cases import casefile, command, dossier, frameworks, matrix, services
from kirok.evidence.errors import EvidenceError
from kirok.ledger.keys import KeyFileMissing
from kirok.protection.policy import PolicyError, scopes
from kirok.protection.principal import AccessDenied, NotFound, Principal
from kirok.records.progress import progress_bar
from kirok.types.dates import DateError, UncertainDate

FAILURES = (AccessDenied, NotFound, PolicyError, services.CaseError, frameworks.FrameworkError, DateError, ValueError,
            FileExistsError, bundles.BundleError, EvidenceError, KeyFileMissing)


def _who(parser) -> None:
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--user", default="", help=_("act as this Kirok user (their role and compartments)"))
    who.add_argument("--actor", default="", help=_("name the console operator in the records (default: login name)"))


class Command(BaseCommand):
    help = _("Cases: legal frameworks, element links, the case matrix, chains of command, case files and sanctions dossiers.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("frameworks", help=_("list the legal frameworks and their items"))
        check = sub.add_parser("check-framework", help=_("check a framework file before adding it to <KIROK_HOME>/frameworks"))
        check.add_argument("file", type=Path)
        listing = sub.add_parser("list", help=_("the cases you may read"))
        _who(listing)
        create = sub.add_parser("create", help=_("open a case"))
        create.add_argument("key")
        create.add_argument("--title", required=True)
        create.add_argument("--compartment", required=True)
        create.add_argument("--charge", action="append", default=[], help=_("framework:item, e.g. rome-statute-cah:7(1)(e); repeat"))
        create.add_argument("--summary", default="")
        create.add_argument("--reason", required=True)
        _who(create)
        suspect = sub.add_parser("suspect", help=_("add a suspect (a person or a unit) to a case"))
        suspect.add_argument("case")
        target = suspect.add_mutually_exclusive_group(required=True)
        target.add_argument("--person")
        target.add_argument("--unit")
        suspect.add_argument("--mode", action="append", default=[], help=_("framework:item, e.g. rome-statute-liability:28(b); repeat"))
        suspect.add_argument("--reason", required=True)
        _who(suspect)
        link = sub.add_parser("link", help=_("link an act, a source passage, an evidence item or a position to an element"))
        link.add_argument("case")
        link.add_argument("element", help=_("framework:element, e.g. rome-statute-cah:7(1)(e).1"))
        link.add_argument("target", choices=["act", "information", "item", "position"])
        link.add_argument("ref", help=_("Kirok id or external id of the record (Kirok id of an evidence item)"))
        link.add_argument("--assessment", required=True, choices=["supports", "contradicts", "context"])
        link.add_argument("--strength", required=True, choices=["weak", "moderate", "strong"])
        link.add_argument("--standard", default="", help=_("standard of proof reached, e.g. reasonable_grounds"))
        link.add_argument("--note", default="")
        link.add_argument("--suspect", default="", help=_("the suspect's id, for a link about one suspect"))
        link.add_argument("--reason", required=True)
        _who(link)
        parent = sub.add_parser("unit-parent", help=_("record that a unit was under another for a time"))
        parent.add_argument("unit")
        parent.add_argument("parent")
        parent.add_argument("--from", dest="start", default="")
        parent.add_argument("--until", dest="end", default="")
        parent.add_argument("--citation", default="")
        parent.add_argument("--reason", required=True)
        _who(parent)
        show = sub.add_parser("matrix", help=_("print the case matrix with its gaps"))
        show.add_argument("case")
        show.add_argument("--suspect", default="")
        _who(show)
        chain = sub.add_parser("command", help=_("who commanded a unit or facility on a date, and their superiors"))
        where = chain.add_mutually_exclusive_group(required=True)
        where.add_argument("--unit")
        where.add_argument("--place")
        chain.add_argument("--on", default="", help=_("a date, may be uncertain: 1998, 1998-03, 1998~, 1997/1999"))
        _who(chain)
        export = sub.add_parser("export", help=_("write the case file (PDF) and, with --bundle, a BagIt bundle of its evidence"))
        export.add_argument("case")
        export.add_argument("--output", type=Path, required=True, help=_("the PDF to write (a new file)"))
        export.add_argument("--bundle", type=Path, help=_("also write the supporting evidence as a bundle into this new folder"))
        export.add_argument("--scope", default="prosecutors", choices=sorted(scopes()))
        export.add_argument("--purpose", required=True)
        export.add_argument("--language", default="", choices=["", "en", "ko"])
        export.add_argument("--no-progress", action="store_true")
        _who(export)
        file = sub.add_parser("dossier", help=_("write a sanctions dossier (PDF) for a person or a unit"))
        subject = file.add_mutually_exclusive_group(required=True)
        subject.add_argument("--person")
        subject.add_argument("--unit")
        file.add_argument("--output", type=Path, required=True)
        file.add_argument("--scope", default="sanctions", choices=sorted(scopes()))
        file.add_argument("--purpose", required=True)
        file.add_argument("--language", default="", choices=["", "en", "ko"])
        _who(file)

    def handle(self, *args, action, **options):
        try:
            principal = Principal.resolve(username=options.get("user", ""), actor=options.get("actor", ""))
            getattr(self, f"do_{action.replace('-', '_')}")(principal=principal, **options)
        except NotFound as exc:
            raise CommandError(str(exc) or _("not found")) from None
        except FAILURES as exc:
            raise CommandError(str(exc)) from None

    def do_frameworks(self, **options):
        for framework in frameworks.frameworks().values():
            self.stdout.write(f"{framework.key} ({framework.kind}): {framework.title} — {framework.path}")
            for item in framework.items:
                self.stdout.write(f"  {framework.key}:{item.key}  {item.label}  [{len(item.elements)}]")

    def do_check_framework(self, file, **options):
        framework = frameworks.read_framework(file)
        elements = len(framework.common) + sum(len(i.elements) for i in framework.items)
        self.stdout.write(_("%(file)s: framework %(key)s, %(items)s items, %(elements)s elements: OK") % {
            "file": file, "key": framework.key, "items": len(framework.items), "elements": elements})

    def do_list(self, principal, **options):
        for case in services.cases_for(principal).order_by("key"):
            self.stdout.write(f"{case.key}\t{case.uid}\t{case.title}\t{', '.join(case.charges)}")

    def do_create(self, principal, key, title, compartment, charge, summary, reason, **options):
        case = services.create_case(key=key, title=title, compartment=compartment, charges=charge, summary=summary,
                                    principal=principal, reason=reason)
        self.stdout.write(_("case %(key)s created: %(id)s") % {"key": case.key, "id": case.uid})

    def do_suspect(self, principal, case, person, unit, mode, reason, **options):
        found = services.add_suspect(services.get_case(case, principal), person=person or "", organization=unit or "", modes=mode,
                                     principal=principal, reason=reason)
        self.stdout.write(_("suspect added: %(id)s") % {"id": found.uid})

    def do_link(self, principal, case, element, target, ref, assessment, strength, standard, note, suspect, reason, **options):
        found = services.get_case(case, principal)
        made = services.link(found, element=element, target=target, ref=ref, principal=principal, reason=reason,
                             suspect=services.get_suspect(found, suspect) if suspect else None,
                             assessment=services.Assessment(assessment, strength, standard, note))
        self.stdout.write(_("link recorded: %(id)s") % {"id": made.uid})

    def do_unit_parent(self, principal, unit, parent, start, end, citation, reason, **options):
        row = services.set_unit_parent(unit=unit, parent=parent, start=start, end=end, citation=citation, principal=principal, reason=reason)
        self.stdout.write(_("unit parent recorded: %(id)s") % {"id": row.uid})

    def do_matrix(self, principal, case, suspect, **options):
        found = services.get_case(case, principal)
        who = services.get_suspect(found, suspect) if suspect else None
        result = matrix.compute(found, who, reader=principal)
        covered, total = result.coverage
        for section in result.sections:
            self.stdout.write(f"\n{section.title} ({section.citation})")
            for row in section.rows:
                self.stdout.write(f"  {row.key:<24} {row.status_label:<16} +{row.supports} -{row.contradicts} ~{row.context}  "
                                  + _("sources %(s)s, witnesses %(w)s, source types %(t)s") % {
                                      "s": row.sources, "w": row.witnesses, "t": row.source_kinds})
        self.stdout.write("\n" + _("elements with supporting evidence: %(covered)s of %(total)s") % {"covered": covered, "total": total})
        for gap in result.gaps:
            self.stdout.write(f"  - {gap}")
        for conflict in result.conflicts:
            self.stdout.write(f"  ! {conflict}")

    def do_command(self, principal, unit, place, on, **options):
        date = UncertainDate.parse(on)
        units = command.units_of(unit or place, "organization" if unit else "place", principal)
        if not units:
            raise CommandError(_("no unit is recorded as operating this facility"))
        for start in units:
            result = command.chain(start, date, services.within_reach(principal))
            for depth, level in enumerate(result.levels):
                self.stdout.write(f"{'  ' * depth}{level.unit}{f' [{level.link}]' if level.link else ''}")
                for holder in level.holders:
                    self.stdout.write(f"{'  ' * depth}  {holder.label}  {holder.detail.position}  {holder.detail.rank}  "
                                      f"{holder.period}  {holder.certainty_label}")

    def do_export(self, principal, case, output, bundle, scope, purpose, language, no_progress, **options):
        principal.require("export")
        found = services.get_case(case, principal)
        if bundle is not None and bundle.exists():
            raise CommandError(_("%(dir)s exists; a bundle is written into a new folder") % {"dir": bundle})
        with translation.override(language or translation.get_language()):
            pdf, disclosure = casefile.export(found, output, principal=principal, scope=scope, purpose=purpose)
        self.stdout.write(_("case file written to %(path)s (%(bytes)s bytes); disclosure %(id)s recorded") % {
            "path": output, "bytes": len(pdf), "id": disclosure.uid})
        if bundle is not None:
            with progress_bar(not no_progress) as update:
                result = bundles.export_bundle(bundle, casefile.CaseSelection(found), scope=scope, purpose=purpose, principal=principal,
                                               progress=update)
            self.stdout.write(_("bundle %(id)s written to %(dir)s: %(items)s evidence items, %(records)s records") % {
                "id": result.bundle_id, "dir": bundle, "items": result.items, "records": result.records})
            for what, n in sorted(result.withheld.items()):
                self.stdout.write(_("withheld: %(n)s %(what)s (compartments or consent do not cover scope %(scope)s)")
                                  % {"n": n, "what": what, "scope": scope})

    def do_dossier(self, principal, person, unit, output, scope, purpose, language, **options):
        principal.require("export")
        with translation.override(language or translation.get_language()):
            pdf, disclosure = dossier.export("person" if person else "organization", person or unit, output, principal=principal,
                                             scope=scope, purpose=purpose)
        self.stdout.write(_("dossier written to %(path)s (%(bytes)s bytes); disclosure %(id)s recorded") % {
            "path": output, "bytes": len(pdf), "id": disclosure.uid})
