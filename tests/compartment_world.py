"""A compartment ``case`` holding imported fictional records, a user per role who is a member, and
an outsider (an analyst who is not): the reach every app's access tests need."""

from __future__ import annotations

from kirok.protection.compartments import add_member, assigning, create
from kirok.protection.models import Compartment
from kirok.protection.principal import Principal

ROLES = ("data_steward", "analyst", "reviewer", "documenter")


def case_compartment(streams, reason: str) -> tuple[dict, object]:
    """Import ``streams`` into a new compartment ``case``; return ({role: member user}, outsider)."""
    from kirok.accounts.services import create_user
    from kirok.records.importing import import_streams

    operator = Principal.console("test")
    create("case", "Case", principal=operator)
    with assigning(["case"]):
        import_streams(streams, actor="test", reason=reason)
    users = {}
    for role in ROLES:
        user, _password = create_user(f"{role}-user", role)
        add_member(Compartment.objects.get(key="case"), user, principal=operator)
        users[role] = user
    outsider, _password = create_user("outsider", "analyst")
    return users, outsider
