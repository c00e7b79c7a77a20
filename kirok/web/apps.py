from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kirok.web"
    label = "web"
