"""The shipped reference data: loaded by init, sourced, safe, and re-loadable without duplicates."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from kirok.records.models import Organization, Place, Term, Version, Vocabulary
from kirok.records.reference import DATA, load_reference_data

pytestmark = pytest.mark.django_db


def test_every_data_file_names_its_source_and_licence():
    for path in sorted(DATA.rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert doc.get("source") and doc.get("licence"), path
    header = (DATA / "gazetteer/divisions.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "source" in header.split(",")


def test_reloading_changes_nothing(reference):
    versions = Version.objects.count()
    again = load_reference_data()
    assert (again["reference records created"], again["updated"]) == (0, 0)
    assert Version.objects.count() == versions
    assert Term.objects.count() == reference["terms"]


def test_first_level_divisions_with_both_orthographies(reference):
    divisions = Place.objects.filter(kind="division")
    assert divisions.count() == 13
    ryanggang = divisions.get(iso_code="KP-10")
    assert (ryanggang.name_ko, ryanggang.name_rok) == ("량강도", "양강도")
    assert ryanggang.mr and ryanggang.rr and ryanggang.dprk


def test_police_ministry_name_history_reaches_sahoe_anjonsong_in_2020(reference):
    msocs = Organization.objects.get(external_id="ref:institution:msocs")
    names = list(msocs.names.filter(kind="official").values_list("name", "valid_from"))
    assert names[-1] == ("사회안전성", "2020-06-02")
    assert ("인민보안성", "2000") in names or any(n == "인민보안성" for n, _ in names)


def test_camps_carry_status_sources_and_at_most_kilometre_coordinates(reference):
    camps = Place.objects.filter(kind="facility", facility_type__code="kwalliso")
    assert camps.count() >= 6
    for camp in camps:
        assert camp.status and camp.citation and camp.confidence, camp
        for value in (camp.latitude, camp.longitude):
            assert value is None or value == value.quantize(Decimal("0.01"))
    with_coordinates = Place.objects.filter(latitude__isnull=False)
    assert set(with_coordinates.values_list("facility_type__code", flat=True)) <= {"kwalliso", "kyohwaso"}


def test_vocabularies_have_english_and_korean_labels(reference):
    assert Vocabulary.objects.count() >= 25
    assert not Term.objects.filter(label_ko="").exists() and not Term.objects.filter(label_en="").exists()
    for key in ("act_types", "methods_of_violence", "degrees_of_involvement", "source_connection", "reliability",
                "date_types", "counting_units", "testimony_basis", "coi_violation_categories",
                "crimes_against_humanity", "facility_types", "consent_scopes"):
        assert Vocabulary.objects.get(key=key).terms.exists(), key


def test_a_term_that_leaves_its_file_is_retired_not_deleted(reference, tmp_path):
    from kirok.records.reference import load_vocabularies

    folder = tmp_path / "vocabularies"
    folder.mkdir()
    doc = yaml.safe_load((DATA / "vocabularies/sex.yaml").read_text(encoding="utf-8"))
    doc["terms"] = [t for t in doc["terms"] if t["code"] != "other"]
    (folder / "sex.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    load_vocabularies(Path(folder))
    assert Term.objects.get(vocabulary__key="sex", code="other").retired
