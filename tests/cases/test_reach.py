"""The matrix counts only what its reader may see: a link whose record hangs off a victim, an
event or a source out of the reader's compartments is left out (also two levels down: a passage
about such an act), break-glass brings it in for as long as the grant is open, and a tombstoned
record is counted for nobody. ``reachable_links`` asks the records' anchors (``access.refused``);
it must keep exactly the links that probing every linked record (``restricted_links`` with
``within_reach``) keeps."""

from __future__ import annotations

import pytest
from django.db.models import Q

from kirok.cases import matrix, reach, services
from kirok.cases.services import Assessment
from kirok.protection import access
from kirok.protection.compartments import assigning, create
from kirok.protection.principal import Principal
from kirok.records import history
from kirok.records.models import Act, Information, Person

from .conftest import OPERATOR

pytestmark = pytest.mark.django_db
ELEMENT = "rome-statute-cah:7(1)(e).1"


@pytest.fixture
def hidden_victim(case99, camp):
    """A victim kept in another compartment (fictional), an act of the camp event against them
    and a passage about that act, both linked to the case by the console operator."""
    case, _commander = case99
    create("sealed", "Sealed witness protection (fictional)", principal=OPERATOR)
    with history.changeset(actor="test", reason="fictional record out of the analysts' reach"), assigning(["sealed"]):
        victim = Person(remarks="fictional victim in a sealed compartment")
        victim.save()
    with history.changeset(actor="test", reason="fictional act"):
        act = Act(event=camp.get("act", "a-v1").event, victim=victim, source=camp.get("source", "s-w1"))
        act.save()
        passage = Information(source=camp.get("source", "s-w1"), act=act, excerpt="fictional")
        passage.save()
    for target, record in (("act", act), ("information", passage)):
        services.link(case, element=ELEMENT, target=target, ref=str(record.uid), principal=OPERATOR, reason="fictional",
                      assessment=Assessment("supports", "strong", "reasonable_grounds"))
    return victim, act, passage


def _supports(case, principal: Principal) -> int:
    rows = matrix.compute(case, reader=principal).rows
    return next(row.supports for row in rows if (row.framework, row.key) == tuple(ELEMENT.split(":")))


def _same_as_probing_each_record(case, principal: Principal) -> None:
    by_anchors = set(services.reachable_links(case.links.all(), principal).values_list("pk", flat=True))
    by_record = set(services.restricted_links(case.links.all(), services.within_reach(principal), principal).values_list("pk", flat=True))
    assert by_anchors == by_record


def test_a_link_to_a_record_out_of_reach_is_not_counted(case99, camp, hidden_victim):
    case, _commander = case99
    analyst = Principal.of(camp.users["analyst"])
    assert _supports(case, OPERATOR) == _supports(case, analyst) + 2  # the act and the passage about it
    _victim, act, passage = hidden_victim
    seen = services.reachable_links(case.links.all(), analyst)
    assert not seen.filter(act=act).exists() and not seen.filter(information=passage).exists()
    for principal in (analyst, OPERATOR, Principal.of(camp.outsider), Principal.of(camp.users["reviewer"])):
        _same_as_probing_each_record(case, principal)


def test_break_glass_counts_the_record_while_the_grant_is_open(case99, camp, hidden_victim):
    case, _commander = case99
    analyst = Principal.of(camp.users["analyst"])
    victim, _act, _passage = hidden_victim
    before = _supports(case, analyst)
    grant = access.break_glass(victim, analyst, reason="fictional: the prosecutor asks about this victim")
    assert _supports(case, analyst) == before + 2
    _same_as_probing_each_record(case, analyst)
    access.close_break_glass(grant)
    assert _supports(case, analyst) == before
    _same_as_probing_each_record(case, analyst)


def test_a_tombstoned_record_is_counted_for_nobody(case99, camp):
    case, _commander = case99
    analyst = Principal.of(camp.users["analyst"])
    counts = {p: _supports(case, p) for p in (analyst, OPERATOR)}
    with history.changeset(actor="test", reason="fictional: recorded in error"):
        camp.get("act", "a-v3").delete()
    for principal, before in counts.items():
        assert _supports(case, principal) == before - 1
        _same_as_probing_each_record(case, principal)


def _reach_is_current(case) -> None:
    """Every link's stored reach is what its target hangs off now (``reach.of_targets``)."""
    for link in case.links.model.all_objects.filter(case=case):
        pk = getattr(link, f"{link.target_kind}_id")
        keys, gone = reach.of_targets(link.target_kind, [pk])[pk]
        assert (link.reach.keys, link.reach.gone) == (keys, gone), link.target_kind


def test_a_target_moved_out_of_reach_after_it_was_linked_is_not_counted(case99, camp):
    """The reach is kept by the changeset that changes the target, and by the one that changes a
    record the target hangs off through (a passage's act): no stale copy lets a link through."""
    case, _commander = case99
    analyst = Principal.of(camp.users["analyst"])
    act = camp.get("act", "a-v1")
    moved = list(case.links.filter(Q(act=act) | Q(information__act=act)).values_list("pk", flat=True))
    assert len(moved) == 4  # the worked example links the act twice and a passage about it twice
    before = _supports(case, analyst)
    create("sealed", "Sealed witness protection (fictional)", principal=OPERATOR)
    with history.changeset(actor="test", reason="fictional victim"), assigning(["sealed"]):
        victim = Person(remarks="fictional victim in a sealed compartment")
        victim.save()
    with history.changeset(actor="test", reason="fictional: the victim was recorded wrongly"):
        act.victim = victim
        act.save()
    _reach_is_current(case)
    assert not services.reachable_links(case.links.all(), analyst).filter(pk__in=moved).exists()
    assert _supports(case, analyst) == before - 1  # the act's link to this element (the others are to other elements)
    assert services.reachable_links(case.links.all(), OPERATOR).filter(pk__in=moved).count() == 4
    for principal in (analyst, OPERATOR, Principal.of(camp.outsider)):
        _same_as_probing_each_record(case, principal)


def test_an_item_goes_with_its_source_and_one_without_a_source_is_the_operators(case99, camp):
    case, _commander = case99
    analyst = Principal.of(camp.users["analyst"])
    item_links = case.links.filter(item=camp.item)
    assert item_links.exists()
    assert services.reachable_links(item_links, analyst).count() == item_links.count()
    with history.changeset(actor="test", reason="fictional: the document was recorded in error"):
        camp.item.source.delete()
    _reach_is_current(case)
    for principal in (analyst, OPERATOR):
        assert not services.reachable_links(item_links, principal).exists()  # as restricted_links: a tombstoned source passes nothing
        _same_as_probing_each_record(case, principal)
    unsourced = reach.rows(reach.ids([(reach.UNSOURCED, False)]).values())
    assert reach.refused(unsourced, analyst) == set(unsourced)
    assert not reach.refused(unsourced, OPERATOR)


def test_the_migration_fills_the_reach_of_existing_links(case99, camp):
    from importlib import import_module

    from django.apps import apps

    case, _commander = case99
    case.links.model.all_objects.update(reach=None)
    import_module("kirok.cases.migrations.0003_link_reach").fill_reach(apps, None)
    _reach_is_current(case)
