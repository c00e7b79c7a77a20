"""Uwazi CSV/ZIP in and out: a documenter brings an Uwazi collection into Kirok and sends it back.

The fixtures (tests/records/fixtures/uwazi/) are synthetic, hand-written Uwazi exports. Codes and
labels come from the shipped vocabularies (kirok/data/vocabularies), loaded as `kirok init` does.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from kirok.records import history
from kirok.records.exchange import FieldError
from kirok.records.importing import ImportFailed, ReadError, import_files
from kirok.records.importing import uwazi
from kirok.records.importing.readers import read_csv_stream
from kirok.evidence.models import Item as EvidenceItem
from kirok.evidence.storage import get_storage
from kirok.records.models import Changeset, Event, Person, Place, Source, SourceFile, Term, Version
from kirok.records.registry import ORDER, model_for

from .helpers import plain

FIXTURES = Path(__file__).parent / "fixtures" / "uwazi"


# --- set-up -----------------------------------------------------------------------------------

@pytest.fixture
def workspace(settings, tmp_path):
    from kirok.workspace import Workspace

    settings.WORKSPACE = Workspace(tmp_path / "workspace")
    return settings.WORKSPACE


@pytest.fixture
def vocabularies(db, workspace):
    """The shipped vocabularies only: the gazetteer's places would share titles with the fixtures'."""
    from kirok.records.reference import load_vocabularies

    load_vocabularies()


def make_zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return target


def snapshot() -> dict:
    """Everything an import could change, to prove a failed one changed nothing."""
    state = {t: model_for(t).all_objects.count() for t in ORDER}
    state["versions"] = Version.objects.count()
    state["last_version"] = Version.objects.order_by("-id").values_list("id", flat=True).first()
    state["changesets"] = Changeset.objects.count()
    state["terms"] = Term.objects.count()
    return state


def import_collection(tmp_path: Path):
    """Places first (the others relate to them), all in one import, found by their shape."""
    sources_zip = make_zip(FIXTURES / "sources", tmp_path / "sources.zip")
    return import_files([FIXTURES / "incidents.csv", FIXTURES / "persons.csv", FIXTURES / "places.csv", sources_zip])


# --- reading the Uwazi conventions -------------------------------------------------------------

def test_uwazi_dates_become_edtf():
    assert uwazi.parse_date("1998/03/02") == "1998-03-02"
    assert uwazi.parse_date("1998-3-2") == "1998-03-02"
    assert uwazi.parse_date("1998 03 02") == "1998-03-02"
    assert uwazi.parse_date("March 2, 1998") == "1998-03-02"  # moment's LL
    assert uwazi.parse_date("2 Mar 1998") == "1998-03-02"
    assert uwazi.parse_date("1998") == "1998"  # only the year is known: not 1 January
    assert uwazi.parse_date("1998/03") == "1998-03"
    assert uwazi.parse_date("02/03/1998", "DD/MM/YYYY") == "1998-03-02"
    assert uwazi.parse_date("03/02/1998", "MM/dd/yyyy") == "1998-03-02"
    for bad in ("1998/13/45", "1998/02/30", "spring 1998", "98", "0000"):
        with pytest.raises(FieldError):
            uwazi.parse_date(bad)


def test_uwazi_ranges_read_both_separators():
    assert uwazi.parse_range("1998/03/02:1998/05/10") == ("1998-03-02", "1998-05-10")  # as Uwazi imports
    assert uwazi.parse_range("1998-03-02~1998-05-10") == ("1998-03-02", "1998-05-10")  # as Uwazi exports
    assert uwazi.parse_range("1997:") == ("1997", None)
    assert uwazi.parse_range("~1999") == (None, "1999")
    assert uwazi.parse_range("2003") == ("2003", None)
    for bad in ("1999:1997", "1997:1998:1999", "1997:1998~1999", ":", "1998/13/01:1999"):
        with pytest.raises(FieldError):
            uwazi.parse_range(bad)


def test_geolocation_and_links():
    assert uwazi.parse_geolocation("42.4421|129.7508") == ("42.4421", "129.7508")
    assert uwazi.parse_link("보도자료|https://example.org/a") == ("보도자료", "https://example.org/a")
    assert uwazi.parse_link("https://example.org/a") == ("https://example.org/a", "https://example.org/a")
    for bad in ("42.44", "91|0", "0|181", "north|east", "NaN|1"):
        with pytest.raises(FieldError):
            uwazi.parse_geolocation(bad)
    with pytest.raises(FieldError):
        uwazi.parse_link("label|not a url")


def test_thesaurus_values_by_label_path_and_parent(vocabularies):
    thesauri = uwazi.Thesauri()
    prop = uwazi.Property("status", "select", ("perpetrator_status",))
    # "Uncharged" is under two parents in perpetrator_status: only Parent::Child says which
    assert thesauri.resolve("perpetrator_status", "Still holding post::Uncharged", prop) == "in_post_uncharged"
    assert thesauri.resolve("perpetrator_status", "Dismissed from work or demoted::Uncharged", prop) == "dismissed_uncharged"
    with pytest.raises(FieldError, match="more than once"):
        thesauri.resolve("perpetrator_status", "Uncharged", prop)
    # Korean labels, codes, any ancestor as the parent
    assert thesauri.resolve("act_types", "공개처형", prop) == "public_execution"
    assert thesauri.resolve("act_types", "Right to life::Public execution", prop) == "public_execution"
    assert thesauri.resolve("act_types", "public_execution", prop) == "public_execution"
    assert thesauri.label("act_types", "public_execution", "en") == "Killing::Public execution"
    assert thesauri.label("act_types", "public_execution", "ko") == "살해::공개처형"
    with pytest.raises(FieldError, match="more than one '::'"):
        thesauri.resolve("act_types", "Right to life::Killing::Public execution", prop)
    with pytest.raises(FieldError, match="not under"):
        thesauri.resolve("act_types", "Torture::Public execution", prop)
    with pytest.raises(FieldError, match="does not create terms"):
        thesauri.resolve("act_types", "Water boarding", prop)


def test_kirok_csvs_are_never_taken_for_uwazi(vocabularies, tmp_path):
    from kirok.records.exporting import export_all

    for name in ("places.csv", "incidents.csv", "persons.csv", "bad_incidents.csv"):
        assert uwazi.looks_like_uwazi(FIXTURES / name), name
    assert uwazi.looks_like_uwazi(tmp_path / "anything.zip")
    export_all(tmp_path / "kirok", "csv")  # headers of every Kirok exchange CSV
    for path in sorted((tmp_path / "kirok").glob("*.csv")):
        assert not uwazi.looks_like_uwazi(path), path.name
    (tmp_path / "events.csv").write_text("id,title,title__en,start_date,description\n", encoding="utf-8")
    assert not uwazi.looks_like_uwazi(tmp_path / "events.csv")  # Kirok's own columns, translations included
    (tmp_path / "notes.jsonl").write_text('{"title": "x"}\n', encoding="utf-8")
    assert not uwazi.looks_like_uwazi(tmp_path / "notes.jsonl")


# --- the round trip ---------------------------------------------------------------------------

def test_import_an_uwazi_collection(vocabularies, workspace, tmp_path):
    report = import_collection(tmp_path)
    assert {t: (o.created, o.updated) for t, o in report.outcomes.items()} == {
        "place": (3, 0), "person": (2, 0), "event": (2, 0), "source": (2, 0),
    }
    event = Event.objects.get(external_id="uwazi:ev7a01")
    assert event.title == "회령 시장 공개처형"
    assert event.translations == {
        "title": {"en": "Public execution at Hoeryong market"},
        "description": {"en": "Testimony that two people were executed in public at Hoeryong market in spring 1998, before assembled residents."},
    }
    assert str(event.start_date) == "1998-03-02" and str(event.end_date) == "1998-05-10"
    assert (event.latitude, event.longitude) == (Decimal("42.44"), Decimal("129.75"))  # 0.01°, never finer
    assert event.violation_status.code == "confirmed_violation"
    assert sorted(t.code for t in event.violation_categories.all()) == ["executions", "non_refoulement"]
    assert [p.name_ko for p in event.places.all()] == ["회령시"]
    beating = Event.objects.get(external_id="uwazi:ev7a02")
    assert str(beating.start_date) == "2003" and not beating.end_date
    assert sorted(p.name_en for p in beating.places.all()) == ["Chongori re-education camp", "Hoeryong"]

    camp = Place.objects.get(external_id="uwazi:kp0cg03")
    assert (camp.kind, camp.facility_type.code, camp.parent.name_ko) == ("facility", "kyohwaso", "회령시")
    assert (camp.latitude, camp.longitude) == (Decimal("42.44"), Decimal("129.72"))
    assert Place.objects.get(external_id="uwazi:kp0hb01").kind == "division"

    kim = Person.objects.get(external_id="uwazi:pe3k01")
    assert [(n["full_name"], n["script"]) for n in plain(kim)["names"]] == [
        ("김영철", "Hang"), ("Kim Yong-chol", "Latn"), ("김용철", "Hang"), ("Kim Yong Chol", "Latn"),
    ]
    assert (plain(kim)["birth_date"], kim.sex.code, kim.birth_place.name_ko, kim.occupation) == ("1965", "male", "회령시", "광부")
    assert plain(Person.objects.get(external_id="uwazi:pe3k02"))["birth_date"] == "1972-03-02"

    testimony = Source.objects.get(external_id="uwazi:so9t01")
    assert (testimony.kind.code, testimony.material_type.code, testimony.reliability.code) == ("testimony", "interview", "likely_reliable")
    assert testimony.url == "https://example.org/testimonies/a-12"
    # The files are evidence items of the source: hashed, deduplicated, their receipt in custody.
    files = list(testimony.files.select_related("item").order_by("role", "name"))
    assert [(f.role, f.name) for f in files] == [
        ("attachment", "a12-notes.txt"), ("attachment", "a12-sketch.txt"), ("document", "a12-transcript.txt"),
    ]
    for f in files:
        content = (FIXTURES / "sources" / f.name).read_bytes()
        item = f.item
        assert (item.sha256, item.size) == (hashlib.sha256(content).hexdigest(), len(content))
        assert (item.origin_kind, item.original_name) == ("uwazi_export", f.name)
        assert item.origin.endswith(f": {f.name}") and item.media_type == "text/plain"
        assert get_storage().open(item.sha256).read() == content
        assert [e.action for e in item.custody.all()] == ["received"]
    photograph = Source.objects.get(external_id="uwazi:so9t02")
    # the same file named by two entities is one item, received once, named by both sources
    notes = photograph.files.get().item
    assert notes == testimony.files.get(name="a12-notes.txt").item and notes.source == testimony
    assert EvidenceItem.objects.count() == 3
    assert SourceFile.objects.count() == 4


def test_reimporting_the_zip_adds_receipts_not_items(vocabularies, workspace, tmp_path):
    import_collection(tmp_path)
    items = list(EvidenceItem.objects.order_by("id"))
    (tmp_path / "again").mkdir()
    import_files([make_zip(FIXTURES / "sources", tmp_path / "again" / "sources.zip")])
    assert list(EvidenceItem.objects.order_by("id")) == items
    assert SourceFile.objects.count() == 4
    assert {tuple(e.action for e in i.custody.all()) for i in items} == {("received", "received")}


def test_a_failed_import_leaves_no_evidence_item(vocabularies, workspace, tmp_path):
    """The sources and their files are written, then a later file fails: all of it goes."""
    before = snapshot()
    bad = tmp_path / "persons.csv"
    bad.write_text((FIXTURES / "persons.csv").read_text(encoding="utf-8") + "pe9x99,,,,,,\n", encoding="utf-8")
    with pytest.raises(ImportFailed):
        import_files([FIXTURES / "places.csv", make_zip(FIXTURES / "sources", tmp_path / "sources.zip"), bad])
    assert snapshot() == before
    assert not EvidenceItem.objects.exists() and not SourceFile.objects.exists()
    # the files did reach the vault before the failure: content-addressed, unreferenced, harmless
    assert get_storage().open(hashlib.sha256((FIXTURES / "sources" / "a12-notes.txt").read_bytes()).hexdigest()).read()


def _content(path: Path, mapping_name: str) -> dict[str, dict]:
    """An Uwazi file's content per row id, allowing only the normalisations docs/uwazi.md lists:
    header shape (`title` = `title__<language>`), date formats and range separators, order of
    several values, coordinates to 0.01°, link labels (Kirok keeps the URL)."""
    mapping = uwazi.find_mapping(name=mapping_name)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            text = archive.read("import.csv").decode("utf-8-sig")
    else:
        text = path.read_text(encoding="utf-8-sig")
    rows = {}
    for _, raw in read_csv_stream(io.StringIO(text, newline=""), str(path)):
        row = {}
        for header, value in raw.items():
            value = value.strip()
            role, prop, lang = mapping.identify(header)
            if not value or role in ("id", "ignore", "template"):
                continue
            key = (prop.name if prop else role, lang or mapping.language)
            kind = prop.type if prop else role
            if kind in ("date",):
                value = uwazi.parse_date(value, mapping.date_format)
            elif kind == "daterange":
                value = uwazi.parse_range(value, mapping.date_format)
            elif kind == "geolocation":
                value = tuple(Decimal(v).quantize(Decimal("0.01")) for v in uwazi.parse_geolocation(value))
            elif kind == "link":
                value = uwazi.parse_link(value)[1]
            elif kind in ("multiselect", "relationship", "attachments") or (kind == "text" and prop.field == "names"):
                value = frozenset(uwazi.split_values(value))
            row[key] = value
        rows[raw["id"]] = row
    return rows


def test_round_trip_uwazi_to_kirok_to_uwazi(vocabularies, workspace, tmp_path):
    import_collection(tmp_path)
    before = snapshot()
    out = tmp_path / "out"
    for rtype in ("place", "event", "person"):
        call_command("export", format="uwazi", what=rtype, output=out, no_progress=True)
    call_command("export", format="uwazi", what="sources", output=out, with_files=True, no_progress=True)
    assert sorted(p.name for p in out.iterdir()) == ["event.uwazi.csv", "person.uwazi.csv", "place.uwazi.csv", "source.uwazi.zip"]

    pairs = [
        (FIXTURES / "places.csv", out / "place.uwazi.csv", "places"),
        (FIXTURES / "incidents.csv", out / "event.uwazi.csv", "events"),
        (FIXTURES / "persons.csv", out / "person.uwazi.csv", "persons"),
        (FIXTURES / "sources" / "import.csv", out / "source.uwazi.zip", "sources"),
    ]
    for original, exported, mapping in pairs:
        assert _content(exported, mapping) == _content(original, mapping), exported.name

    exported_text = (out / "event.uwazi.csv").read_text(encoding="utf-8")
    assert "1998-03-02~1998-05-10" in exported_text  # Uwazi's export separator
    assert "확인됨::인권침해로 확인됨" in exported_text  # labels in the mapping's language, Parent::Child
    with zipfile.ZipFile(out / "source.uwazi.zip") as archive:
        assert sorted(archive.namelist()) == ["a12-notes.txt", "a12-sketch.txt", "a12-transcript.txt", "import.csv"]
        assert archive.read("a12-transcript.txt") == (FIXTURES / "sources" / "a12-transcript.txt").read_bytes()

    # English labels on request
    english = tmp_path / "english"
    call_command("export", format="uwazi", what="event", output=english, language="en", no_progress=True)
    assert "Confirmed::Confirmed as a violation" in (english / "event.uwazi.csv").read_text(encoding="utf-8")

    # The exported files come back into Kirok as the same records, changing nothing
    report = import_files([out / "place.uwazi.csv", out / "event.uwazi.csv", out / "person.uwazi.csv", out / "source.uwazi.zip"])
    assert {t: (o.created, o.updated, o.unchanged) for t, o in report.outcomes.items()} == {
        "place": (0, 0, 3), "person": (0, 0, 2), "event": (0, 0, 2), "source": (0, 0, 2),
    }
    after = snapshot()
    assert after["versions"] == before["versions"]
    assert {k: v for k, v in after.items() if k != "changesets"} == {k: v for k, v in before.items() if k != "changesets"}


def test_reimport_is_idempotent_and_keeps_what_kirok_added(vocabularies, workspace, tmp_path):
    import_collection(tmp_path)
    event = Event.objects.get(external_id="uwazi:ev7a01")
    with history.changeset(actor="documenter", reason="reviewed"):
        event.remarks = "Cross-checked with testimony A-12."
        event.save()
    versions = Version.objects.count()

    report = import_files([FIXTURES / "incidents.csv"])
    assert (report.outcomes["event"].created, report.outcomes["event"].updated, report.outcomes["event"].unchanged) == (0, 0, 2)
    assert Version.objects.count() == versions
    event.refresh_from_db()
    assert event.remarks == "Cross-checked with testimony A-12."  # not an Uwazi column: kept


def test_uwazi_export_ids(vocabularies, workspace, tmp_path):
    import_files([FIXTURES / "places.csv"])
    with history.changeset(actor="documenter", reason="a place typed into Kirok"):
        kirok_place = Place.objects.create(kind="locality", name_ko="무산군", name_en="Musan")
    result = call_command("export", format="uwazi", what="places", output=tmp_path, no_progress=True)
    assert result is None
    rows = list(csv.DictReader(io.StringIO((tmp_path / "place.uwazi.csv").read_text(encoding="utf-8"))))
    assert {r["id"] for r in rows} == {"kp0hb01", "kp0hr02", "kp0cg03", str(kirok_place.uid)}


def test_relationships_prefer_the_uwazi_collection(vocabularies, workspace, tmp_path):
    """The gazetteer already has 함경북도 and 회령시: an Uwazi title names the Uwazi entity (a row
    of the file, or a record that came from Uwazi) before any other Kirok record."""
    with history.changeset(actor="kirok init", reason="gazetteer"):
        for name_ko, name_en in (("함경북도", "North Hamgyong"), ("회령시", "Hoeryong")):
            Place.objects.create(kind="division", name_ko=name_ko, name_en=name_en, external_id=f"ref:division:{name_en}")
    import_files([FIXTURES / "places.csv", FIXTURES / "persons.csv"])
    hoeryong = Place.objects.get(external_id="uwazi:kp0hr02")
    assert hoeryong.parent.external_id == "uwazi:kp0hb01"
    assert Person.objects.get(external_id="uwazi:pe3k01").birth_place == hoeryong
    # two records of that title, neither from Uwazi: Kirok will not guess
    with history.changeset(actor="documenter", reason="two places of one name"):
        Place.objects.create(kind="locality", name_ko="무산")
        Place.objects.create(kind="locality", name_ko="무산")
    path = tmp_path / "persons.csv"
    path.write_text("title,place_of_birth\n박무산,무산\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_files([path])
    assert [str(e) for e in failed.value.errors] == [
        f"{path}:2:place_of_birth: 2 place records are titled '무산'; write one's Kirok id (or uwazi:SHAREDID) instead of the title"
    ]


def test_export_says_what_uwazi_cannot_hold(vocabularies, workspace, tmp_path):
    from kirok.records.uwazi_export import export_uwazi

    with history.changeset(actor="documenter", reason="uncertain dates"):
        for title, start in (("추정 사건", "1998~"), ("기간 사건", "1997/1999")):
            event = Event(title=title)
            event.start_date = start
            event.save()
    result = export_uwazi(tmp_path, "event")
    rows = {r["title"]: r for r in csv.DictReader(io.StringIO(result.path.read_text(encoding="utf-8")))}
    assert rows["추정 사건"]["date_of_incident"] == "1998~"
    assert rows["기간 사건"]["date_of_incident"] == "1997~1999"
    assert len(result.notes) == 2
    assert any(n.startswith("1 × estimated dates written without their ~") for n in result.notes)
    assert any("comes back as start and end" in n for n in result.notes)


# --- refusing bad files, whole --------------------------------------------------------------

def test_a_malformed_uwazi_file_is_refused_and_changes_nothing(vocabularies, workspace, tmp_path):
    import_files([FIXTURES / "places.csv"])
    before = snapshot()
    path = FIXTURES / "bad_incidents.csv"
    with pytest.raises(ImportFailed) as failed:
        import_files([path])
    messages = [str(e) for e in failed.value.errors]
    assert any(m.startswith(f"{path}:2:date_of_incident: '1998/13/45'") for m in messages), messages
    assert any(m.startswith(f"{path}:3:violation_status: '없는 상태' is not a term of violation_status") for m in messages), messages
    assert any(m.startswith(f"{path}:4:violation_categories: ") and "more than one '::'" in m for m in messages), messages
    assert any(m.startswith(f"{path}:5:places: no place titled '평양 어딘가'") for m in messages), messages
    assert len(messages) == 4
    assert snapshot() == before


def test_a_zip_missing_a_named_file_is_refused_and_stores_nothing(vocabularies, workspace, tmp_path):
    before = snapshot()
    path = make_zip(FIXTURES / "bad_sources", tmp_path / "sources.zip")
    with pytest.raises(ImportFailed) as failed:
        import_files([path])
    assert sorted(str(e) for e in failed.value.errors) == [
        f"{path}:2:attachments: 'also-missing.jpg' is not in the ZIP",
        f"{path}:2:file: 'missing.pdf' is not in the ZIP",
    ]
    assert snapshot() == before
    assert not workspace.blobs.exists() or not any(p.is_file() for p in workspace.blobs.rglob("*"))


def test_files_need_the_zip(vocabularies, workspace, tmp_path):
    path = tmp_path / "sources.csv"
    shutil.copy(FIXTURES / "sources" / "import.csv", path)
    with pytest.raises(ImportFailed) as failed:
        import_files([path], fmt="uwazi")
    messages = [str(e) for e in failed.value.errors]
    assert any(m.startswith(f"{path}:2:file: names 'a12-transcript.txt', but a CSV carries no files") for m in messages)


def test_header_problems_are_read_errors(vocabularies, workspace, tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text("title,perpetrator_unit\n사건,보위부\n", encoding="utf-8")
    with pytest.raises(ReadError, match="column 'perpetrator_unit' is not in the Uwazi mapping 'events'"):
        import_files([path], fmt="uwazi")
    path.write_text("description\n설명\n", encoding="utf-8")
    with pytest.raises(ReadError, match="title"):
        import_files([path], fmt="uwazi")
    mixed = tmp_path / "export.csv"
    mixed.write_text("Title,Template\nA,Incident\nB,Victim\n", encoding="utf-8")
    with pytest.raises(ReadError, match="one Uwazi template per file"):
        import_files([mixed], fmt="uwazi")


# --- an organisation's own templates ------------------------------------------------------------

def test_an_organisations_own_mapping_and_uwazis_export_shape(vocabularies, workspace, tmp_path):
    """A steward maps an NKPD-like 'Incident report' template (day-first dates, its own labels)
    and imports the CSV Uwazi's export button writes (labels as headers, Template column)."""
    folder = workspace.home / "uwazi"
    folder.mkdir(parents=True)
    (folder / "nkpd_incidents.yaml").write_text(
        """
name: nkpd_incidents
record_type: event
templates: [Incident report]
language: en
date_format: DD/MM/YYYY
title: title
ignore: [Interviewer code]
properties:
  - name: incident_date
    label: Date of the incident
    type: date
    field: start_date
  - name: violation_type
    label: Violation type
    type: multiselect
    field: violation_categories
    values:
      Execution (public): executions
      Forced repatriation: non_refoulement
""",
        encoding="utf-8",
    )
    export = tmp_path / "uwazi-export.csv"
    export.write_text(
        "Title,Date added,Template,Date of the incident,Violation type,Interviewer code,Geolocation,Documents,Attachments,Published\n"
        'Execution at the market,2024-05-01,Incident report,02/03/1998,"Execution (public)|Forced repatriation",X7,,,'
        "https://uwazi.example.org/api/files/1.pdf,Published\n",
        encoding="utf-8",
    )
    assert uwazi.looks_like_uwazi(export)
    report = import_files([export])
    assert report.outcomes["event"].created == 1
    event = Event.objects.get(title="Execution at the market")
    assert str(event.start_date) == "1998-03-02"
    assert sorted(t.code for t in event.violation_categories.all()) == ["executions", "non_refoulement"]
    # --type (the record type) chooses the mapping when the file does not say
    plain = tmp_path / "report.csv"
    plain.write_text("title,incident_date\nAnother,1999\n", encoding="utf-8")
    [stream] = uwazi.streams(plain, mapping="nkpd_incidents")
    assert stream.record_type == "event" and list(stream.rows)[0][1]["start_date"] == "1999"


def test_a_broken_mapping_is_named(vocabularies, workspace, tmp_path):
    folder = workspace.home / "uwazi"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text("name: bad\nrecord_type: event\ntitle: title\nproperties:\n  - {name: x, type: date, field: title}\n", encoding="utf-8")
    with pytest.raises(uwazi.MappingError, match=r"bad.yaml: property 'x': a date property cannot fill 'title'"):
        uwazi.all_mappings()


# --- fuzz: anything in, a clean error or an import out -------------------------------------------

FUZZ_COLUMNS = [
    "id", "title", "Title", "title__en", "title__ko", "description", "description__en", "date_of_incident",
    "violation_status", "violation_categories", "places", "location_geolocation", "Geolocation", "impact",
    "file", "attachments", "template", "Date added", "bogus", "",
]
FUZZ_PIECES = [
    "1998/03/02", "1998", "March 2, 1998", "1998/13/45", "확인됨", "가능성 높음", "확인됨::인권침해로 확인됨",
    "a::b::c", "::", "|", ":", "~", "42.44|129.75", "91|0", "회령시", "uwazi:x1", "00000000-0000-0000-0000-000000000000",
    "Incident", "Victim", "https://example.org", "ev1", "1e999999", "NaN", "\u0000", '"', "\n",
    "회령 공개처형", "Public execution", "1998/03/02:1998/05/10", "2003~2004", "March 2, 1998:",
]
fuzz_cell = st.one_of(
    st.text(max_size=20),
    st.lists(st.sampled_from(FUZZ_PIECES), max_size=4).map("".join),
    st.lists(st.sampled_from(FUZZ_PIECES), min_size=1, max_size=3).map("|".join),
)


def _fuzz_import(path: Path) -> None:
    try:
        import_files([path], fmt="uwazi")
    except (ReadError, ImportFailed):
        pass


@hsettings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.binary(max_size=300))
def test_fuzz_random_bytes(vocabularies, workspace, tmp_path, data):
    for name in ("incidents.csv", "incidents.zip"):
        path = tmp_path / name
        path.write_bytes(data)
        assert uwazi.looks_like_uwazi(path) in (True, False)
        _fuzz_import(path)


@st.composite
def uwazi_tables(draw):
    """Mostly well-formed tables (a title, rows as wide as the header), so that most examples
    reach the values; now and then a ragged row or a header without a title."""
    header = draw(st.lists(st.sampled_from(FUZZ_COLUMNS), min_size=1, max_size=6, unique=True))
    if draw(st.integers(0, 4)):
        header = ["title"] + [h for h in header if h.casefold() != "title"]
    width = len(header) + (1 if not draw(st.integers(0, 9)) else 0)
    rows = draw(st.lists(st.lists(fuzz_cell, min_size=width, max_size=width), max_size=4))
    return header, rows


@hsettings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(table=uwazi_tables(), delimiter=st.sampled_from([",", ";"]))
def test_fuzz_random_rows(vocabularies, workspace, tmp_path, table, delimiter):
    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "incidents.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    assert uwazi.looks_like_uwazi(path) in (True, False)
    _fuzz_import(path)
