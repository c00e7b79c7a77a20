import orjson
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.protection import access
from kirok.protection.principal import AccessDenied, NotFound, Principal
from kirok.records import history
from kirok.records.services import record_history


class Command(BaseCommand):
    help = (
        "List a record's versions (who, when, why) and what each changed. Protected values show in "
        "plaintext only to roles that may see them (the read is audited); without --user, to the console operator."
    )

    def add_arguments(self, parser):
        parser.add_argument("record", help="Kirok id or external id")
        parser.add_argument("--full", action="store_true", help="print each version's whole snapshot too")
        parser.add_argument("--user", default="", help="read as this Kirok user (their role and compartments)")
        parser.add_argument("--actor", default="", help="name the console operator in the read audit (default: login name)")

    def handle(self, *args, record, full, user, actor, **options):
        try:
            principal = Principal.resolve(username=user, actor=actor)
            obj = access.find(record, principal)
            versions = record_history(obj, user=principal, purpose="kirok history")
        except (NotFound, AccessDenied) as exc:
            raise CommandError(str(exc) if isinstance(exc, AccessDenied) else _("no record with id or external id %(ref)r (a case's link has its history in `kirok case history ID`)") % {"ref": record}) from None
        state = "deleted" if obj.deleted_at else "live"
        self.stdout.write(f"{obj.record_type} {obj.uid} ({state})")
        previous = None
        for version, data in versions:
            cs = version.changeset
            self.stdout.write(f"\n#{version.pk} {version.action} {cs.at:%Y-%m-%d %H:%M:%S} by {cs.actor} — {cs.reason or cs.kind}")
            self.stdout.write(f"  sha256 {version.digest}")
            for field, (before, after) in history.diff(previous, data).items():
                self.stdout.write(f"  {field}: {_short(before)} → {_short(after)}")
            if full:
                self.stdout.write("  " + orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode())
            previous = data


def _short(value) -> str:
    if value is None:
        return "∅"
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return text if len(text) <= 80 else text[:77] + "…"
