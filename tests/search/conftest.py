"""A small fictional world for search tests: two compartments, users of every role, records
written in several scripts and spellings, and canaries in protected and open fields.

Compartment ``north`` and ``south`` each hold a testimony (transcript and description are
protected), its witness (names protected), an event, an act with a victim, and information whose
passage is protected. Every user is a member of ``north`` only. The canary words are made-up
Latin tokens, so that a canary seen anywhere is a leak, never a coincidence.
"""

from __future__ import annotations

import pytest

from kirok.protection.compartments import add_member, assigning, create
from kirok.protection.principal import Principal
from kirok.records.importing import Stream, import_streams
from kirok.search import documents
from tests.protection.conftest import ROLES, Side, World  # noqa: F401  (ROLES is imported from here by the tests)


@pytest.fixture(autouse=True)
def workspace(isolated_workspace):
    """Each test its own workspace folder (its own keys), and fresh cached reference maps."""
    documents.forget_reference()
    yield isolated_workspace
    documents.forget_reference()


def canaries(tag: str) -> dict[str, str]:
    return {
        "transcript": f"zorblax{tag} 보위원이 조사했다", "description": f"quintarq{tag} summary",
        "excerpt": f"vexmoor{tag} 증언", "witness": f"카나{tag}리", "witness_latin": f"Kana {tag}ri",
        "open": f"opencanary{tag}",
    }


def streams(side: Side, place_uid: str | None = None) -> list[Stream]:
    c, e = side.canaries, side.ext
    data = {
        "source": [{
            "external_id": e("source"), "title": f"면담 {side.key}", "kind": "testimony", "witness": e("witness"),
            "testimony_basis": "direct_experience", "transcript": c["transcript"], "description": c["description"],
            "consents": [{"scopes": ["internal"], "given_on": "2024-05-01", "method": "written"}],
        }],
        "person": [
            {"external_id": e("witness"), "source": e("source"), "names": [c["witness"], {"full_name": c["witness_latin"], "romanization": "mr"}]},
            {"external_id": e("victim"), "names": ["리명수"], "remarks": "fictional victim"},
        ],
        "event": [{
            "external_id": e("event"), "title": f"{c['open']} 요덕 구금 사건",
            "description": "리명수는 로동단련대에서 구금되었다. Kim Chol Su was held at Yodŏk.",
            "start_date": "1999", "violation_categories": ["arbitrary_detention"],
            **({"places": [place_uid]} if place_uid else {}),
        }],
        "act": [{"external_id": e("act"), "event": e("event"), "victim": e("victim"), "act_type": "arbitrary_detention",
                 "start_date": "1999-03", "source": e("source"), **({"place": place_uid} if place_uid else {})}],
        "information": [{"external_id": e("info"), "source": e("source"), "event": e("event"), "person": e("victim"),
                         "connection": "witness", "testimony_basis": "direct_experience", "excerpt": c["excerpt"]}],
    }
    return [Stream(f"{side.key}:{t}", t, list(enumerate(items, start=1)), len(items), "jsonl") for t, items in data.items()]


def add_records(data: dict[str, list[dict]], *, compartments=None, reason: str = "test") -> None:
    with assigning(compartments):
        import_streams(
            [Stream(t, t, list(enumerate(items, start=1)), len(items), "jsonl") for t, items in data.items()],
            actor="test", reason=reason,
        )


@pytest.fixture
def world(db) -> World:
    from kirok.accounts.services import create_user
    from kirok.protection.models import Compartment
    from kirok.records.reference import load_vocabularies

    load_vocabularies()
    operator = Principal.console("test")
    add_records({"place": [{"external_id": "t:yodok", "kind": "facility", "name_ko": "요덕", "mr": "Yodŏk", "iso_code": ""}]})
    from kirok.records.models import Place

    place = str(Place.objects.get(external_id="t:yodok").uid)
    north, south = Side("north", canaries("N")), Side("south", canaries("S"))
    for side in (north, south):
        create(side.key, side.key.title(), principal=operator)
        with assigning([side.key]):
            import_streams(streams(side, place), actor="test", reason=f"fictional {side.key}")
    users = {}
    for role in ROLES:
        user, _password = create_user(f"{role}-user", role)
        add_member(Compartment.objects.get(key="north"), user, principal=operator)
        users[role] = user
    return World(north, south, users)
