"""The administration's door is Kirok's sign-in, and only roles with ``admin_site`` pass it."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from kirok.accounts.roles import role_of
from kirok.protection.pages import ADMIN_SITE, PUBLIC, rule_of


class KirokAdminSite(admin.AdminSite):
    site_header = _("Kirok administration")
    site_title = _("Kirok")

    def has_permission(self, request) -> bool:
        role = role_of(request.user)
        return bool(request.user.is_active and request.user.is_staff and role is not None and role.admin_site)

    def get_urls(self):
        """Every view of the administration carries its access rule (``kirok.protection.pages``):
        its door pages are public (they send to Kirok's sign-in), the rest is ``admin-site``."""
        urls = super().get_urls()
        for pattern in _patterns(urls):
            callback = pattern.callback
            if rule_of(callback) is None:
                rule = PUBLIC if pattern.name in ("login", "logout") else ADMIN_SITE
                (getattr(callback, "__func__", callback)).access_rule = rule
        return urls

    def login(self, request, extra_context=None):
        """Send everyone to the one sign-in page, which has the second factor and the lockout."""
        if request.user.is_authenticated:
            return render(request, "accounts/no_admin.html", status=403)
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{reverse('accounts:sign-in')}?{urlencode({'next': target})}")


def _patterns(urls):
    for entry in urls:
        if hasattr(entry, "url_patterns"):
            yield from _patterns(entry.url_patterns)
        else:
            yield entry
