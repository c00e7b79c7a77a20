from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.protection import fields
from kirok.protection.management.arguments import add_principal_arguments
from kirok.protection.policy import PolicyError
from kirok.protection.principal import AccessDenied, Principal
from kirok.records.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Protected fields. `list` shows what is protected and why; `add TYPE FIELD --reason …` protects "
        "one more field (FIELD, ROWS.FIELD such as names.given_name, or extra.KEY) and seals the values "
        "already stored; `remove TYPE FIELD` stops protecting new values of a field a steward added."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        parsers = [sub.add_parser("list", help="every protected field")]
        add = sub.add_parser("add", help="protect a field and seal its stored values")
        add.add_argument("record_type")
        add.add_argument("path")
        add.add_argument("--reason", required=True)
        add.add_argument("--no-progress", action="store_true")
        remove = sub.add_parser("remove", help="stop protecting a field a steward added")
        remove.add_argument("record_type")
        remove.add_argument("path")
        parsers += [add, remove]
        for p in parsers:
            add_principal_arguments(p, "mark_protected")

    def handle(self, *args, action, user, actor, **options):
        try:
            principal = Principal.resolve(username=user, actor=actor)
            if action == "list":
                for record_type, path, why in fields.listing():
                    self.stdout.write(f"{record_type}.{path}: {why}")
            elif action == "add":
                with progress_bar(not options["no_progress"]) as update:
                    sealed = fields.protect(options["record_type"], options["path"], reason=options["reason"], principal=principal, progress=update)
                self.stdout.write(_("%(type)s.%(path)s is protected; %(n)s stored value(s) sealed")
                                  % {"type": options["record_type"], "path": options["path"], "n": sealed})
            else:
                fields.unprotect(options["record_type"], options["path"], principal=principal)
                self.stdout.write(_("%(type)s.%(path)s: new values are no longer sealed; sealed ones stay sealed")
                                  % {"type": options["record_type"], "path": options["path"]})
        except (AccessDenied, PolicyError) as exc:
            raise CommandError(str(exc)) from None
