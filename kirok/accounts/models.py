"""One role per user, kept beside Django's user rather than in Django Groups.

Groups are many-to-many and carry Django model permissions: a user in two groups holds the union,
and an admin editing groups in the admin site can drift away from roles.yaml without anyone
noticing. Access in Kirok is decided by capabilities read from roles.yaml, deny by default, so a
single validated role code per user is the whole state to reason about and to audit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="kirok_account"
    )
    role = models.CharField(_("role"), max_length=40, help_text=_("A role code from kirok/data/roles.yaml."))
    must_change_password = models.BooleanField(
        _("must change password"), default=True,
        help_text=_("Set when a one-time password was issued; cleared when the user picks their own."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.role})"


class TOTPSecret(models.Model):
    """The key of a TOTP authenticator, sealed at rest (``kirok.accounts.totp``).

    django-otp keeps the key in hex in its own table, where a copy of the database would hand an
    attacker every account's second factor. Kirok seals it with the workspace's protection keys
    (AES-GCM envelope, bound to this table and the device) and leaves a placeholder in django-otp's
    column; ``kirok keys rotate`` re-encrypts it like any protected value.
    """

    device = models.OneToOneField("otp_totp.TOTPDevice", on_delete=models.CASCADE, primary_key=True, related_name="+")
    sealed = models.JSONField(_("sealed key"))

    class Meta:
        verbose_name = _("sealed TOTP key")
        verbose_name_plural = _("sealed TOTP keys")
