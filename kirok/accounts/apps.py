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
        from django.db.models.signals import post_save, pre_save
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from kirok.accounts import signals  # noqa: F401  (connects the receivers)
        from kirok.accounts import totp
        from kirok.protection.rotation import SealedColumn, register_sealed_column

        # TOTP keys sealed at rest: django-otp reads the key only through bin_key, which opens it.
        TOTPDevice.bin_key = property(totp.bin_key)
        pre_save.connect(totp.take_key, sender=TOTPDevice, dispatch_uid="kirok.accounts.totp.take")
        post_save.connect(totp.store_key, sender=TOTPDevice, dispatch_uid="kirok.accounts.totp.store")
        register_sealed_column(SealedColumn("accounts.TOTPSecret", "sealed", "device_id", totp.TABLE, totp.COLUMN))


class KirokAdminConfig(admin_apps.AdminConfig):
    """The Django admin, with a site whose door is Kirok's own sign-in (password, TOTP, lockout)."""

    default = False  # kirok.accounts itself is AccountsConfig; this one is named in INSTALLED_APPS
    default_site = "kirok.accounts.admin_site.KirokAdminSite"
