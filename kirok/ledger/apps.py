"""The ledger: an append-only Merkle log (RFC 6962/9162) of every version, custody event and protected read."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "kirok.ledger"
    verbose_name = _("Ledger")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kirok.evidence.signals import custody_recorded
        from kirok.records.history import changeset_closed

        from . import receivers

        changeset_closed.connect(receivers.log_changeset, dispatch_uid="kirok.ledger.changeset")
        custody_recorded.connect(receivers.log_custody, dispatch_uid="kirok.ledger.custody")
