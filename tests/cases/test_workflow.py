"""An analyst works links and charges from the command line and reads a withdrawn link's history:
every change goes through the services (capability, compartment, reach), errors name the field."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from kirok.cases import services
from kirok.cases.models import ElementLink
from kirok.cases.services import Assessment, CaseError
from kirok.cases.versioning import versions
from kirok.protection.principal import NotFound, Principal
from tests.accounts.helpers import sign_in_as


def _withdrawn(case, camp) -> ElementLink:
    found = case.links.get(element="7(1)(e).2")
    analyst = Principal.of(camp.users["analyst"])
    services.reassess(found, Assessment("supports", "strong", "substantial_grounds", "W1 heard again"), principal=analyst,
                      reason="second interview (fictional)")
    services.unlink(found, principal=analyst, reason="belongs to another element (fictional)")
    return found


def test_a_withdrawn_links_page_shows_every_version_read_only_and_stays_closed_to_outsiders(case99, camp, client):
    case, _commander = case99
    found = _withdrawn(case, camp)
    sign_in_as(client, camp.users["reviewer"])
    page = client.get(f"/cases/links/{found.uid}/")
    text = page.content.decode()
    assert page.status_code == 200 and "withdrawn" in text
    assert "belongs to another element (fictional)" in text and "second interview (fictional)" in text and "analysis" in text
    assert text.count('class="hash"') == 3  # recorded, reassessed, withdrawn: each version with its digest
    for version in versions(found):
        assert version.digest in text
    assert "Substantial grounds" in text and "substantial_grounds" not in text  # labels, not codes
    assert "source passage" in text and f"/information/{camp.get('information', 'n-w1-v1').uid}/" in text  # what it pointed to
    client.logout()
    sign_in_as(client, camp.users["analyst"])
    text = client.get(f"/cases/links/{found.uid}/").content.decode()
    assert "Reassess" not in text and "Withdraw this link" not in text  # read only, even for a writer
    refused = client.post(f"/cases/links/{found.uid}/", {"assessment": "supports", "strength": "weak", "reason": "x"})
    assert refused.status_code == 400 and "was withdrawn" in refused.content.decode()
    assert versions(found).count() == 3
    client.logout()
    sign_in_as(client, camp.outsider)
    assert client.get(f"/cases/links/{found.uid}/").status_code == 404


def test_a_withdrawn_link_to_a_record_out_of_reach_stays_hidden(case99, camp, client):
    """A member of the case's compartment who may not see the linked act does not see the
    withdrawn link either: its history names the act."""
    from kirok.accounts.services import create_user
    from kirok.protection.compartments import add_member, create
    from kirok.protection.models import Compartment

    case, _commander = case99
    found = case.links.get(element="7(1)(e).1", act=camp.get("act", "a-v1"))
    services.unlink(found, principal=Principal.of(camp.users["analyst"]), reason="test (fictional)")
    operator = Principal.console("test")
    create("cases-only", "Cases only (fictional)", principal=operator)
    reader, _password = create_user("case-reader", "reviewer")
    add_member(Compartment.objects.get(key="cases-only"), reader, principal=operator)
    case.compartment = Compartment.objects.get(key="cases-only")
    from kirok.records import history

    with history.changeset(actor="test", reason="move the case (fictional)"):
        case.save()
    sign_in_as(client, reader)
    assert client.get(f"/cases/{case.uid}/").status_code == 200
    assert client.get(f"/cases/links/{found.uid}/").status_code == 404
    with pytest.raises(NotFound):
        services.find_link(str(found.uid), Principal.of(reader), withdrawn=True)


def test_reassess_withdraw_and_history_from_the_command_line(case99, camp, capsys):
    case, _commander = case99
    found = case.links.get(element="7(1)(f).2")
    call_command("case", "reassess", str(found.uid), "--strength", "strong", "--reason", "photo of scars (fictional)",
                 "--user", "analyst-user")
    assert "supports · strong · Reasonable grounds" in capsys.readouterr().out
    found.refresh_from_db()
    assert (found.assessment, found.strength, found.standard, found.note) == ("supports", "strong", "reasonable_grounds", "fictional")
    call_command("case", "withdraw", str(found.uid), "--reason", "duplicate (fictional)", "--user", "analyst-user")
    assert "withdrawn" in capsys.readouterr().out and not ElementLink.objects.filter(pk=found.pk).exists()
    call_command("case", "history", str(found.uid), "--user", "reviewer-user")
    out = capsys.readouterr().out
    assert "[withdrawn]" in out and "photo of scars (fictional)" in out and "duplicate (fictional)" in out
    assert [line.split("UTC")[1].split(":")[0].split()[-1] for line in out.splitlines() if " UTC " in line] == [
        "recorded", "reassessed", "withdrawn"]
    with pytest.raises(CommandError, match="link: .* was withdrawn"):
        call_command("case", "reassess", str(found.uid), "--strength", "weak", "--reason", "x", "--user", "analyst-user")
    with pytest.raises(CommandError, match="may not"):  # a reviewer reads, does not write
        call_command("case", "withdraw", str(case.links.first().uid), "--reason", "x", "--user", "reviewer-user")
    with pytest.raises(CommandError, match="no link"):
        call_command("case", "history", str(found.uid), "--user", "outsider")
    with pytest.raises(CommandError, match="kirok case history ID"):  # the records' history points to the case's
        call_command("history", str(found.uid), "--user", "reviewer-user")
    with pytest.raises(CommandError, match="standard: 'certainty' is not one of"):
        call_command("case", "reassess", str(case.links.first().uid), "--standard", "certainty", "--reason", "x",
                     "--user", "analyst-user")


def test_charges_are_set_added_and_removed_from_the_command_line(case99, camp, capsys):
    case, _commander = case99
    call_command("case", "charges", "camp-99", "--add", "rome-statute-cah:7(1)(h)", "--remove", "rome-statute-cah:7(1)(f)",
                 "--reason", "persecution charged (fictional)", "--user", "analyst-user")
    case.refresh_from_db()
    assert case.charges == ["rome-statute-cah:7(1)(e)", "rome-statute-cah:7(1)(h)"]
    assert "7(1)(h)" in capsys.readouterr().out
    assert versions(case).last().changeset.reason == "persecution charged (fictional)"
    with pytest.raises(CommandError, match=r"remove: rome-statute-cah:7\(1\)\(k\) is not a charge of this case \(its charges: "):
        call_command("case", "charges", "camp-99", "--remove", "rome-statute-cah:7(1)(k)", "--reason", "x", "--user", "analyst-user")
    with pytest.raises(CommandError, match="add: .* is a liability item"):
        call_command("case", "charges", "camp-99", "--add", "rome-statute-liability:28(b)", "--reason", "x", "--user", "analyst-user")
    with pytest.raises(CommandError, match="--set, --add or --remove"):
        call_command("case", "charges", "camp-99", "--reason", "x", "--user", "analyst-user")
    call_command("case", "charges", "camp-99", "--set", "rome-statute-cah:7(1)(e)", "--reason", "narrowed", "--user", "analyst-user")
    case.refresh_from_db()
    assert case.charges == ["rome-statute-cah:7(1)(e)"]
    with pytest.raises(CommandError, match="no case camp-99"):
        call_command("case", "charges", "camp-99", "--add", "rome-statute-cah:7(1)(f)", "--reason", "x", "--user", "outsider")


def test_frameworks_lists_element_keys_with_text_and_means_of_proof(capsys, db):
    from kirok.cases import frameworks

    call_command("case", "frameworks", "rome-statute-cah", "--elements")
    out = capsys.readouterr().out
    assert "rome-statute-cah:ctx.knowledge" in out and "rome-statute-cah:7(1)(e).1" in out
    assert "rome-statute-liability" not in out  # one framework asked for
    attack = frameworks.get("rome-statute-cah").element("ctx.attack")
    assert attack.means_of_proof and f"proof: {frameworks.bilingual(attack.means_of_proof[0])}" in out
    call_command("case", "frameworks", "rome-statute-liability", "--elements")
    direct = frameworks.get("rome-statute-liability").element("25(3)(a).1")
    assert len(direct.alternatives) > 1 and f"alternatives, any one meets the requirement: {', '.join(direct.alternatives)}" in (
        capsys.readouterr().out)
    call_command("case", "frameworks")
    assert "rome-statute-cah:ctx.knowledge" not in capsys.readouterr().out  # items only without --elements
    with pytest.raises(CommandError, match="framework: no framework nope; the frameworks are"):
        call_command("case", "frameworks", "nope")


def test_the_matrix_command_prints_standard_strong_and_links_outside_the_charges(case99, camp, capsys):
    case, _commander = case99
    services.link(case, element="rome-statute-cah:7(1)(h).1", target="act", ref="a-v2", principal=Principal.of(camp.users["analyst"]),
                  assessment=Assessment("supports", "weak"), reason="persecution? (fictional)")
    call_command("case", "matrix", "camp-99", "--user", "analyst-user")
    out = capsys.readouterr().out
    imprisonment = next(line for line in out.splitlines() if line.strip().startswith("7(1)(e).1 "))
    assert "strong 1;" in imprisonment and "standard Reasonable grounds" in imprisonment and "witnesses 2" in imprisonment
    assert "links to elements outside these charges:" in out
    assert next(line for line in out.splitlines() if "rome-statute-cah:7(1)(h).1" in line).split()[1:3] == ["single", "source"]


def test_an_evidence_item_is_linked_by_its_sha256_as_well_as_its_kirok_id(case99, camp, capsys):
    call_command("case", "link", "camp-99", "rome-statute-cah:ctx.policy", "item", camp.item.sha256, "--assessment", "supports",
                 "--strength", "moderate", "--reason", "the camp rules (fictional)", "--user", "analyst-user")
    made = ElementLink.objects.get(element="ctx.policy")
    assert made.item == camp.item
    call_command("case", "link", "camp-99", "rome-statute-cah:ctx.policy", "item", f"sha256:{camp.item.sha256.upper()}",
                 "--assessment", "context", "--strength", "weak", "--reason", "again (fictional)", "--user", "analyst-user")
    assert ElementLink.objects.filter(element="ctx.policy", item=camp.item).count() == 2
    with pytest.raises(CommandError, match="ref: no evidence item .* within your reach \\(give the item's Kirok id or the SHA-256"):
        call_command("case", "link", "camp-99", "rome-statute-cah:ctx.policy", "item", "0" * 64, "--assessment", "supports",
                     "--strength", "weak", "--reason", "x", "--user", "analyst-user")


def test_editing_charges_in_the_service_refuses_a_typo_and_writes_nothing(case99, camp):
    case, _commander = case99
    before = versions(case).count()
    with pytest.raises(CaseError, match="remove: "):
        services.edit_charges(case, remove=["rome-statute-cah:7(1)(a)"], principal=Principal.of(camp.users["analyst"]), reason="x")
    assert versions(case).count() == before


def test_an_analyst_changes_the_charges_on_the_case_page(case99, camp, client):
    case, _commander = case99
    sign_in_as(client, camp.users["reviewer"])
    assert client.post(f"/cases/{case.uid}/charges/", {"charges": ["rome-statute-cah:7(1)(e)"], "reason": "x"}).status_code == 403
    client.logout()
    sign_in_as(client, camp.outsider)
    assert client.post(f"/cases/{case.uid}/charges/", {"charges": ["rome-statute-cah:7(1)(e)"], "reason": "x"}).status_code == 404
    client.logout()
    sign_in_as(client, camp.users["analyst"])
    page = client.get(f"/cases/{case.uid}/").content.decode()
    assert 'value="rome-statute-cah:7(1)(f)" selected' in page  # the form starts from the case's charges
    done = client.post(f"/cases/{case.uid}/charges/", {"charges": ["rome-statute-cah:7(1)(e)", "rome-statute-cah:7(1)(h)"],
                                                       "reason": "persecution charged (fictional)"}, follow=True)
    case.refresh_from_db()
    assert case.charges == ["rome-statute-cah:7(1)(e)", "rome-statute-cah:7(1)(h)"] and "Charges changed." in done.content.decode()
    refused = client.post(f"/cases/{case.uid}/charges/", {"charges": ["rome-statute-cah:7(1)(e)"], "reason": ""}, follow=True)
    assert "reason: This field is required." in refused.content.decode()
    case.refresh_from_db()
    assert len(case.charges) == 2
