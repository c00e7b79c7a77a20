"""Who may call the API: a browser session that has done every sign-in step, deny by default.

The API is for the workspace's own pages and scripts run by signed-in people, so it reuses the
Django session (and therefore the two-factor step, the idle and absolute time-outs and the
lockout) instead of keys of its own; unsafe methods need the CSRF token, as forms do.
"""

from __future__ import annotations

from django.conf import settings
from ninja.security import APIKeyCookie

from kirok.accounts.roles import role_of
from kirok.protection.principal import Principal


class RoleSession(APIKeyCookie):
    """Django's session, accepted only when the user acts in a role now (a TOTP role past its
    code step); anything else is 401."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        user = request.user
        if user.is_authenticated and role_of(user) is not None:
            return user
        return None


def principal(request, capability: str) -> Principal:
    """The caller as a principal, after checking the capability the endpoint needs."""
    who = Principal.of(request.auth)
    who.require(capability)
    return who
