"""Two gates every request passes once someone has signed in with a password.

``SessionPolicyMiddleware`` ends sessions that sat idle too long (shorter for roles that see
protected data: an unattended screen with witness names on it) or that outlived the absolute
limit. ``SignInStepsMiddleware`` keeps a session on the sign-in pages until the steps its account
owes are done: the TOTP code (or enrolment), then a password of its own. Neither trusts the
views to remember; a new page is covered the day it is added.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kirok.accounts import services
from kirok.accounts.roles import assigned_role
from kirok.accounts.signals import SIGNED_IN_AT


LAST_SEEN = "kirok_last_seen"
IDLE_STEP = 60


def idle_limit(user) -> int:
    role = assigned_role(user)
    if role is None or role.can("see_protected") or role.can("break_glass"):
        return settings.KIROK_IDLE_SECONDS_PROTECTED
    return settings.KIROK_IDLE_SECONDS


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT, 0)
            if time.time() - signed_in_at > settings.KIROK_SESSION_MAX_SECONDS:
                logout(request)
                messages.info(request, _("Your session ended. Please sign in again."))
                return redirect(f"{reverse('accounts:sign-in')}?{urlencode({'next': request.get_full_path()})}")
            # An expiry in seconds is an idle limit: the server-side session row expires that long
            # after it was last saved. Saving it on every request would cost a database write per
            # page, so it is pushed forward at most once a minute; the limit is exact to a minute.
            limit = idle_limit(user)
            now = int(time.time())
            session = request.session
            if session.get(LAST_SEEN, 0) + IDLE_STEP <= now or session.get_expiry_age() != limit:
                session[LAST_SEEN] = now
                session.set_expiry(limit)
        return self.get_response(request)


# Besides the page of the step owed, the pages a session may reach while a step is owed. Not the
# other steps: someone holding only the password must not get to change it before the code step.
OPEN_DURING_SIGN_IN = {"accounts:sign-in", "accounts:sign-out", "set_language"}


def owed_step(request) -> str | None:
    """The URL name of the sign-in step this session still owes, or None when it owes nothing."""
    user = request.user
    if services.needs_second_factor(user) and not user.is_verified():
        return "accounts:verify" if services.has_two_factor(user) else "accounts:enrol"
    if services.must_change_password(user):
        return "accounts:password-change"
    return None


class SignInStepsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        step = owed_step(request)
        if step is None:
            return None
        match = request.resolver_match
        if match is not None and (match.view_name == step or match.view_name in OPEN_DURING_SIGN_IN):
            return None
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
