from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kirok.web"
    label = "web"

    def ready(self) -> None:
        from kirok.records.history import changeset_closed

        from . import queries

        changeset_closed.connect(queries.data_changed, dispatch_uid="kirok.web.figures")
