"""Who is asking: a Kirok user (whose role and compartments decide), or the workspace operator.

The operator is whoever runs ``kirok`` at the console of the workspace without ``--user``. They
hold the key folder and the database file, so no check in Kirok could stop them; pretending
otherwise would only hide what they do. Kirok therefore lets the operator through every check
and records them, by name (``console:<login>``), in every audit row. Web pages and the API
always act for a signed-in user, never as the operator.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _


class AccessDenied(PermissionError):
    """The principal may not do this; the message says which capability is missing."""


class NotFound(LookupError):
    """No such record — or one the principal may not see: the two are told apart by no one."""


@dataclass(frozen=True)
class Principal:
    user: object | None
    actor: str
    operator: bool = False

    @classmethod
    def of(cls, user) -> "Principal":
        return cls(user, user.get_username())

    @classmethod
    def console(cls, name: str = "") -> "Principal":
        return cls(None, f"console:{name or _login()}", operator=True)

    @classmethod
    def resolve(cls, *, user=None, username: str = "", actor: str = "") -> "Principal":
        """A user object, a user name (``--user``), or the console operator named ``actor``."""
        if user is not None:
            return cls.of(user)
        if username:
            try:
                return cls.of(get_user_model().objects.get(username=username))
            except get_user_model().DoesNotExist:
                raise AccessDenied(_("no user %(name)r") % {"name": username}) from None
        return cls.console(actor)

    def can(self, capability: str) -> bool:
        if self.operator:
            return True
        from kirok.accounts.roles import user_can

        return user_can(self.user, capability)

    def require(self, capability: str) -> None:
        if not self.can(capability):
            raise AccessDenied(
                _("%(actor)s may not %(capability)s (the role lacks this capability)")
                % {"actor": self.actor, "capability": capability.replace("_", " ")}
            )

    @property
    def user_id(self):
        return getattr(self.user, "pk", None)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
