"""An analyst links evidence to elements: every change is a version in the ledger, checked in
the service layer (capability, compartment, the target within reach, the values)."""

from __future__ import annotations

import pytest

from kirok.cases import services
from kirok.cases.models import CaseVersion, ElementLink
from kirok.cases.services import Assessment, CaseError
from kirok.cases.versioning import KIND, version_digest, versions
from kirok.ledger.verification import verify
from kirok.ledger.models import Entry
from kirok.protection.principal import AccessDenied, NotFound, Principal
from kirok.records.history import NoChangeset


def test_each_change_to_a_link_is_a_version_with_its_digest_in_the_ledger(case99, camp):
    case, _commander = case99
    analyst = Principal.of(camp.users["analyst"])
    found = case.links.get(element="7(1)(e).2")
    services.reassess(found, Assessment("supports", "strong", "substantial_grounds", "second witness heard"), principal=analyst,
                      reason="W1 re-interviewed (fictional)")
    services.reassess(found, Assessment("supports", "strong", "substantial_grounds", "second witness heard"), principal=analyst,
                      reason="saved again, unchanged")
    services.unlink(found, principal=analyst, reason="wrong element (fictional)")
    history = list(versions(found))
    assert [v.action for v in history] == ["create", "update", "delete"]  # the unchanged save made no version
    assert history[1].data["strength"] == "strong" and history[0].data["strength"] == "moderate"
    assert history[1].changeset.actor == "analyst-user" and history[1].changeset.reason == "W1 re-interviewed (fictional)"
    assert history[0].data["information"] == str(camp.get("information", "n-w1-v1").uid)  # references by Kirok id
    for version in history:
        assert version.digest == version_digest(version.record_type, version.action, version.data)
        assert Entry.objects.filter(kind=KIND, subject=f"{KIND}:{version.pk}", digest=version.digest).exists()
    assert not ElementLink.objects.filter(pk=found.pk).exists() and ElementLink.all_objects.filter(pk=found.pk).exists()
    assert verify().ok


def test_the_ledger_catches_a_version_changed_afterwards(case99):
    version = CaseVersion.objects.filter(record_type="element_link").first()
    CaseVersion.objects.filter(pk=version.pk).update(data={**version.data, "note": "rewritten afterwards"})
    report = verify()
    assert not report.ok and f"case version {version.pk}" in str(report.problem)


def test_writes_outside_a_changeset_are_refused(case99):
    case, _commander = case99
    case.title = "changed quietly"
    with pytest.raises(NoChangeset):
        case.save()


@pytest.mark.parametrize("element, assessment, message", [
    ("rome-statute-cah:7(1)(z).1", Assessment("supports", "weak"), "element: "),
    ("no-such-framework:1", Assessment("supports", "weak"), "element: no framework"),
    ("rome-statute-cah:7(1)(e).1", Assessment("proves", "weak"), "assessment: "),
    ("rome-statute-cah:7(1)(e).1", Assessment("supports", "very"), "strength: "),
    ("rome-statute-cah:7(1)(e).1", Assessment("supports", "weak", "certainty"), "standard: "),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(case99, camp, element, assessment, message):
    case, _commander = case99
    before = (ElementLink.all_objects.count(), CaseVersion.objects.count())
    with pytest.raises(CaseError, match=message):
        services.link(case, element=element, target="act", ref="a-v1", assessment=assessment,
                      principal=Principal.of(camp.users["analyst"]), reason="test")
    assert (ElementLink.all_objects.count(), CaseVersion.objects.count()) == before


def test_access_is_checked_in_the_service_layer(case99, camp):
    case, _commander = case99
    good = Assessment("supports", "weak")
    with pytest.raises(AccessDenied):  # a reviewer reads cases but does not write
        services.link(case, element="rome-statute-cah:7(1)(e).1", target="act", ref="a-v1", assessment=good,
                      principal=Principal.of(camp.users["reviewer"]), reason="test")
    with pytest.raises(NotFound):  # an analyst outside the compartment: the case does not exist for them
        services.get_case(str(case.uid), Principal.of(camp.outsider))
    with pytest.raises(NotFound):  # nor can they change it with the case object in hand
        services.set_charges(case, [], principal=Principal.of(camp.outsider), reason="test")
    with pytest.raises(NotFound):  # the evidence item of a source out of reach cannot be linked
        services.link(case, element="rome-statute-cah:7(1)(e).1", target="item", ref="00000000-0000-4000-8000-000000000000",
                      assessment=good, principal=Principal.of(camp.users["analyst"]), reason="test")
    with pytest.raises(CaseError, match="compartment"):  # nobody opens a case in a compartment that is not theirs
        services.create_case(key="other", title="x", compartment="camp99", charges=[], principal=Principal.of(camp.outsider),
                             reason="test")
    with pytest.raises(CaseError, match="charges: .* is a liability item"):
        services.create_case(key="bad", title="x", compartment="camp99", charges=["rome-statute-liability:28(b)"],
                             principal=Principal.of(camp.users["analyst"]), reason="test")


def test_unit_parents_over_time_are_checked(camp):
    analyst = Principal.of(camp.users["analyst"])
    with pytest.raises(CaseError, match="end: the period ends before it starts"):
        services.set_unit_parent(unit="f:camp-unit", parent="f:bureau", start="2000", end="1990", principal=analyst, reason="x")
    with pytest.raises(CaseError, match="start: cannot read date"):
        services.set_unit_parent(unit="f:camp-unit", parent="f:bureau", start="spring", end="", principal=analyst, reason="x")
    with pytest.raises(CaseError, match="reason"):
        services.set_unit_parent(unit="f:camp-unit", parent="f:bureau", start="1990", end="", principal=analyst, reason=" ")
