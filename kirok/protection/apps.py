from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "kirok.protection"
    verbose_name = _("Protection")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kirok.records.models import Consent, CustomField

        from . import handlers
        from .models import ProtectedField

        pre_save.connect(handlers.seal_before_save, dispatch_uid="kirok.protection.seal")
        post_save.connect(handlers.after_save, dispatch_uid="kirok.protection.after_save")
        post_delete.connect(handlers.after_delete, dispatch_uid="kirok.protection.after_delete")
        post_save.connect(handlers.consent_saved, sender=Consent, dispatch_uid="kirok.protection.consent")
        for model in (ProtectedField, CustomField):
            post_save.connect(handlers.policy_changed, sender=model, dispatch_uid=f"kirok.protection.policy.{model.__name__}.save")
            post_delete.connect(handlers.policy_changed, sender=model, dispatch_uid=f"kirok.protection.policy.{model.__name__}.delete")
