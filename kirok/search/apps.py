from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "kirok.search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Keep the index current: every changeset re-indexes what it wrote (inside its
        transaction), and a purge removes what it destroyed from the index."""
        from kirok.protection.signals import purged
        from kirok.records.history import changeset_closed

        from . import indexing

        changeset_closed.connect(indexing.on_changeset, dispatch_uid="kirok.search.changeset")
        purged.connect(indexing.on_purged, dispatch_uid="kirok.search.purged")
