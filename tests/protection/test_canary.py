"""Canaries planted in protected fields never show up where the reader may not see them: not in
what a service returns, not in a log line, not in an error, not in a record's str()."""

from __future__ import annotations

import logging

import pytest

from kirok.accounts.roles import user_can
from kirok.protection.principal import NotFound
from kirok.records.exporting import export_all
from kirok.records.models import Person
from kirok.records.services import get_record, read_records, record_history

from .conftest import ROLES

pytestmark = pytest.mark.django_db

TYPES = ("source", "person", "event", "act", "information")


@pytest.mark.parametrize("role", ROLES)
def test_no_canary_reaches_a_role_that_may_not_see_it(world, role, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    user = world.users[role]
    seen = []
    for record_type in TYPES:
        seen += list(read_records(record_type, user=user, purpose="canary"))
        for side in (world.north, world.south):
            for what in ("source", "witness", "victim", "event", "act", "info"):
                try:
                    seen.append(get_record(record_type, side.ext(what), user=user, purpose="canary"))
                except NotFound as exc:
                    seen.append(str(exc))
    for person in Person.objects.all():
        seen.append(str(person))
        try:
            seen.append(record_history(person, user=user, purpose="canary"))
        except NotFound as exc:
            seen.append(str(exc))
    try:
        export_all(tmp_path / "out", principal=__import__("kirok.protection.principal", fromlist=["Principal"]).Principal.of(user))
        seen += [p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir()]
    except PermissionError as exc:
        seen.append(str(exc))
    text = repr(seen) + caplog.text
    for canary in world.south.canaries.values():
        assert canary not in text  # another compartment: never, whatever the role
    for canary in world.north.canaries.values():
        assert (canary in text) == user_can(user, "see_protected"), canary
    assert canary_free(caplog.text, world.canaries)


def canary_free(text: str, canaries: list[str]) -> bool:
    return not any(c in text for c in canaries)
