from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.protection import access
from kirok.protection.principal import AccessDenied, NotFound, Principal


class Command(BaseCommand):
    help = (
        "Break-glass: open one source, event or person outside USER's compartments, for a limited time, "
        "with a reason; the access is logged and the ledger told."
    )

    def add_arguments(self, parser):
        parser.add_argument("record", help="Kirok id or external id of a source, event or person")
        parser.add_argument("--user", required=True, help="the Kirok user who needs the record (needs break_glass)")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--minutes", type=int, default=None, help="how long (default and limit: kirok/data/protection.yaml)")

    def handle(self, *args, record, user, reason, minutes, **options):
        try:
            principal = Principal.resolve(username=user)
            found = access.find(record, Principal.console(), deleted=False)
            grant = access.break_glass(found, principal, reason=reason, minutes=minutes)
        except NotFound:
            raise CommandError(_("no record %(ref)r") % {"ref": record}) from None
        except (AccessDenied, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("%(user)s may open %(type)s %(uid)s until %(until)s (grant %(id)s)") % {
            "user": user, "type": found.record_type, "uid": found.uid, "until": f"{grant.expires_at:%Y-%m-%d %H:%M} UTC", "id": grant.uid})
