from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kirok.protection import access, compartments
from kirok.protection.compartments import CompartmentError
from kirok.protection.management.arguments import add_principal_arguments
from kirok.protection.models import Compartment, RecordCompartment
from kirok.protection.principal import AccessDenied, NotFound, Principal


class Command(BaseCommand):
    help = (
        "Compartments: need-to-know groups of sources, events and persons. "
        "`list`, `create KEY`, `add-member KEY USER`, `remove-member KEY USER`, `put KEY RECORD…` "
        "(Kirok ids or external ids), `show RECORD`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        parsers = [sub.add_parser("list", help="compartments, their members and record counts")]
        create = sub.add_parser("create", help="a new compartment")
        create.add_argument("key")
        create.add_argument("--name", default="")
        create.add_argument("--description", default="")
        for verb in ("add-member", "remove-member"):
            p = sub.add_parser(verb, help=f"{verb.replace('-', ' ')} of a compartment")
            p.add_argument("key")
            p.add_argument("member", help="user name")
            parsers.append(p)
        put = sub.add_parser("put", help="put sources, events or persons into a compartment")
        put.add_argument("key")
        put.add_argument("records", nargs="+")
        show = sub.add_parser("show", help="the compartments of a record")
        show.add_argument("record")
        parsers += [create, put, show]
        for p in parsers:
            add_principal_arguments(p, "manage_compartments")

    def handle(self, *args, action, user, actor, **options):
        try:
            principal = Principal.resolve(username=user, actor=actor)
            getattr(self, f"_{action.replace('-', '_')}")(principal, **options)
        except (AccessDenied, CompartmentError) as exc:
            raise CommandError(str(exc)) from None
        except NotFound as exc:
            raise CommandError(str(exc)) from None

    def _list(self, principal, **options):
        principal.require("manage_compartments")
        for c in Compartment.objects.order_by("key"):
            members = ", ".join(c.memberships.values_list("user__username", flat=True).order_by("user__username")) or "-"
            records = RecordCompartment.objects.filter(compartment=c).count()
            default = _(" (default)") if c.is_default else ""
            self.stdout.write(f"{c.key}{default}: {c.name}; {records} record(s); members: {members}")

    def _create(self, principal, key, name, description, **options):
        c = compartments.create(key, name, principal=principal, description=description)
        self.stdout.write(_("Compartment %(key)s created") % {"key": c.key})

    def _member(self, key, member):
        (compartment,) = compartments.named([key])
        try:
            return compartment, get_user_model().objects.get(username=member)
        except get_user_model().DoesNotExist:
            raise CommandError(_("no user %(name)r") % {"name": member}) from None

    def _add_member(self, principal, key, member, **options):
        compartment, target = self._member(key, member)
        compartments.add_member(compartment, target, principal=principal)
        self.stdout.write(_("%(user)s is a member of %(key)s") % {"user": member, "key": key})

    def _remove_member(self, principal, key, member, **options):
        compartment, target = self._member(key, member)
        compartments.remove_member(compartment, target, principal=principal)
        self.stdout.write(_("%(user)s is no longer a member of %(key)s") % {"user": member, "key": key})

    def _put(self, principal, key, records, **options):
        (compartment,) = compartments.named([key])
        found = [access.find(ref, principal, deleted=False) for ref in records]
        n = compartments.put(compartment, found, principal=principal)
        self.stdout.write(_("%(n)s record(s) put into %(key)s") % {"n": n, "key": key})

    def _show(self, principal, record, **options):
        found = access.find(record, principal)
        self.stdout.write(f"{found.record_type} {found.uid}: {', '.join(compartments.compartments_of(found)) or '-'}")
