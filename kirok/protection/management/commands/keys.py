from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.protection.keys import KeyringError, keyring, require_workspace
from kirok.protection.management.arguments import add_principal_arguments
from kirok.protection.principal import AccessDenied, Principal
from kirok.protection.rotation import count_by_key, rotate_data_key, rotate_kek
from kirok.records.progress import progress_bar


class Command(BaseCommand):
    help = (
        "The workspace's protection keys. `kirok keys status` lists the keys and how many values each "
        "seals; `kirok keys rotate` seals with a new data key, re-encrypts every value in batches while "
        "reads go on, and destroys the old keys; `kirok keys rotate --kek` re-wraps the data keys under a "
        "new key-encryption key."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="the keys, and how many values each seals")
        rotate = sub.add_parser("rotate", help="a new data key (or --kek: a new key-encryption key)")
        rotate.add_argument("--kek", action="store_true", help="re-wrap the data keys under a new key-encryption key")
        for p in (status, rotate):
            add_principal_arguments(p, "manage_keys")
            p.add_argument("--no-progress", action="store_true")

    def handle(self, *args, action, user, actor, no_progress, **options):
        try:
            require_workspace()
            principal = Principal.resolve(username=user, actor=actor)
            principal.require("manage_keys")
            if action == "status":
                self._status(no_progress)
            elif options["kek"]:
                kek = rotate_kek(principal=principal)
                self.stdout.write(_("Data keys re-wrapped under the new key-encryption key %(kek)s; the old one is destroyed.") % {"kek": kek})
            else:
                with progress_bar(not no_progress) as update:
                    result = rotate_data_key(principal=principal, progress=update)
                self.stdout.write(_("New data key %(kid)s; %(n)s value(s) re-encrypted.") % {"kid": result.new_key, "n": result.reencrypted})
                for kid in result.retired:
                    self.stdout.write(_("Destroyed data key %(kid)s: nothing is sealed under it any more.") % {"kid": kid})
                for kid in result.kept:
                    self.stderr.write(_("Kept data key %(kid)s: values were sealed under it during the rotation; run it again.") % {"kid": kid})
                if result.kept:
                    raise CommandError(_("rotation incomplete"))
        except (AccessDenied, KeyringError) as exc:
            raise CommandError(str(exc)) from None

    def _status(self, no_progress: bool) -> None:
        ring = keyring()
        ring.ensure()
        with progress_bar(not no_progress) as update:
            counts = count_by_key(update)
        current = ring.current_ids
        self.stdout.write(_("Key folder: %(folder)s") % {"folder": ring.folder})
        self.stdout.write(_("Key-encryption key in use: %(kek)s") % {"kek": current.get("kek")})
        for dek in ring.data_keys():
            mark = " *" if dek.kid == current.get("dek") else ""
            self.stdout.write(f"{dek.kid}{mark}  created {dek.created}  wrapped by {dek.kek}  {counts.get(dek.kid, 0)} value(s)")
        if counts.get("(destroyed)"):
            self.stdout.write(_("%(n)s value(s) destroyed by purges (commitments only)") % {"n": counts["(destroyed)"]})
