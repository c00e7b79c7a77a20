"""``access.anchor_paths`` and ``access.out_of_reach``: the rows ``visible`` leaves out, found by
the keys of the records they hang off, each asked once. Together they must answer exactly as
``visible`` does, for every kind of record that hangs off others, every reader, break-glass and
tombstones, or a case matrix would count what its reader may not see (or hide what they may). The world is small and fictional: two compartments, and records in one that hang off
records of the other, one level down (an act's victim) and two (a passage's act's victim).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pytest
from django.utils import timezone

from kirok.accounts.services import create_user
from kirok.protection import access
from kirok.protection.compartments import add_member, assigning, create
from kirok.protection.principal import Principal
from kirok.records import history
from kirok.records.models import (
    Act,
    BiographicDetail,
    ChainOfEvents,
    Event,
    Information,
    Intervention,
    Involvement,
    Person,
    PersonName,
    Source,
)

pytestmark = pytest.mark.django_db
OPERATOR = Principal.console("test")
HANGING = (Act, Involvement, Information, BiographicDetail, ChainOfEvents, Intervention, Source, Event, Person, PersonName)


@dataclass
class Mixed:
    member: Principal  # analyst in "east" only
    both: Principal  # analyst in "east" and "west"
    stranger: Principal  # analyst in neither
    admin: Principal  # no read_records
    west_victim: Person
    west_event: Event
    east_act: Act
    tombstoned_act: Act


@pytest.fixture
def mixed(db) -> Mixed:
    """Fictional records: east (the reader's) and west (not), and records that cross them."""
    east, west = (create(key, f"{key} (fictional)", principal=OPERATOR) for key in ("east", "west"))

    def made(model, **fields):
        row = model(**fields)
        row.save()
        return row

    with history.changeset(actor="test", reason="fictional access world"):
        with assigning(["east"]):
            source, event, victim, perp = (made(Source, title="fictional testimony E"), made(Event, title="fictional event E"),
                                           made(Person, remarks="fictional victim E"), made(Person, remarks="fictional perpetrator E"))
        with assigning(["west"]):
            west_source, west_event, west_victim = (made(Source, title="fictional testimony W"), made(Event, title="fictional event W"),
                                                    made(Person, remarks="fictional victim W"))
        made(PersonName, person=victim, full_name="가상피해 동")
        made(PersonName, person=west_victim, full_name="가상피해 서")
        east_act = made(Act, event=event, victim=victim)
        no_victim = made(Act, event=event)
        cross_victim = made(Act, event=event, victim=west_victim)  # out of reach through its victim
        cross_event = made(Act, event=west_event, victim=victim)  # out of reach through its event
        tombstoned = made(Act, event=event, victim=victim)
        for act in (east_act, cross_victim, no_victim):
            made(Involvement, act=act, perpetrator=perp)
        made(Involvement, act=east_act, perpetrator=west_victim)
        made(Information, source=source, act=east_act)
        made(Information, source=source, act=cross_victim)  # two levels down: the act's victim
        made(Information, source=west_source, event=event)
        made(Information, source=source, event=event, person=west_victim)
        made(Information, source=source, person=victim)
        made(BiographicDetail, person=perp, position="fictional guard")
        made(BiographicDetail, person=perp, related_person=west_victim)
        made(ChainOfEvents, event=event, related_event=west_event)
        made(ChainOfEvents, event=event, related_event=event)
        made(Intervention, event=event, victim=victim)
        made(Intervention, victim=victim, intervening_person=west_victim)
        made(Intervention)
        tombstoned.delete()
    users = {}
    for name, role, places in (("member", "analyst", [east]), ("both", "analyst", [east, west]), ("stranger", "analyst", []),
                               ("admin", "admin", [east])):
        users[name], _password = create_user(f"bulk-{name}", role)
        for place in places:
            add_member(place, users[name], principal=OPERATOR)
    return Mixed(**{k: Principal.of(u) for k, u in users.items()}, west_victim=west_victim, west_event=west_event, east_act=east_act,
                 tombstoned_act=Act.all_objects.get(pk=tombstoned.pk))


def _keys(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def _refused(queryset, principal: Principal) -> set[int]:
    """The rows of ``queryset`` refused by their anchors: a key they name is out of reach (as
    ``kirok.cases.reach`` asks it for the links of a case)."""
    paths = access.anchor_paths(queryset.model)
    rows = list(queryset.values_list("pk", *(path for path, _type in paths)))
    wanted: dict[str, set] = defaultdict(set)
    for _pk, *keys in rows:
        for (_path, record_type), key in zip(paths, keys):
            if key is not None:
                wanted[record_type].add(key)
    out = access.out_of_reach(wanted, principal)
    return {pk for pk, *keys in rows if any(key is not None and key in out[record_type] for (_path, record_type), key in zip(paths, keys))}


def _as_visible_would(principal: Principal) -> None:
    """For every model, refused == every row − visible rows (all rows, tombstoned ones too)."""
    for model in HANGING:
        queryset = model.all_objects.all() if hasattr(model, "all_objects") else model.objects.all()
        if principal.operator or principal.can("read_records"):
            assert _refused(queryset, principal) == _keys(queryset) - _keys(access.visible(queryset, principal)), model.__name__
        else:  # every key out of reach (a row that names none is refused by ``visible`` and by the case's reach alike)
            assert not access.visible(queryset, principal).exists()
            assert access.out_of_reach({"event": {1, 2}, "person": {3}}, principal) == {"event": {1, 2}, "person": {3}}


def test_out_of_reach_answers_as_visible_does_for_every_reader(mixed):
    for principal in (mixed.member, mixed.both, mixed.stranger, mixed.admin, OPERATOR):
        _as_visible_would(principal)


def test_a_record_out_of_reach_is_refused_however_deep_it_hangs(mixed):
    acts, passages = (_refused(model.objects.all(), mixed.member) for model in (Act, Information))
    assert set(Act.objects.filter(pk__in=acts).values_list("victim_id", flat=True)) >= {mixed.west_victim.pk}
    assert set(Act.objects.filter(pk__in=acts).values_list("event_id", flat=True)) >= {mixed.west_event.pk}
    assert mixed.east_act.pk not in acts
    # a passage about an act in an east event whose victim is in west is refused: two levels down
    assert Information.objects.filter(act__victim=mixed.west_victim).get().pk in passages
    assert Information.objects.filter(act=mixed.east_act).get().pk not in passages
    # the reader of both compartments is refused nothing live
    assert [_refused(model.objects.all(), mixed.both) for model in (Act, Information)] == [set(), set()]


def test_break_glass_opens_what_hangs_off_the_record_and_closing_it_shuts_it_again(mixed):
    grant = access.break_glass(mixed.west_victim, mixed.member, reason="fictional: checking a duplicate for a case")
    _as_visible_would(mixed.member)
    acts = _refused(Act.objects.all(), mixed.member)
    assert Act.objects.get(victim=mixed.west_victim).pk not in acts  # its event is east's, its victim now open
    assert Act.objects.get(event=mixed.west_event).pk in acts  # the west event was not opened
    access.close_break_glass(grant)
    assert Act.objects.get(victim=mixed.west_victim).pk in _refused(Act.objects.all(), mixed.member)
    grant = access.break_glass(mixed.west_victim, mixed.member, reason="fictional: again")
    type(grant).objects.filter(pk=grant.pk).update(expires_at=timezone.now())  # expired: as closed
    _as_visible_would(mixed.member)
    assert Act.objects.get(victim=mixed.west_victim).pk in _refused(Act.objects.all(), mixed.member)


def test_keys_past_the_drivers_cap_on_parameters_are_asked_in_one_query(mixed):
    """Each type's keys go as one list (``__among``): 70,000 of them, past PostgreSQL's 65,535
    parameters, are answered like a few, and keys of no record are out of reach."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    persons = set(Person.objects.values_list("pk", flat=True))
    absent = set(range(10**6, 10**6 + 70_000))
    with CaptureQueriesContext(connection) as queries:
        out = access.out_of_reach({"person": persons | absent}, mixed.member)
    assert len(queries) == 1  # compartment placements and open grants together
    assert out["person"] >= absent
    assert out["person"] - absent == persons - set(access.visible(Person.objects.all(), mixed.member).values_list("pk", flat=True))
