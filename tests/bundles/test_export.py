"""A prosecutor's bundle: what goes in, what the gate keeps out, and the record of its leaving."""

from __future__ import annotations

import json

import bagit
import pytest

from kirok.accounts.roles import user_can
from kirok.bundles.selection import AllSelection, CaseSelection, SelectionError, SourceSelection
from kirok.bundles.services import BundleError, export_bundle, safe_name, verify_bundle
from kirok.evidence.models import CustodyEvent
from kirok.evidence.storage import get_storage
from kirok.ledger import services as ledger
from kirok.ledger.models import Entry
from kirok.protection.models import DisclosedRecord, Disclosure
from kirok.protection.principal import AccessDenied, Principal
from kirok.protection.pseudonyms import is_pseudonym
from kirok.records.models import Version

from .conftest import ROLES, bag_bytes

pytestmark = pytest.mark.django_db
OPERATOR = Principal.console("test")


def export(tmp_path, selection, scope="internal", principal=OPERATOR, name="bundle"):
    return export_bundle(tmp_path / name, selection, scope=scope, purpose="fictional request 2024-17", principal=principal)


def records_in(folder, record_type):
    found = folder / "data" / "records" / record_type
    return [json.loads(p.read_text()) for p in sorted(found.glob("*.json"))] if found.is_dir() else []


def test_a_source_bundle_holds_its_files_records_custody_and_proofs(evidence, tmp_path):
    result = export(tmp_path, SourceSelection([evidence.world.north.ext("source")]))
    bag = tmp_path / "bundle"
    north, transcript = evidence.items["north"], evidence.items["north-transcript"]
    for item in (north, transcript):
        copied = bag / "data" / "items" / item.sha256 / item.original_name
        with get_storage().open(item.sha256) as blob:
            assert copied.read_bytes() == blob.read()
        doc = json.loads((bag / "data" / "evidence" / f"{item.uid}.json").read_text())
        assert doc["capture"] == item.capture_record()
        assert [c["event"]["action"] for c in doc["custody"]][-1] == "exported"
        assert [c["digest"] for c in doc["custody"]] == [e.digest for e in item.custody.order_by("id")]
    assert not (bag / "data" / "items" / evidence.items["south"].sha256).exists()
    assert not (bag / "data" / "items" / evidence.items["photo"].sha256).exists()  # no source: not the source's evidence
    # Every stored version of the supported records, as stored, with its digest.
    (source,) = records_in(bag, "source")
    stored = list(Version.objects.filter(record_type="source", record_uid=source["id"]).order_by("id"))
    assert [v["digest"] for v in source["versions"]] == [v.digest for v in stored]
    assert {p["id"] for p in records_in(bag, "person")} == {source["versions"][-1]["released"]["witness"],
                                                           records_in(bag, "act")[0]["versions"][-1]["released"]["victim"]}
    assert result.items == 2 and result.versions == len(stored) + 5
    report = verify_bundle(bag)
    assert report.ok, report.failures
    assert report.checked["item"] == 2 and report.checked["version"] == result.versions and report.checked["checkpoint"] == 1


def test_exporting_is_custody_logged_in_the_ledger_and_a_disclosure(evidence, tmp_path):
    result = export(tmp_path, SourceSelection([evidence.world.north.ext("source")]))
    exported = CustodyEvent.objects.filter(action="exported").order_by("id")
    assert {e.item_id for e in exported} == {evidence.items["north"].pk, evidence.items["north-transcript"].pk}
    assert all(e.details["bundle"] == result.bundle_id and e.reason == "fictional request 2024-17" for e in exported)
    for event in exported:
        entry = Entry.objects.get(subject=f"custody:{event.pk}")
        assert entry.digest == event.digest and entry.index < result.checkpoint.tree_size
    disclosure = Disclosure.objects.get()
    assert disclosure == result.disclosure and disclosure.scope == "internal"
    listed = set(DisclosedRecord.objects.filter(disclosure=disclosure).values_list("record_type", "record_uid"))
    assert ("evidence_item", evidence.items["north"].uid) in listed
    manifest = (tmp_path / "bundle" / "manifest-sha256.txt").read_bytes()
    import hashlib

    assert hashlib.sha256(manifest).hexdigest() == disclosure.digest  # `sha256sum manifest-sha256.txt`
    assert ledger.verify().ok


def test_the_bag_validates_with_the_library_of_congress_bagit_library(evidence, tmp_path):
    export(tmp_path, AllSelection())
    bag = bagit.Bag(str(tmp_path / "bundle"))
    bag.validate()
    assert set(bag.algorithms) == {"sha256", "sha512"}
    assert bag.info["Payload-Oxum"].split(".")[1] == str(sum(p.is_file() for p in (tmp_path / "bundle" / "data").rglob("*")))
    for label in ("Source-Organization", "Bagging-Date", "External-Description", "Kirok-Version", "External-Identifier"):
        assert bag.info[label]
    assert (tmp_path / "bundle" / "data" / "items" / evidence.items["photo"].sha256 / "satellite_1.png").exists()


def test_coreutils_check_every_manifest(evidence, tmp_path):
    """What docs/bundles.md tells a recipient without Python to run."""
    import subprocess

    export(tmp_path, AllSelection())
    for tool, manifest in (("sha256sum", "manifest-sha256.txt"), ("sha512sum", "manifest-sha512.txt"),
                           ("sha256sum", "tagmanifest-sha256.txt"), ("sha512sum", "tagmanifest-sha512.txt")):
        checked = subprocess.run([tool, "--strict", "-c", manifest], cwd=tmp_path / "bundle", capture_output=True, text=True)
        assert checked.returncode == 0 and "FAILED" not in checked.stdout, (manifest, checked.stdout, checked.stderr)
        assert checked.stdout.count(": OK") == len((tmp_path / "bundle" / manifest).read_text().splitlines())


def test_internal_scope_reveals_sealed_values_only_to_a_role_that_may_see_them(evidence, tmp_path):
    world = evidence.world
    for role in ROLES:
        user = world.users[role]
        if not user_can(user, "export"):
            with pytest.raises(AccessDenied):
                export(tmp_path, AllSelection(), principal=Principal.of(user), name=role)
            assert not (tmp_path / role).exists() and not (tmp_path / f"{role}.partial").exists()
            continue
        export(tmp_path, AllSelection(), principal=Principal.of(user), name=role)
        text = bag_bytes(tmp_path / role).decode("utf-8", "replace")
        shows = user_can(user, "see_protected")
        assert all((c in text) == shows for c in world.north.canaries.values()), role
        assert not any(c in text for c in world.south.canaries.values()), role  # south: not their compartment
        assert ":south:" not in text and evidence.items["south"].sha256 not in text
        assert '"ct"' not in text  # never a ciphertext
        assert verify_bundle(tmp_path / role).ok


def test_a_scope_the_consent_does_not_cover_keeps_the_testimony_and_its_evidence_back(evidence, tmp_path):
    result = export(tmp_path, AllSelection(), scope="prosecutors")
    bag = tmp_path / "bundle"
    assert records_in(bag, "source") == [] and records_in(bag, "information") == []
    assert result.withheld["evidence_item"] == 3 and result.withheld["source"] == 2
    assert [p.name for p in (bag / "data" / "items").iterdir()] == [evidence.items["photo"].sha256]
    assert not any(c in bag_bytes(bag).decode("utf-8", "replace") for c in evidence.world.canaries)
    assert verify_bundle(bag).ok


def test_a_pseudonymising_scope_masks_and_still_proves(evidence, tmp_path):
    export(tmp_path, SourceSelection([evidence.world.north.ext("source")]), scope="un")
    bag = tmp_path / "bundle"
    text = bag_bytes(bag).decode("utf-8", "replace")
    assert not any(c in text for c in evidence.world.canaries) and "t:north" not in text
    persons = records_in(bag, "person")
    assert persons and all(is_pseudonym(p["id"]) for p in persons)
    assert all("committed" not in v for r in persons for v in r["versions"])  # not recomputable: ids are pseudonyms
    capture = json.loads((bag / "data" / "evidence" / f"{evidence.items['north'].uid}.json").read_text())
    assert capture["capture"]["origin"] is None and capture["withheld"]["fields"] == ["origin"]
    report = verify_bundle(bag)
    assert report.ok, report.failures
    assert report.checked["version"] == report.checked["version (digest not recomputable under the scope)"] > 0


def test_a_redacted_copy_leaves_instead_of_its_original_where_values_are_masked(evidence, tmp_path):
    from kirok.evidence.services import add_derivative

    north = evidence.items["north"]
    (tmp_path / "redacted.wav").write_bytes(b"fictional recording, voice altered")
    redacted = add_derivative(north, tmp_path / "redacted.wav", operation="redaction", actor="test", reason="voice").item
    selection = SourceSelection([evidence.world.north.ext("source")])
    masked = export(tmp_path, selection, scope="un", name="un")
    shipped = {p.name for p in (tmp_path / "un" / "data" / "items").iterdir()}
    assert shipped == {redacted.sha256, evidence.items["north-transcript"].sha256}
    assert masked.withheld["evidence_item"] == 1 and not north.custody.filter(action="exported").exists()
    export(tmp_path, selection, scope="internal", name="internal")
    assert north.sha256 in {p.name for p in (tmp_path / "internal" / "data" / "items").iterdir()}


def test_a_case_is_an_event_and_everything_linked_to_it(evidence, tmp_path):
    world = evidence.world
    selection = CaseSelection(world.north.ext("event"))
    export(tmp_path, selection)
    bag = tmp_path / "bundle"
    external = {r["versions"][-1]["released"].get("external_id") for t in ("event", "act", "information", "source", "person")
                for r in records_in(bag, t)}
    assert external == {world.north.ext(x) for x in ("event", "act", "info", "source", "witness", "victim")}
    assert {p.name for p in (bag / "data" / "items").iterdir()} == {evidence.items["north"].sha256,
                                                                 evidence.items["north-transcript"].sha256}
    assert verify_bundle(bag).ok
    with pytest.raises(SelectionError, match="no-such-event"):
        CaseSelection("no-such-event")


def test_unknown_sources_are_named(evidence):
    with pytest.raises(SelectionError) as caught:
        SourceSelection([evidence.world.north.ext("source"), "nkdb:S-0000", "nkdb:S-9999"])
    assert "'nkdb:S-0000', 'nkdb:S-9999'" in str(caught.value)


def test_an_existing_folder_or_a_leftover_is_never_written_over(evidence, tmp_path):
    (tmp_path / "bundle").mkdir()
    with pytest.raises(BundleError, match="exists"):
        export(tmp_path, AllSelection())
    (tmp_path / "other.partial").mkdir()
    with pytest.raises(BundleError, match="interrupted"):
        export(tmp_path, AllSelection(), name="other")
    with pytest.raises(BundleError, match="purpose"):
        export_bundle(tmp_path / "third", AllSelection(), scope="internal", purpose="  ")
    assert not CustodyEvent.objects.filter(action="exported").exists()


def test_a_damaged_vault_blob_stops_the_export_and_leaves_nothing(evidence, tmp_path):
    item = evidence.items["north-transcript"]
    blob = get_storage().path(item.sha256)
    blob.chmod(0o644)
    blob.write_bytes(blob.read_bytes()[:-1] + b"X")
    before = (Entry.objects.count(), Disclosure.objects.count())
    with pytest.raises(BundleError, match=str(item.uid)):
        export(tmp_path, AllSelection())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["incoming", "workspace"]
    assert (Entry.objects.count(), Disclosure.objects.count()) == before
    assert not CustodyEvent.objects.filter(action="exported").exists()


def test_a_failure_after_the_events_are_logged_rolls_them_back(evidence, tmp_path, monkeypatch):
    from kirok.bundles import services

    def broken(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(services, "_write_tags", broken)
    before = Entry.objects.count()
    with pytest.raises(OSError, match="disk full"):
        export(tmp_path, AllSelection())
    assert not (tmp_path / "bundle").exists() and not (tmp_path / "bundle.partial").exists()
    assert Entry.objects.count() == before and not CustodyEvent.objects.filter(action="exported").exists()
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("name, expected", [
    ("interview.wav", "interview.wav"), ("../../etc/passwd", "passwd"), ("a\\b.txt", "b.txt"), ("..", "item"),
    ("50%\nx.txt", "50__x.txt"), ("", "item"), ("가" * 100 + ".mp4", "가" * 65 + ".mp4"),
])
def test_file_names_in_the_bag_stay_one_plain_component(name, expected):
    assert safe_name(name) == expected
