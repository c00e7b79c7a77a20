from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from kirok.bundles import services as bundles
from kirok.cases import casefile, command, dossier, frameworks, labels, matrix, services
from kirok.cases.versioning import versions
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
        listed = sub.add_parser("frameworks", help=_("list the legal frameworks and their items (with --elements, each element's key)"))
        listed.add_argument("framework", nargs="?", default="", help=_("only this framework, e.g. rome-statute-liability"))
        listed.add_argument("--elements", action="store_true",
                            help=_("list each element: the key `case link` takes, its text, citation and means of proof"))
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
        link.add_argument("ref", help=_("Kirok id or external id of the record; an evidence item by Kirok id or SHA-256"))
        link.add_argument("--assessment", required=True, choices=["supports", "contradicts", "context"])
        link.add_argument("--strength", required=True, choices=["weak", "moderate", "strong"])
        link.add_argument("--standard", default="", help=_("standard of proof reached, e.g. reasonable_grounds"))
        link.add_argument("--note", default="")
        link.add_argument("--suspect", default="", help=_("the suspect's id, for a link about one suspect"))
        link.add_argument("--reason", required=True)
        _who(link)
        again = sub.add_parser("reassess", help=_("record a new assessment of a link (what is not given stays as it was)"))
        again.add_argument("link", help=_("the link's id, as `case link` printed it"))
        again.add_argument("--assessment", choices=["supports", "contradicts", "context"])
        again.add_argument("--strength", choices=["weak", "moderate", "strong"])
        again.add_argument("--standard", help=_("standard of proof reached, e.g. reasonable_grounds; '' for none"))
        again.add_argument("--note")
        again.add_argument("--reason", required=True)
        _who(again)
        withdraw = sub.add_parser("withdraw", help=_("withdraw a link (its history is kept)"))
        withdraw.add_argument("link", help=_("the link's id, as `case link` printed it"))
        withdraw.add_argument("--reason", required=True)
        _who(withdraw)
        past = sub.add_parser("history", help=_("every version of a link, withdrawn ones too: who, when, why, what"))
        past.add_argument("link")
        _who(past)
        charges = sub.add_parser("charges", help=_("change a case's charges"))
        charges.add_argument("case")
        charges.add_argument("--set", dest="replace", action="append", metavar="CHARGE",
                             help=_("replace the charges with these (framework:item; repeat)"))
        charges.add_argument("--add", action="append", default=[], metavar="CHARGE", help=_("add a charge (framework:item; repeat)"))
        charges.add_argument("--remove", action="append", default=[], metavar="CHARGE", help=_("remove a charge (repeat)"))
        charges.add_argument("--reason", required=True)
        _who(charges)
        parent = sub.add_parser("unit-parent", help=_("record that a unit was under another for a time"))
        parent.add_argument("unit")
        parent.add_argument("parent")
        parent.add_argument("--from", dest="start", default="")
        parent.add_argument("--until", dest="end", default="")
        parent.add_argument("--citation", default="")
        parent.add_argument("--reason", required=True)
        _who(parent)
        runs = sub.add_parser("operator", help=_("record that a unit ran a facility for a time"))
        runs.add_argument("place", help=_("the facility (Kirok id or external id)"))
        runs.add_argument("unit", help=_("the operating unit (Kirok id or external id)"))
        runs.add_argument("--from", dest="start", default="")
        runs.add_argument("--until", dest="end", default="")
        runs.add_argument("--citation", default="")
        runs.add_argument("--reason", required=True)
        _who(runs)
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

    def do_frameworks(self, framework, elements, **options):
        known = frameworks.frameworks()
        if framework and framework not in known:
            raise CommandError(_("framework: no framework %(key)s; the frameworks are %(keys)s") % {
                "key": framework, "keys": ", ".join(known)})
        for found in known.values():
            if framework and found.key != framework:
                continue
            self.stdout.write(f"{found.key} ({found.kind}): {found.title} — {found.path}")
            if elements and found.common:
                self.stdout.write("  " + _("elements common to every item:"))
                self._elements(found, found.common)
            for item in found.items:
                self.stdout.write(f"  {found.key}:{item.key}  {item.label}  [{len(item.elements)}]")
                if elements:
                    self._elements(found, item.elements)

    def _elements(self, framework, elements) -> None:
        """Each element as `case link` names it, with its kind, text, citation and means of proof."""
        for element in elements:
            self.stdout.write(f"    {framework.key}:{element.key}  ({element.kind_label}; {element.citation})")
            self.stdout.write(f"      {element.text}")
            if len(element.alternatives) > 1:
                self.stdout.write("      " + _("alternatives, any one meets the requirement: %(keys)s") % {
                    "keys": ", ".join(element.alternatives)})
            for means in element.means_of_proof_text:
                self.stdout.write("      " + _("proof: %(means)s") % {"means": means})

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

    def do_reassess(self, principal, link, assessment, strength, standard, note, reason, **options):
        found = services.find_link(link, principal, withdrawn=True)  # a withdrawn one is refused by name, not "not found"
        services.reassess(found, services.Assessment(
            assessment or found.assessment, strength or found.strength, found.standard if standard is None else standard,
            found.note if note is None else note), principal=principal, reason=reason)
        self.stdout.write(_("link %(id)s: %(assessment)s") % {"id": found.uid, "assessment": labels.assessment_summary(
            {"assessment": found.assessment, "strength": found.strength, "standard": found.standard, "note": found.note})})

    def do_withdraw(self, principal, link, reason, **options):
        found = services.find_link(link, principal, withdrawn=True)
        services.unlink(found, principal=principal, reason=reason)
        self.stdout.write(_("link %(id)s withdrawn; its history is kept (`kirok case history %(id)s`)") % {"id": found.uid})

    def do_history(self, principal, link, **options):
        found = services.find_link(link, principal, withdrawn=True)
        state = _("withdrawn") if found.deleted_at else _("live")
        self.stdout.write(f"{found.uid}  {found.framework}:{found.element}  {labels.target_kind(found.target_kind)}  "
                          f"{found.case.key}  [{state}]")
        for version in versions(found):
            at = version.changeset.at.strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"  {at} UTC  {version.changeset.actor}  {labels.version_action(version.action)}: "
                              f"{labels.assessment_summary(version.data)}")
            self.stdout.write("    " + _("why: %(reason)s") % {"reason": version.changeset.reason} + f"  sha256:{version.digest}")

    def do_charges(self, principal, case, replace, add, remove, reason, **options):
        if replace is None and not add and not remove:
            raise CommandError(_("charges: say what to change with --set, --add or --remove"))
        found = services.edit_charges(services.get_case(case, principal), replace=replace, add=add, remove=remove, principal=principal,
                                      reason=reason)
        self.stdout.write(_("case %(key)s charges: %(charges)s") % {"key": found.key, "charges": ", ".join(found.charges) or "—"})

    def do_unit_parent(self, principal, unit, parent, start, end, citation, reason, **options):
        row = services.set_unit_parent(unit=unit, parent=parent, start=start, end=end, citation=citation, principal=principal, reason=reason)
        self.stdout.write(_("unit parent recorded: %(id)s") % {"id": row.uid})

    def do_operator(self, principal, place, unit, start, end, citation, reason, **options):
        row = services.set_facility_operator(place=place, unit=unit, start=start, end=end, citation=citation, principal=principal,
                                             reason=reason)
        self.stdout.write(_("facility operator recorded: %(id)s") % {"id": row.uid})

    def do_matrix(self, principal, case, suspect, **options):
        found = services.get_case(case, principal)
        who = services.get_suspect(found, suspect) if suspect else None
        result = matrix.compute(found, who, reader=principal)
        covered, total = result.coverage
        width = max([len(row.key) for row in result.rows] + [len(f"{row.framework}:{row.key}") for row in result.unplaced] + [24])
        for section in result.sections:
            self.stdout.write(f"\n{section.title} ({section.citation})")
            for row in section.rows:
                self.stdout.write(self._row(row, row.key, width))
        if result.unplaced:
            self.stdout.write("\n" + _("links to elements outside these charges:"))
            for row in result.unplaced:
                self.stdout.write(self._row(row, f"{row.framework}:{row.key}", width)
                                  + ("" if row.element else "  " + _("(no longer in its framework file)")))
        self.stdout.write("\n" + _("elements with supporting evidence: %(covered)s of %(total)s") % {"covered": covered, "total": total})
        for gap in result.gaps:
            self.stdout.write(f"  - {gap}")
        for conflict in result.conflicts:
            self.stdout.write(f"  ! {conflict}")

    @staticmethod
    def _row(row, key: str, width: int) -> str:
        """One matrix row: status, links by assessment (strong ones), independence, standard reached."""
        return (f"  {key:<{width}} {row.status_label:<16} +{row.supports} -{row.contradicts} ~{row.context}  "
                + _("strong %(n)s; sources %(s)s, witnesses %(w)s, source types %(t)s; standard %(standard)s") % {
                    "n": row.strong, "s": row.sources, "w": row.witnesses, "t": row.source_kinds,
                    "standard": row.standard.label if row.standard else "—"})

    def do_command(self, principal, unit, place, on, **options):
        date = UncertainDate.parse(on)
        chains = command.chains_for(unit or place, "organization" if unit else "place", date, principal, services.within_reach(principal))
        if not chains:
            raise CommandError(_("place: no unit is recorded as running this facility on this date (record one with `kirok case operator`)"))
        for result in chains:
            if result.operated:
                self.stdout.write(_("%(place)s was run by %(unit)s (%(how)s)") % {
                    "place": result.operated[0], "unit": result.start, "how": result.operated[1]})
            for depth, level in enumerate(result.levels):
                indent = "  " * depth
                self.stdout.write(f"{indent}{level.unit}{f' [{command.HOW[level.link]}]' if level.link else ''}")
                if not level.commanders:
                    self.stdout.write(f"{indent}  " + (_("no commander recorded for this date") if level.holders
                                                       else _("no position holder recorded for this date")))
                for holder in level.holders:
                    self.stdout.write(f"{indent}  {holder.post_label}: {holder.label}  {holder.detail.position}  {holder.detail.rank}  "
                                      f"{holder.period}  {holder.certainty_label}")
            for below, parent, how in result.alternatives:
                self.stdout.write(_("other possible parent on this date: %(unit)s → %(parent)s (%(how)s)") % {
                    "unit": below, "parent": parent, "how": command.HOW.get(how, how)})

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
