from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UprConfig(AppConfig):
    name = "kirok.upr"
    verbose_name = _("Universal Periodic Review")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """The ledger's kinds for what analysts add: links, their closing, assessments and
        revisions of submissions (``kirok.ledger.kinds`` is built to be extended so)."""
        from kirok.ledger import kinds

        from . import ledger

        for kind in ledger.KINDS:
            kinds.register(kind)

    def load_reference(self) -> dict[str, int]:
        """Called by `kirok init`: the shipped cycles of North Korea's reviews."""
        from .reference import load_cycles

        return {"UPR cycles": load_cycles()}
