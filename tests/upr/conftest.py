"""A small fictional workspace for the UPR: the shipped cycles, the synthetic demo set (200
fictional persons and their incidents, in compartment ``case``), and a user per role.

Every recommendation in these tests is synthetic and says so; the cycles' metadata are public
facts shipped with Kirok."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kirok.protection.compartments import add_member, assigning, create
from kirok.protection.models import Compartment
from kirok.protection.principal import Principal


@dataclass
class World:
    users: dict
    outsider: object


@pytest.fixture(autouse=True)
def workspace(isolated_workspace):
    return isolated_workspace


@pytest.fixture
def cycles(db):
    from kirok.upr.reference import load_cycles

    load_cycles()


@pytest.fixture
def world(reference, cycles) -> World:
    from kirok.accounts.services import create_user
    from kirok.records.demo import DemoSet, streams
    from kirok.records.importing import import_streams

    operator = Principal.console("test")
    create("case", "Case", principal=operator)
    with assigning(["case"]):
        import_streams(streams(DemoSet(200, seed=3)), actor="test", reason="fictional demo set")
    users = {}
    for role in ("data_steward", "analyst", "reviewer", "documenter"):
        user, _password = create_user(f"{role}-user", role)
        add_member(Compartment.objects.get(key="case"), user, principal=operator)
        users[role] = user
    outsider, _password = create_user("outsider", "analyst")
    return World(users, outsider)
