"""The workspace's URLs with the linkage pages, as the lead will wire them (kirok/config/urls.py)."""

from django.urls import include, path

from kirok.config.urls import urlpatterns as workspace

urlpatterns = [path("linkage/", include("kirok.linkage.urls")), *workspace]
