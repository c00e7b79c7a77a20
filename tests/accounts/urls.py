"""Kirok's URLs plus one tiny page that only roles with see_protected may open."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path

from kirok.accounts.roles import user_can
from kirok.config.urls import urlpatterns as kirok_urlpatterns

CANARY = "CANARY-protected-name-김철"


def protected_page(request):
    if not user_can(request.user, "see_protected"):
        raise PermissionDenied
    return HttpResponse(CANARY)


urlpatterns = [path("test/protected/", protected_page, name="protected"), *kirok_urlpatterns]
