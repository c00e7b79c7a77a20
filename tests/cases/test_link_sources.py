"""The copy of each link's target source (``ElementLink.source``) that lets the matrix count
sources, witnesses and source types from the link table alone: written with the link, kept right
when the target's source changes, left out of the link's versions, and giving exactly the counts
that following every link to its record gives."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError

from kirok.cases import matrix, services
from kirok.cases.models import ElementLink
from kirok.cases.services import Assessment
from kirok.cases.versioning import versions
from kirok.evidence.models import Item
from kirok.protection.principal import Principal
from kirok.records import history
from kirok.records.models import Source


def _target_source(link: ElementLink) -> Source | None:
    """The source behind a link, found the long way: through the record it points to."""
    target = getattr(link, link.target_kind)
    return target.source


def _by_hand(links: list[ElementLink], framework: str, element: str) -> tuple[int, int, int, int, int]:
    """(supports, contradicts, sources, witnesses, source types) of one element, counted link by link."""
    mine = [link for link in links if (link.framework, link.element) == (framework, element)]
    supporting = [_target_source(link) for link in mine if link.assessment == "supports"]
    sources = {s.pk for s in supporting if s is not None}
    witnesses = {s.witness_id for s in supporting if s is not None and s.witness_id is not None}
    kinds = {s.kind_id for s in supporting if s is not None and s.kind_id is not None}
    return (sum(link.assessment == "supports" for link in mine), sum(link.assessment == "contradicts" for link in mine),
            len(sources), len(witnesses), len(kinds))


def test_every_link_carries_its_targets_source(case99, camp):
    case, _commander = case99
    links = list(case.links.all())
    assert {link.target_kind for link in links} == set(ElementLink.TARGETS)
    for link in links:
        assert link.source_id is not None and link.source_id == _target_source(link).pk


def test_the_matrix_counts_what_following_each_link_to_its_record_counts(case99, camp):
    case, commander = case99
    analyst = Principal.of(camp.users["analyst"])
    more = [("7(1)(e).1", "information", "n-w2-v3", "supports"), ("7(1)(e).1", "information", "n-doc", "supports"),
            ("7(1)(e).1", "item", str(camp.w2_item.uid), "supports"), ("7(1)(e).2", "act", "a-v3", "contradicts"),
            ("7(1)(e).2", "position", "b-chief", "supports")]
    for element, target, ref, assessment in more:
        services.link(case, element=f"rome-statute-cah:{element}", target=target, ref=ref, principal=analyst,
                      assessment=Assessment(assessment, "weak", "", "fictional"), reason="analysis")
    withdrawn = services.link(case, element="rome-statute-cah:7(1)(e).2", target="act", ref="a-v2", principal=analyst,
                              assessment=Assessment("supports", "weak", "", "fictional"), reason="analysis")
    services.unlink(withdrawn, principal=analyst, reason="mistaken")
    result = matrix.compute(case, commander, reader=analyst)
    live = list(case.links.all())
    for row in result.rows:
        counted = (row.supports, row.contradicts, row.sources, row.witnesses, row.source_kinds)
        assert counted == _by_hand(live, row.framework, row.key), row.key
    imprisonment = {row.key: row for row in result.rows}["7(1)(e).1"]
    # acts and passages of W1 and W2, the document's passage, W2's recording: 3 sources, 2 witnesses, 2 kinds
    assert (imprisonment.supports, imprisonment.sources, imprisonment.witnesses, imprisonment.source_kinds) == (5, 3, 2, 2)


def test_a_link_follows_its_target_to_a_new_source_without_a_new_version(case99, camp):
    case, commander = case99
    analyst = Principal.of(camp.users["analyst"])
    act = camp.get("act", "a-v3")
    link = case.links.get(act=act)
    before = [v.digest for v in versions(link)]
    assert link.source_id == Source.objects.get(external_id="s-w2").pk

    def imprisonment():
        rows = matrix.compute(case, commander, reader=analyst).rows
        return next(row for row in rows if row.key == "7(1)(e).1")

    assert (imprisonment().sources, imprisonment().witnesses) == (2, 2)
    with history.changeset(actor="test", reason="the act was told by W1, not W2 (fictional correction)"):
        act.source = Source.objects.get(external_id="s-w1")
        act.save()
    link.refresh_from_db()
    assert link.source_id == act.source_id
    assert (imprisonment().sources, imprisonment().witnesses, imprisonment().status) == (1, 1, matrix.SINGLE)
    assert [v.digest for v in versions(link)] == before  # derived, not asserted: no new version
    assert all("source" not in v.data for v in versions(link))


def test_the_migration_gives_existing_links_their_targets_source(case99, camp):
    case, _commander = case99
    ElementLink.all_objects.filter(case=case).update(source=None)
    migration = importlib.import_module("kirok.cases.migrations.0002_link_source")
    migration.copy_sources(apps, None)
    for link in case.links.all():
        assert link.source_id == _target_source(link).pk
    assert Item.objects.get(pk=camp.item.pk).source_id == case.links.get(item=camp.item).source_id


def test_a_link_with_no_target_is_refused_by_the_database_and_nothing_is_written(case99):
    case, _commander = case99
    with pytest.raises(IntegrityError), history.changeset(actor="test", reason="a link to nothing"):
        ElementLink(case=case, framework="rome-statute-cah", element="7(1)(e).1", assessment="supports", strength="weak").save()
    assert case.links.count() == 9
