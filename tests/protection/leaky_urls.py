"""Kirok's URLs plus pages that break the rules on purpose, for the matrix to catch."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import path

from kirok.accounts.roles import user_can
from kirok.config.urls import urlpatterns as kirok_urlpatterns
from kirok.protection import access
from kirok.protection.pages import declare
from kirok.protection.principal import NotFound, Principal
from kirok.records.models import Person
from kirok.records.services import get_record


def undeclared(request):
    return HttpResponse("no rule")


@declare("export")
def unchecked(request):
    """Declares a capability and never checks it; shows every witness's name."""
    names = [get_record("person", str(p.uid), user=Principal.console("leak"), purpose="leak")["names"] for p in Person.objects.all()]
    return HttpResponse(repr(names))


@declare("read_records")
def person(request, uid):
    """403 for a person outside the compartments, 404 for one that does not exist: a leak."""
    if not Person.objects.filter(uid=uid).exists():
        raise Http404()
    try:
        access.get("person", str(uid), Principal.of(request.user))
    except NotFound:
        raise PermissionDenied from None
    return HttpResponse("ok" if user_can(request.user, "read_records") else "")


urlpatterns = [
    path("leaky/undeclared/", undeclared, name="leaky-undeclared"),
    path("leaky/unchecked/", unchecked, name="leaky-unchecked"),
    path("leaky/persons/<uuid:uid>/", person, name="leaky-person"),
    *kirok_urlpatterns,
]
