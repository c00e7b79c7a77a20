import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.accounts import services as accounts
from kirok.protection.compartments import CompartmentError, add_member, assigning, default_compartment, named
from kirok.protection.principal import Principal
from kirok.protection.keys import KeyringError, require_workspace
from kirok.records.demo import CAMP, CAMP_PREFIX, DemoSet, external_id, streams, write_files
from kirok.records.importing import ImportFailed, import_streams
from kirok.records.progress import progress_bar
from kirok.search import indexing
from kirok.records.registry import ORDER


class Command(BaseCommand):
    help = (
        "Make a synthetic, clearly fictional demo set of N persons with their testimonies, incidents, "
        "acts, perpetrators and sources; the same seed gives the same records. Imports it into the "
        "workspace (one changeset), or with --output writes <type>.jsonl files for `kirok import`. Every set "
        "holds the fictional Camp No. 99; imported, it also gets case camp-99 built on it (--no-case: not)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, required=True, help="number of persons (other records scale with it)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--output", type=Path, help="write <type>.jsonl files into this folder instead of importing")
        parser.add_argument(
            "--compartment", action="append", default=[], metavar="KEY",
            help="compartment the demo records go into (repeatable; default: the workspace's default)",
        )
        parser.add_argument(
            "--viewer", metavar="NAME",
            help="also create (or reset) a reviewer account NAME that sees the demo records: a member of "
                 "their compartments, with a one-time password printed once (make demo: `demo`)",
        )
        parser.add_argument(
            "--no-case", action="store_true",
            help="do not make the worked case on Camp No. 99 (case camp-99, its links and two evidence files)",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, size, seed, output, no_progress, compartment, viewer=None, no_case=False, **options):
        if size < 1:
            raise CommandError("--size must be at least 1")
        if viewer and output is not None:
            raise CommandError("--viewer needs the demo set imported here, not written with --output")
        started = time.monotonic()
        demo = DemoSet(size, seed)
        counts = demo.counts()
        if output is not None:
            with progress_bar(not no_progress) as update:
                written = write_files(demo, output, progress=update)
            self._summary(written, started)
            self.stdout.write(f"Written to {output}; load with: kirok import {output}/*.jsonl")
            return
        self._check_workspace(demo)
        try:
            require_workspace()
            with assigning(compartment), progress_bar(not no_progress) as update, indexing.reporting(update):
                report = import_streams(
                    streams(demo), actor="kirok demo-data", kind="demo",
                    reason=f"fictional demo data: {size} persons, seed {seed}", progress=update,
                )
        except ImportFailed as exc:
            for error in exc.errors[:50]:
                sys.stderr.write(f"{error}\n")
            raise CommandError(f"{len(exc.errors)} problem(s) in the generated demo set; nothing was imported") from None
        except (CompartmentError, KeyringError) as exc:
            raise CommandError(str(exc)) from None
        self._summary(counts, started)
        created, updated, unchanged = report.created, report.updated, report.unchanged
        self.stdout.write(
            f"Imported in changeset {report.changeset_id}: {created} created, {updated} updated, {unchanged} unchanged"
        )
        if not no_case:
            self._case(compartment)
        if viewer:
            self._viewer(viewer, compartment)

    def _case(self, keys: list[str]) -> None:
        """The worked case on Camp No. 99 (kirok/records/demo_case.py) in the demo records' first
        compartment, so that a newcomer finds a case, its matrix and a case file to export; left
        as it is when the demo runs again, and only reported (nothing of it written) when it
        cannot be made."""
        from kirok.cases.services import CaseError
        from kirok.evidence.errors import EvidenceError
        from kirok.records import demo_case

        home = named(keys)[0] if keys else default_compartment()
        try:
            built = demo_case.build(compartment=home.key, principal=Principal.console("kirok demo-data"))
        except (CaseError, EvidenceError) as exc:
            # The records are in; a workspace whose frameworks lack the charges (a shipped file
            # removed) still gets its demo set and its viewer, told why the case is missing.
            self.stderr.write(_("The worked case on Camp No. 99 was not made: %(error)s") % {"error": exc})
            return
        key = demo_case.CASE["key"]
        if built is None:
            self.stdout.write(_("Case %(key)s exists already; left as it is.") % {"key": key})
            return
        self.stdout.write(_(
            "Made case %(key)s, the worked example on Camp No. 99, in compartment %(compartment)s: "
            "see /cases/%(uid)s/ or `kirok case matrix %(key)s`."
        ) % {"key": key, "compartment": home.key, "uid": built.case.uid})

    def _viewer(self, username: str, keys: list[str]) -> None:
        """A reviewer in the demo records' compartments, so a newcomer sees the workspace with data.

        Compartments deny by default: without a membership even the administrator's workspace
        pages are empty. The reviewer reads with protected values masked and needs no
        authenticator; running this again gives the account a fresh one-time password.
        """
        try:
            user, password, created = accounts.ensure_user(username, "reviewer")
        except accounts.AccountError as exc:
            raise CommandError(str(exc)) from None
        operator = Principal.console("kirok demo-data")
        compartments = named(keys) if keys else [default_compartment()]
        for each in compartments:
            add_member(each, user, principal=operator)
        self.stdout.write(
            _("%(verb)s reviewer %(name)r, a member of %(compartments)s (the demo records). "
              "One-time password (shown only now): %(password)s")
            % {"verb": _("Created") if created else _("Reset"), "name": username,
               "compartments": ", ".join(c.key for c in compartments), "password": password}
        )
        self.stdout.write(_(
            "Sign in at /accounts/sign-in/ and choose your own password: the reviewer reads every demo "
            "record, with protected values masked."
        ))

    def _check_workspace(self, demo: DemoSet) -> None:
        from kirok.records.models import Person, Vocabulary

        if not Vocabulary.objects.exists():
            raise CommandError("the workspace has no reference data; run `kirok init` first")
        first = Person.all_objects.filter(external_id=external_id("person", 0)).values_list("uid", flat=True).first()
        if first is not None and str(first) != demo.uid("person", 0):
            raise CommandError(
                "this workspace already holds a demo set made with another seed; use that seed again, "
                "or a fresh workspace (KIROK_HOME)"
            )

    def _summary(self, counts: dict[str, int], started: float) -> None:
        width = max(len(t) for t in ORDER)
        for record_type in ORDER:
            self.stdout.write(f"{record_type:<{width}}  {counts.get(record_type, 0):>10,}")
        self.stdout.write(f"{'total':<{width}}  {sum(counts.values()):>10,}  ({time.monotonic() - started:.1f} s)")
        self.stdout.write("All of it is fictional: every record is marked [FICTIONAL DEMO] / [가상 데모].")
        self.stdout.write(_(
            "Among them is Camp No. 99 (%(records)d records, external ids %(prefix)s…), the worked example of a "
            "case against a camp commander (docs/cases.md)."
        ) % {"records": sum(len(rows) for rows in CAMP.values()), "prefix": CAMP_PREFIX})
