from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.evidence.errors import EvidenceError
from kirok.protection import access
from kirok.protection.management.arguments import add_principal_arguments
from kirok.protection.principal import AccessDenied, NotFound, Principal
from kirok.protection.purge import PurgeError, withdraw


class Command(BaseCommand):
    help = (
        "Consent. `kirok consent withdraw SOURCE --reason …` records that the source's consent is withdrawn "
        "and purges what it covered: the source's protected content, the protected values of every record "
        "that came from it and of its witness, in every version and in the blind index. Only hashes and "
        "the reason remain. `kirok consent show SOURCE` lists its consent entries."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        withdraw_ = sub.add_parser("withdraw", help="withdraw the consent of a source and purge")
        withdraw_.add_argument("source", help="the source's Kirok id or external id")
        withdraw_.add_argument("--reason", required=True, help="why (kept; the only text that remains)")
        withdraw_.add_argument("--obtained-by", default="", help="who took the withdrawal")
        show = sub.add_parser("show", help="the consent entries of a source")
        show.add_argument("source")
        for p in (withdraw_, show):
            add_principal_arguments(p, "")

    def handle(self, *args, action, source, user, actor, **options):
        try:
            principal = Principal.resolve(username=user, actor=actor)
            record = access.get("source", source, principal, deleted=True)
            if action == "show":
                for consent in record.consents.order_by("id"):
                    state = _("withdrawn") if consent.withdrawn else ", ".join(consent.scopes or []) or _("no scope")
                    self.stdout.write(f"{consent.given_on or '-'}  {state}  {consent.method}  {consent.obtained_by}")
                return
            purge = withdraw(record, principal=principal, reason=options["reason"], obtained_by=options["obtained_by"])
        except NotFound:
            raise CommandError(_("no source %(ref)r") % {"ref": source}) from None
        except (AccessDenied, PurgeError, EvidenceError) as exc:
            raise CommandError(str(exc)) from None
        total = sum(purge.counts.values())
        self.stdout.write(_("Consent withdrawn; purge %(id)s destroyed %(n)s protected value(s)") % {"id": purge.uid, "n": total})
        for record_type, n in sorted(purge.counts.items()):
            self.stdout.write(f"  {record_type}: {n}")
        for note in purge.remains:
            self.stderr.write(_("remains: %(what)s") % {"what": note})
        self.stdout.write(_("Copies outside this database (backups, archives) still hold the old ciphertexts: "
                            "run `kirok keys rotate` to destroy the key that opens them."))
