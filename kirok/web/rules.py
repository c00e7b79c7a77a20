"""Each page declares who may open it; the declaration is also what enforces it.

``@page("read_records")`` on a view: anonymous visitors are sent to sign in, a signed-in user
whose role lacks the capability gets 403 (a capability is no secret: roles.yaml is public), and
records out of the user's reach are 404 in the services (``kirok.protection.access``), never 403,
so guessing ids reveals nothing. ``@page(PUBLIC)`` marks a page anyone may open. The declared
rule stays on the view as ``access_rule``, where the authorisation-matrix test reads it.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kirok.accounts.roles import user_can
from kirok.protection.pages import PUBLIC
from kirok.protection.principal import AccessDenied, NotFound

__all__ = ["PUBLIC", "declare", "page"]


def page(capability: str):
    """Declare and enforce the capability a view needs (or ``PUBLIC``)."""

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if capability != PUBLIC:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not user_can(request.user, capability):
                    raise PermissionDenied(capability)
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404() from None
            except AccessDenied as exc:
                raise PermissionDenied(str(exc)) from None

        guarded.access_rule = capability
        return guarded

    return decorate


def declare(included: tuple, rule: str) -> tuple:
    """Mark the views of an included URL set that carry no rule of their own with ``rule`` —
    for the API, whose endpoints are guarded by its authentication (``kirok.api.auth``) and a
    capability check each, and whose documentation views carry ``page`` already."""
    patterns = included[0]
    for pattern in patterns:
        callback = getattr(pattern, "callback", None)
        if callback is not None and not hasattr(callback, "access_rule"):
            try:
                callback.access_rule = rule
            except AttributeError:  # a bound method: rule it through its function
                callback.__func__.access_rule = rule
    return included
