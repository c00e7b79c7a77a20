"""The counts a reader's matrix is read from (``kirok.cases.tallies``) are kept by the changesets:
after every kind of change — a link made, reassessed, withdrawn; its target's source changed, its
target tombstoned, moved out of an analyst's reach; a passage moved to another act — they equal
the case's live links counted afresh, and the matrix each reader sees from them equals the matrix
over the links that reader may see (``services.reachable_links``, grouped afresh)."""

from __future__ import annotations

import random

import pytest
from django.db.models import Count

from kirok.cases import matrix, services, tallies
from kirok.cases.models import ElementLink, Tally
from kirok.cases.services import Assessment
from kirok.protection.compartments import assigning, create
from kirok.protection.principal import Principal
from kirok.records import history
from kirok.records.models import Act, Information, Person, Source

from .conftest import OPERATOR

pytestmark = pytest.mark.django_db
ELEMENTS = ["rome-statute-cah:7(1)(e).1", "rome-statute-cah:7(1)(e).2", "rome-statute-cah:7(1)(f).1", "rome-statute-cah:ctx.attack"]
TARGETS = [("act", "a-v1"), ("act", "a-v2"), ("act", "a-v3"), ("information", "n-w1-v1"), ("information", "n-w2-v3"),
           ("information", "n-doc"), ("position", "b-cmd")]


def _counted_afresh(case) -> dict[tuple, int]:
    grouped = ElementLink.objects.filter(case=case).order_by().values_list(*tallies.GROUPED).annotate(n=Count("*"))
    return {row[:-1]: row[-1] for row in grouped}


def _kept(case) -> dict[tuple, int]:
    return {row[:-1]: row[-1] for row in Tally.objects.filter(case=case).values_list(*tallies.GROUPED, "links")}


def _shown(result: matrix.Matrix) -> list[tuple]:
    return [(r.framework, r.key, r.supports, r.contradicts, r.context, r.strong, r.sources, r.witnesses, r.source_kinds,
             r.standard.code if r.standard else None) for r in [*result.rows, *result.unplaced]] + [("links", result.links)]


def _agree(case, suspect, readers) -> None:
    assert _kept(case) == _counted_afresh(case)
    for reader in readers:
        for subject in (None, suspect):
            afresh = matrix.of_links(case, services.reachable_links(case.links.all(), reader), subject)
            assert _shown(matrix.compute(case, subject, reader=reader)) == _shown(afresh), (reader.actor, subject)


def test_a_link_is_counted_in_the_changeset_that_makes_it_and_uncounted_when_withdrawn(case99, camp):
    case, commander = case99
    analyst = Principal.of(camp.users["analyst"])
    before = sum(_kept(case).values())
    made = services.link(case, element=ELEMENTS[0], target="act", ref="a-v2", principal=analyst, reason="fictional",
                         assessment=Assessment("supports", "weak"))
    assert sum(_kept(case).values()) == before + 1
    services.unlink(made, principal=analyst, reason="fictional: mistaken")
    assert sum(_kept(case).values()) == before
    _agree(case, commander, [analyst, OPERATOR])


@pytest.mark.parametrize("seed", range(3))
def test_the_tallies_follow_every_kind_of_change(case99, camp, seed):
    case, commander = case99
    rng = random.Random(seed)
    analyst = Principal.of(camp.users["analyst"])
    readers = [analyst, Principal.of(camp.users["reviewer"]), OPERATOR, Principal.of(camp.outsider)]
    create("sealed", "Sealed witness protection (fictional)", principal=OPERATOR)
    with history.changeset(actor="test", reason="fictional victim"), assigning(["sealed"]):
        sealed = Person(remarks="fictional victim in a sealed compartment")
        sealed.save()

    def make() -> None:
        target, ref = rng.choice(TARGETS)
        services.link(case, element=rng.choice(ELEMENTS), target=target, ref=ref, principal=OPERATOR, reason="fictional",
                      suspect=rng.choice([None, commander]),
                      assessment=Assessment(rng.choice(["supports", "contradicts", "context"]), rng.choice(["weak", "strong"])))

    def reassess() -> None:
        found = rng.choice(list(case.links.all()))
        services.reassess(found, Assessment(rng.choice(["supports", "contradicts"]), "moderate", "reasonable_grounds"),
                          principal=OPERATOR, reason="fictional")

    def withdraw() -> None:
        services.unlink(rng.choice(list(case.links.all())), principal=OPERATOR, reason="fictional")

    def resource() -> None:
        act = Act.objects.get(external_id=rng.choice(["a-v1", "a-v2", "a-v3"]))
        with history.changeset(actor="test", reason="fictional correction of the act's source"):
            act.source = Source.objects.get(external_id=rng.choice(["s-w1", "s-w2", "s-doc"]))
            act.save()

    def seal() -> None:
        act = Act.objects.get(external_id=rng.choice(["a-v1", "a-v2", "a-v3"]))
        with history.changeset(actor="test", reason="fictional: the victim was recorded wrongly"):
            act.victim = sealed
            act.save()

    def repoint() -> None:
        passage = Information.objects.get(external_id=rng.choice(["n-w1-v1", "n-w2-v3"]))
        with history.changeset(actor="test", reason="fictional: the passage is about another act"):
            passage.act = Act.all_objects.get(external_id=rng.choice(["a-v1", "a-v2", "a-v3"]))
            passage.save()

    def tombstone() -> None:
        live = list(Act.objects.all())
        if len(live) > 1:
            with history.changeset(actor="test", reason="fictional: recorded in error"):
                rng.choice(live).delete()

    changes = [make, make, reassess, withdraw, resource, seal, repoint, tombstone]
    for _step in range(12):
        rng.choice(changes)()
        _agree(case, commander, readers)


def test_the_migration_counts_the_links_of_existing_cases(case99, camp):
    from importlib import import_module

    from django.apps import apps

    case, commander = case99
    kept = _kept(case)
    assert kept and sum(kept.values()) == case.links.count()
    Tally.objects.all().delete()
    import_module("kirok.cases.migrations.0004_tally").fill_tallies(apps, None)
    assert _kept(case) == kept
    _agree(case, commander, [Principal.of(camp.users["analyst"])])
