from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.accounts import services
from kirok.accounts.roles import all_roles, get_role


class Command(BaseCommand):
    help = _("Manage accounts: add, list, set-role, unlock, reset-2fa, roles.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help=_("create an account; prints a one-time password"))
        add.add_argument("name")
        add.add_argument("--role", required=True, help=_("a role code (`kirok user roles` lists them)"))
        add.add_argument("--email", default="")
        sub.add_parser("list", help=_("every account with its role and sign-in state"))
        set_role = sub.add_parser("set-role", help=_("give an account another role"))
        set_role.add_argument("name")
        set_role.add_argument("role")
        unlock = sub.add_parser("unlock", help=_("clear the failed sign-ins that locked an account"))
        unlock.add_argument("name", nargs="?")
        unlock.add_argument("--ip", help=_("also (or only) unlock this client address"))
        reset = sub.add_parser("reset-2fa", help=_("remove an account's authenticator and recovery codes"))
        reset.add_argument("name")
        sub.add_parser("roles", help=_("the roles and what each may do"))

    def handle(self, *args, action, **options):
        try:
            getattr(self, "do_" + action.replace("-", "_"))(**options)
        except services.AccountError as exc:
            raise CommandError(str(exc)) from None

    def do_add(self, name, role, email, **options):
        user, password = services.create_user(name, role, email=email)
        self.stdout.write(_("Created user %(name)r with role %(role)s. One-time password (shown only now): %(password)s")
                          % {"name": name, "role": role, "password": password})
        if get_role(role).two_factor:
            self.stdout.write(_("At first sign-in the user sets up an authenticator app (TOTP), then chooses a password."))
        else:
            self.stdout.write(_("At first sign-in the user chooses a password."))

    def do_list(self, **options):
        rows = services.user_rows()
        if not rows:
            self.stdout.write(_("No accounts yet; `kirok createadmin` makes the first."))
            return
        header = (_("user"), _("role"), _("active"), _("2FA"), _("password"), _("last sign-in"))
        table = [header] + [
            (r.username, r.role or _("(none)"), _("yes") if r.active else _("no"), _("yes") if r.two_factor else _("no"),
             _("one-time") if r.must_change_password else _("own"), r.last_login or "-")
            for r in rows
        ]
        widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
        for row in table:
            self.stdout.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())

    def do_set_role(self, name, role, **options):
        services.set_role_by_name(name, role)
        self.stdout.write(_("%(name)s now has the role %(role)s.") % {"name": name, "role": role})

    def do_unlock(self, name, ip, **options):
        if not name and not ip:
            raise CommandError(_("Give a user name, --ip ADDRESS, or both."))
        cleared = (services.unlock(name) if name else 0) + (services.unlock_address(ip) if ip else 0)
        self.stdout.write(_("Unlocked %(who)s (%(count)d failed sign-ins cleared).")
                          % {"who": " / ".join(x for x in (name, ip) if x), "count": cleared})

    def do_reset_2fa(self, name, **options):
        removed = services.reset_two_factor_by_name(name)
        self.stdout.write(_("Removed %(count)d two-factor devices of %(name)s; the next sign-in sets up a new one.")
                          % {"count": removed, "name": name})

    def do_roles(self, **options):
        for role in all_roles():
            flags = [_("TOTP required") if role.two_factor else _("TOTP optional")]
            if role.external:
                flags.append(_("external"))
            self.stdout.write(f"{role.code:20} {role.label_text['en']} / {role.label_text['ko']}  ({', '.join(flags)})")
            self.stdout.write(f"{'':20} {', '.join(sorted(role.capabilities))}")
