from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.accounts import services


class Command(BaseCommand):
    help = _("Create (or reset) an administrator account with a fresh one-time password, printed once.")

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        try:
            _user, password, created = services.ensure_user(username, "admin")
        except services.AccountError as exc:
            raise CommandError(str(exc)) from None
        verb = _("Created") if created else _("Reset")
        self.stdout.write(_("%(verb)s user %(name)r. One-time password (shown only now): %(password)s") % {
            "verb": verb, "name": username, "password": password,
        })
        self.stdout.write(_(
            "Sign in at /accounts/sign-in/: you will set up an authenticator app (TOTP) and then choose "
            "your own password. The administrator role manages users and settings, not record data."
        ))
