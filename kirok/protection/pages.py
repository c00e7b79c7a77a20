"""Every URL declares who may open it: the vocabulary of access rules, and where to find a view's.

A view carries its rule as the attribute ``access_rule`` (``kirok.web.rules.page`` sets it and
enforces it; ``declare`` below only sets it, for views that enforce it another way). The rule is
one of

``"public"``       anyone, signed in or not (the landing page, the sign-in page);
``"signed-in"``    any signed-in session, even one still owing a sign-in step (the steps' pages);
``"api-session"``  the API: a session past every sign-in step (``kirok.api.auth``), each endpoint
                   checking its own capability and compartments;
``"admin-site"``   the administration: roles with ``admin_site``, model by model as roles.yaml's
                   ``admin_permissions`` says (``kirok.accounts.backends``);
a capability       signed in, past the steps, and the role holds it (kirok/data/roles.yaml).

Views Kirok does not write and cannot mark are ruled here by URL name (``THIRD_PARTY``). The
authorisation-matrix test (tests/protection/test_matrix.py) walks every URL pattern and fails on
one without a rule, so a page added later cannot slip through unprotected.
"""

from __future__ import annotations

from collections.abc import Callable

PUBLIC = "public"
SIGNED_IN = "signed-in"
API_SESSION = "api-session"
ADMIN_SITE = "admin-site"
KINDS = (PUBLIC, SIGNED_IN, API_SESSION, ADMIN_SITE)

THIRD_PARTY = {
    "set_language": PUBLIC,  # django.views.i18n: stores the chosen language, reads no data
}


def declare(rule: str) -> Callable:
    """Mark a view with its rule, for views whose check is made by other means (``login_required``,
    the sign-in steps); pages of the workspace use ``kirok.web.rules.page``, which also enforces."""

    def mark(view):
        view.access_rule = rule
        return view

    return mark


def rule_of(callback, url_name: str = "") -> str | None:
    """The rule a resolved view declares (on itself, its class, or its function), or None."""
    for holder in (callback, getattr(callback, "view_class", None), getattr(callback, "__func__", None)):
        rule = getattr(holder, "access_rule", None)
        if rule:
            return rule
    return THIRD_PARTY.get(url_name)
