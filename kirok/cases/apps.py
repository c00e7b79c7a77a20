from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "kirok.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from kirok.records.history import changeset_closed

        from .receivers import on_changeset
        from .versioning import register_ledger_kind

        register_ledger_kind()
        changeset_closed.connect(on_changeset, dispatch_uid="kirok.cases.derived")
