from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "kirok.protection"
    verbose_name = _("Protection")
    default_auto_field = "django.db.models.BigAutoField"
