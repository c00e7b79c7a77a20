"""The ledger: an append-only Merkle log (RFC 6962/9162) of every version, custody event and protected read."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "kirok.ledger"
    verbose_name = _("Ledger")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kirok.evidence.signals import custody_recorded
        from kirok.protection import signals as protection
        from kirok.records.history import changeset_closed

        from . import receivers

        changeset_closed.connect(receivers.log_changeset, dispatch_uid="kirok.ledger.changeset")
        changeset_closed.connect(receivers.log_imported_withdrawals, dispatch_uid="kirok.ledger.withdrawals")
        custody_recorded.connect(receivers.log_custody, dispatch_uid="kirok.ledger.custody")
        for kind, signal, argument in (
            ("read", protection.protected_read, "read"), ("disclosure", protection.disclosed, "disclosure"),
            ("break-glass", protection.break_glass, "grant"), ("purge", protection.purged, "purge"),
        ):
            signal.connect(receivers.log_audit(kind, argument), weak=False, dispatch_uid=f"kirok.ledger.{kind}")
        protection.consent_changed.connect(receivers.log_consent, dispatch_uid="kirok.ledger.consent")
