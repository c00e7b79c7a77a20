from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "kirok.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kirok.accounts import signals  # noqa: F401  (connects the receivers)


class KirokAdminConfig(admin_apps.AdminConfig):
    """The Django admin, with a site whose door is Kirok's own sign-in (password, TOTP, lockout)."""

    default = False  # kirok.accounts itself is AccountsConfig; this one is named in INSTALLED_APPS
    default_site = "kirok.accounts.admin_site.KirokAdminSite"
