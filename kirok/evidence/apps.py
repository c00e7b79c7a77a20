from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "kirok.evidence"
    verbose_name = _("Evidence")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kirok.protection.rotation import SealedColumn, register_sealed_column

        # Sealed embedded metadata is re-encrypted by `kirok keys rotate` like every protected value.
        register_sealed_column(SealedColumn("evidence.Item", "metadata", "uid", "evidence_item", "metadata"))
