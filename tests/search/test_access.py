"""Access canaries: a user never sees a hit, a snippet or a facet count from a record or a field
they may not see — compartments, protected fields, and facet values learned from hidden records."""

from __future__ import annotations

import pytest

from kirok.accounts.roles import user_can
from kirok.protection.models import ProtectedRead
from kirok.protection.principal import AccessDenied, Principal
from kirok.search.services import search

from .conftest import ROLES, add_records

pytestmark = pytest.mark.django_db


def everything(results) -> str:
    return repr([h.as_dict() for h in results.hits]) + repr(results.facets) + str(results.total)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_other_compartments_and_protected_fields_never_show(world, role):
    user = world.users[role]
    may_see = user_can(user, "see_protected")
    for side, inside in ((world.north, True), (world.south, False)):
        c = side.canaries
        opened = search(c["open"], user=user)
        assert {h.external_id for h in opened.hits} == ({side.ext("event")} if inside else set())
        for word in ("transcript", "description", "excerpt"):
            found = search(c[word].split()[0], user=user)
            expected = {side.ext("source" if word != "excerpt" else "info")} if inside and may_see else set()
            assert {h.external_id for h in found.hits} == expected, (word, role)
            text = everything(found)
            if not (inside and may_see):
                assert c[word].split()[0] not in text and found.total == 0
        named = search(c["witness"], user=user)
        assert {h.external_id for h in named.hits} == ({side.ext("witness")} if inside and may_see else set())
    south = everything(search("요덕", user=user)) + everything(search("구금", user=user))
    for canary in world.south.canaries.values():
        assert canary.split()[0] not in south


def test_facet_counts_count_only_what_the_user_may_see(world):
    user = world.users["analyst"]
    results = search("구금", user=user)
    assert dict((v, n) for v, _label, n in results.facets["type"]) == {"event": 1}
    everyone = search("구금", user=None)
    assert dict((v, n) for v, _label, n in everyone.facets["type"]) == {"event": 2}
    basis = dict((v, n) for v, _label, n in results.facets["basis"])
    assert basis == {"direct_experience": 1}


def test_a_facet_value_learned_from_a_hidden_record_is_not_counted(world):
    """A unit named only by an involvement whose perpetrator is in another compartment."""
    add_records({"organization": [{"external_id": "t:unit", "name_ko": "가상 보위부", "name_en": "Fictional unit"}]})
    add_records({"person": [{"external_id": "t:south:perp", "names": ["가해자"]}]}, compartments=["south"])
    add_records({"involvement": [{"external_id": "t:inv", "act": world.north.ext("act"), "perpetrator": "t:south:perp", "organization": "t:unit"}]})
    analyst = search("구금", user=world.users["analyst"], filters={"type": "event"})
    operator = search("구금", user=None, filters={"type": "event"})
    assert "institution" not in analyst.facets
    assert sum(n for _v, _l, n in operator.facets["institution"]) == 1
    hidden_filter = search("구금", user=world.users["analyst"], filters={"institution": operator.facets["institution"][0][0]})
    assert hidden_filter.total == 0


def test_protected_snippets_are_revealed_only_with_an_audited_read(world):
    steward = world.users["data_steward"]
    before = ProtectedRead.objects.count()
    results = search("zorblaxN", user=steward)
    assert [h.external_id for h in results.hits] == [world.north.ext("source")]
    assert "zorblaxN" in results.hits[0].snippet
    assert ProtectedRead.objects.count() > before


def test_a_role_without_read_records_may_not_search(world):
    with pytest.raises(AccessDenied):
        search("구금", user=world.users["admin"])


def test_the_console_operator_sees_both_compartments(world):
    results = search("요덕", user=Principal.console("test"))
    assert {world.north.ext("event"), world.south.ext("event")} <= {h.external_id for h in results.hits}
