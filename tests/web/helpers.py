"""A small fictional world for the workspace tests, built with the importer like real data.

Compartment ``north`` holds a testimony with consent, its witness, a victim, an incident with one
act and the information linking them; ``south`` the same shape. Canary values sit in protected
fields: seeing one where the reader has not revealed it (or may not see it) is a leak. The
records come from the protection tests' builder (``tests.protection.conftest.rows``), so both
suites exercise one shape of data.
"""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from kirok.protection.compartments import add_member, assigning, create
from kirok.protection.models import Compartment
from kirok.protection.principal import Principal
from kirok.records.importing import import_streams
from kirok.records.models import Event, Person, Source
from tests.accounts.helpers import make_user
from tests.protection.conftest import Side, canaries, rows

PASSWORD = "correct horse battery staple"


def build_world() -> tuple[Side, Side]:
    from kirok.records.reference import load_vocabularies

    load_vocabularies()  # the gazetteer costs seconds: tests that pick places ask for `gazetteer`
    operator = Principal.console("test")
    north, south = Side("north", canaries("N")), Side("south", canaries("S"))
    for side in (north, south):
        create(side.key, side.key.title(), principal=operator)
        with assigning([side.key]):
            import_streams(rows(side), actor="test", reason=f"fictional {side.key}")
    return north, south


def member(username: str, role: str, compartments=("north",)):
    user, _password = make_user(username, role, own_password=PASSWORD)
    for key in compartments:
        add_member(Compartment.objects.get(key=key), user, principal=Principal.console("test"))
    return user


def sign_in(client, user):
    """The client signed in as ``user``, past the code step (as tests.accounts.helpers.signed_in)."""
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return user


def event(side: Side) -> Event:
    return Event.objects.get(external_id=side.ext("event"))


def person(side: Side, what: str = "victim") -> Person:
    return Person.objects.get(external_id=side.ext(what))


def source(side: Side) -> Source:
    return Source.objects.get(external_id=side.ext("source"))
