"""A small fictional world with two compartments, a user of every role, and canary values.

Compartment ``north`` holds a testimony (with consent for internal use and the UN), its witness,
a victim, an event, an act and the information linking them; compartment ``south`` holds the
same shape with other canaries. Every user of every role is a member of ``north`` only. The
canaries are planted in protected fields, so any of them showing up where the reader may not
see protected values — or anywhere at rest — is a leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from kirok.protection.compartments import add_member, assigning, create
from kirok.protection.principal import Principal
from kirok.records.importing import import_streams, Stream

ROLES = ("admin", "data_steward", "documenter", "analyst", "reviewer", "external_recipient")


@dataclass
class Side:
    """One compartment's records (external ids) and the canaries planted in them."""

    key: str
    canaries: dict[str, str] = field(default_factory=dict)

    def ext(self, what: str) -> str:
        return f"t:{self.key}:{what}"


@dataclass
class World:
    north: Side
    south: Side
    users: dict[str, object]

    @property
    def canaries(self) -> list[str]:
        return [*self.north.canaries.values(), *self.south.canaries.values()]


@pytest.fixture(autouse=True)
def workspace(isolated_workspace):
    """Each test its own workspace folder, so its keys are its own and end with it."""
    return isolated_workspace


def rows(side: Side) -> list[Stream]:
    c = side.canaries
    e = side.ext
    data = {
        "source": [{
            "external_id": e("source"), "title": f"면담 {side.key}", "kind": "testimony", "witness": e("witness"),
            "transcript": c["transcript"], "description": "fictional interview",
            "consents": [{"scopes": ["internal", "un"], "given_on": "2024-05-01", "method": "written"}],
        }],
        "person": [
            {"external_id": e("witness"), "source": e("source"), "sex": "female", "birth_date": c["birth_date"],
             "names": [c["witness_name"], {"full_name": c["witness_latin"], "romanization": "mr"}]},
            {"external_id": e("victim"), "names": [{"full_name": c["victim_name"], "family_name": c["victim_name"][:1],
             "given_name": c["victim_name"][1:]}], "remarks": "fictional"},
        ],
        "event": [{"external_id": e("event"), "title": f"구금 {side.key}", "start_date": "1999"}],
        "act": [{"external_id": e("act"), "event": e("event"), "victim": e("victim"), "act_type": "arbitrary_detention",
                 "exact_location": c["location"], "source": e("source")}],
        "information": [{"external_id": e("info"), "source": e("source"), "event": e("event"), "person": e("victim"),
                         "connection": "witness", "excerpt": c["excerpt"]}],
    }
    return [Stream(f"{side.key}:{t}", t, list(enumerate(items, start=1)), len(items), "jsonl") for t, items in data.items()]


def canaries(tag: str) -> dict[str, str]:
    return {
        "witness_name": f"카나리{tag}증인", "witness_latin": f"Kanari {tag} Jeungin",
        "victim_name": f"캐{tag}피해자", "birth_date": {"N": "1903-11-17", "S": "1907-08-19"}[tag],
        "transcript": f"CANARY-{tag}-TRANSCRIPT 증언 내용", "location": f"CANARY-{tag}-HOME 12-3",
        "excerpt": f"CANARY-{tag}-EXCERPT 보위원이",
    }


@pytest.fixture
def world(db) -> World:
    from kirok.accounts.services import create_user
    from kirok.records.reference import load_vocabularies

    load_vocabularies()  # the gazetteer is not needed, and loading it costs seconds per test
    operator = Principal.console("test")
    north, south = Side("north", canaries("N")), Side("south", canaries("S"))
    for side in (north, south):
        create(side.key, side.key.title(), principal=operator)
        with assigning([side.key]):
            import_streams(rows(side), actor="test", reason=f"fictional {side.key}")
    users = {}
    for role in ROLES:
        user, _password = create_user(f"{role}-user", role)
        from kirok.protection.models import Compartment

        add_member(Compartment.objects.get(key="north"), user, principal=operator)
        users[role] = user
    return World(north, south, users)
