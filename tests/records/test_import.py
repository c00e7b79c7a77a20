"""A documenter imports spreadsheets and JSON Lines; bad rows are named, and nothing half-lands."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kirok.records.importing import ImportFailed, import_files
from kirok.records.importing.readers import ReadError
from kirok.records.models import CustomField, Event, Person, Place, Source, Version, Vocabulary

from .helpers import plain, plain_version, table_fingerprint, write

pytestmark = pytest.mark.django_db

PERSONS = """external_id,names,sex,birth_date,remarks
t:p1,리명수|Ri Myong Su,male,1970~,fictional
t:p2,김영희,female,1985-03,fictional
"""
EVENT_JSONL = (
    '{"external_id":"t:e1","title":"공개처형","title__en":"Public execution","start_date":"1998년 3월",'
    '"places":["ref:division:KP-09"],"violation_categories":[]}\n'
)
ACTS = """external_id,event,victim,act_type,methods,place,start_date
t:a1,t:e1,t:p2,public_execution,shooting,ref:division:KP-09,1998-03-02
"""


def test_a_testimony_set_lands_with_references_terms_and_versions(reference, tmp_path):
    files = [write(tmp_path, "persons.csv", PERSONS), write(tmp_path, "events.jsonl", EVENT_JSONL), write(tmp_path, "acts.csv", ACTS)]
    report = import_files(files)
    assert (report.created, report.updated) == (4, 0)
    act = Event.objects.get(external_id="t:e1").acts.get()
    assert plain(act.victim)["names"][0]["full_name"] == "김영희"
    assert act.act_type.code == "public_execution"
    assert [m.code for m in act.methods.all()] == ["shooting"]
    assert str(act.start_date) == "1998-03-02"
    event = act.event
    assert event.translations == {"title": {"en": "Public execution"}}
    assert event.places.get().iso_code == "KP-09"
    person = Person.objects.get(external_id="t:p1")
    assert [(n["full_name"], n["script"]) for n in plain(person)["names"]] == [("리명수", "Hang"), ("Ri Myong Su", "Latn")]
    assert plain(person)["birth_date"] == "1970~" and person.names.get(script="Hang").full_name == ""  # sealed at rest
    assert Version.objects.filter(changeset_id=report.changeset_id).count() == 4


def test_a_malformed_file_is_rejected_row_by_row_and_leaves_the_database_as_it_was(reference, tmp_path, capsys):
    import_files([write(tmp_path, "persons.csv", PERSONS)])
    before = table_fingerprint()
    bad = write(
        tmp_path, "acts.csv",
        "external_id,event,victim,act_type,start_date\n"
        "t:a1,t:e1,t:p2,public_execution,1998-03-02\n"
        "t:a2,t:e1,t:p1,tortur,1998-13\n"
        "t:a3,t:nowhere,t:p1,torture,\n",
    )
    events = write(tmp_path, "events.jsonl", EVENT_JSONL)
    with pytest.raises(CommandError) as exc:
        call_command("import", str(events), str(bad), "--no-progress")
    err = capsys.readouterr().err.splitlines()
    assert f"{bad}:3:act_type: 'tortur' is not a term of act_types; did you mean torture?" in err
    assert any(line.startswith(f"{bad}:3:start_date: no such date '1998-13'") for line in err)
    assert f"{bad}:4:event: no event with id 't:nowhere' (it must come before this row, or exist already)" in err
    assert "nothing was imported" in str(exc.value)
    assert table_fingerprint() == before


def test_row_numbers_are_the_spreadsheet_rows_even_with_line_breaks_in_cells(reference, tmp_path):
    path = write(tmp_path, "persons.csv", 'names,remarks,sex\n김철,"two\nlines",male\n박철,x,martian\n')
    with pytest.raises(ImportFailed) as exc:
        import_files([path])
    assert [str(e) for e in exc.value.errors] == [f"{path}:3:sex: 'martian' is not a term of sex; see `kirok vocab show sex`"]


def test_skip_bad_lands_the_good_rows_and_writes_the_bad_ones_to_a_rejects_file(reference, tmp_path):
    path = write(tmp_path, "persons.csv", PERSONS + "t:p3,최순희,nobody,,\n")
    report = import_files([path], skip_bad=True, rejects_dir=tmp_path / "rejects")
    assert report.created == 2
    rejects = (tmp_path / "rejects" / "persons.rejects.csv").read_text(encoding="utf-8").splitlines()
    assert rejects[0] == "external_id,names,sex,birth_date,remarks,_row,_error"
    assert rejects[1].startswith("t:p3,최순희,nobody,,,4,sex: 'nobody' is not a term of sex")


def test_reimport_is_idempotent_and_a_changed_row_makes_one_new_version(reference, tmp_path):
    path = write(tmp_path, "persons.csv", PERSONS)
    import_files([path])
    versions = Version.objects.count()
    again = import_files([path])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Version.objects.count() == versions
    write(tmp_path, "persons.csv", PERSONS.replace("1985-03", "1985-04"))
    changed = import_files([path])
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    person = Person.objects.get(external_id="t:p2")
    assert plain(person)["birth_date"] == "1985-04"
    assert Version.objects.filter(record_uid=person.uid).values_list("action", flat=True)[::1] == ["create", "update"]


def test_korean_in_any_normalization_form_is_stored_nfc(reference, tmp_path):
    nfd = unicodedata.normalize("NFD", "리명수")
    assert nfd != "리명수"
    import_files([write(tmp_path, "persons.jsonl", f'{{"external_id":"t:n","names":["{nfd}"]}}\n')])
    assert plain(Person.objects.get(external_id="t:n"))["names"][0]["full_name"] == "리명수"


def test_an_unknown_column_is_an_error_not_silently_dropped(reference, tmp_path):
    path = write(tmp_path, "persons.csv", "names,favourite_colour\n김철,blue\n")
    with pytest.raises(ImportFailed) as exc:
        import_files([path])
    assert exc.value.errors[0].field == "favourite_colour"
    assert "unknown field for person" in exc.value.errors[0].message


def test_terms_by_code_english_label_korean_label_or_path(reference, tmp_path):
    rows = "event,act_type\nt:e1,torture\nt:e1,Torture\nt:e1,고문\nt:e1,personal_integrity::torture\n"
    import_files([write(tmp_path, "events.jsonl", EVENT_JSONL), write(tmp_path, "acts.csv", rows)])
    assert set(Event.objects.get().acts.values_list("act_type__code", flat=True)) == {"torture"}


def test_references_may_form_cycles(reference, tmp_path):
    persons = write(tmp_path, "persons.jsonl", '{"external_id":"t:w","names":["박증인"],"source":"t:s"}\n')
    sources = write(tmp_path, "sources.jsonl", '{"external_id":"t:s","title":"Interview","kind":"testimony","witness":"t:w"}\n')
    import_files([persons, sources])
    source = Source.objects.get()
    assert source.witness.source == source
    person_version = Version.objects.get(record_type="person")
    assert person_version.data["source"] == str(source.uid)


def test_coordinates_are_rounded_to_about_a_kilometre(reference, tmp_path):
    path = write(tmp_path, "places.csv", "external_id,kind,name_ko,latitude,longitude\nt:pl,locality,어느 마을,41.834567,129.7349\n")
    import_files([path])
    place = Place.objects.get(external_id="t:pl")
    assert (place.latitude, place.longitude) == (Decimal("41.83"), Decimal("129.73"))


def test_custom_fields_are_validated_against_the_stewards_definition(reference, tmp_path):
    CustomField.objects.create(record_type="person", key="songbun", label_en="Songbun", label_ko="성분", value_type="text")
    CustomField.objects.create(
        record_type="person", key="sex_at_arrest", label_en="x", label_ko="x", value_type="term",
        vocabulary=Vocabulary.objects.get(key="sex"),
    )
    import_files([write(tmp_path, "persons.csv", "names,extra.songbun,extra.sex_at_arrest\n김철,적대계층,Female\n")])
    assert plain(Person.objects.get())["extra"] == {"sex_at_arrest": "female", "songbun": "적대계층"}
    with pytest.raises(ImportFailed) as exc:
        import_files([write(tmp_path, "persons.csv", "names,extra.shoe_size\n김철,42\n")])
    assert "unknown custom field 'shoe_size'" in exc.value.errors[0].message


def test_xlsx_sheets_import_with_spreadsheet_row_numbers(reference, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["external_id", "names", "birth_date"])
    sheet.append(["t:x1", "정은주", "1990"])
    sheet.append(["t:x2", "한명철", "not a date"])
    path = tmp_path / "persons.xlsx"
    book.save(path)
    with pytest.raises(ImportFailed) as exc:
        import_files([path])
    assert (exc.value.errors[0].row, exc.value.errors[0].field) == (3, "birth_date")


def test_mixed_jsonl_names_each_rows_type(reference, tmp_path):
    path = write(
        tmp_path, "batch.jsonl",
        '{"type":"act","event":"t:e9","act_type":"killing"}\n{"type":"event","external_id":"t:e9","title":"사건"}\n',
    )
    import_files([path])
    assert Event.objects.get(external_id="t:e9").acts.count() == 1


def test_a_file_without_a_type_says_how_to_name_one(reference, tmp_path):
    path = write(tmp_path, "stuff.csv", "title\nx\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", str(path), "--no-progress")


def test_a_forward_reference_by_external_id_ends_with_the_right_id_in_the_history(reference, tmp_path):
    from kirok.records import history

    person_id = "0a6e3f4c-1111-4222-8333-944455556666"
    sources = write(tmp_path, "sources.jsonl", '{"external_id":"t:s","title":"면담","witness":"t:w"}\n')
    persons = write(tmp_path, "persons.jsonl", f'{{"id":"{person_id}","external_id":"t:w","names":["박증인"]}}\n')
    import_files([sources, persons])
    version = Version.objects.get(record_type="source")
    assert version.data["witness"] == person_id
    assert version.digest == history.digest(version.data)
    assert str(Source.objects.get().witness.uid) == person_id


def test_a_required_custom_field_is_required_in_imports_and_in_the_admin(reference, tmp_path):
    from django.core.exceptions import ValidationError

    from kirok.records.models import Person

    CustomField.objects.create(record_type="person", key="hometown_unit", label_en="Unit", label_ko="소속", required=True)
    with pytest.raises(ImportFailed) as exc:
        import_files([write(tmp_path, "persons.csv", "names\n김철\n")])
    assert (exc.value.errors[0].row, exc.value.errors[0].field) == (2, "extra")
    assert "'hometown_unit' is required" in exc.value.errors[0].message
    with pytest.raises(ValidationError) as invalid:
        Person(extra={"shoe": "42"}).full_clean()
    assert "unknown custom field 'shoe'" in str(invalid.value)


def test_decoding_in_a_second_process_gives_the_same_record_and_errors(reference, tmp_path, monkeypatch):
    from django.db import transaction

    from kirok.records.importing import parallel

    path = write(tmp_path, "persons.csv", PERSONS + "t:p3,최순희,nobody,,\n")
    results = []
    for processes in ("2", "1"):
        monkeypatch.setenv("KIROK_IMPORT_PROCESSES", processes)
        assert parallel.fork_available() == (processes == "2")
        with transaction.atomic():
            with pytest.raises(ImportFailed) as exc:
                import_files([path])
            report = import_files([path], skip_bad=True, rejects_dir=tmp_path / processes)
            # Protected values get a fresh salt each time, so the runs compare opened snapshots, not digests.
            versions = Version.objects.filter(changeset_id=report.changeset_id)
            digests = sorted(repr(sorted(plain_version(v).items())) for v in versions)
            rejects = (tmp_path / processes / "persons.rejects.csv").read_text()
            results.append(([str(e) for e in exc.value.errors], digests, rejects))
            transaction.set_rollback(True)
    assert results[0] == results[1]


def test_a_nul_character_is_a_named_error_on_every_backend(reference, tmp_path):
    """PostgreSQL cannot store U+0000; the documenter learns which cell holds it, not a driver error."""
    bad = write(
        tmp_path, "persons.jsonl",
        '{"type":"person","external_id":"t:p1","remarks":"fictional\\u0000"}\n'
        '{"type":"person","external_id":"t:p\\u0000","names":["김영희"]}\n',
    )
    before = table_fingerprint()
    with pytest.raises(ImportFailed) as exc:
        import_files([bad])
    found = {(e.row, e.field) for e in exc.value.errors}
    assert found == {(1, "remarks"), (2, "external_id")}
    assert all("U+0000" in e.message for e in exc.value.errors)
    assert table_fingerprint() == before


def test_a_nul_character_in_a_csv_names_its_row_and_column(reference, tmp_path):
    bad = write(tmp_path, "persons.csv", "external_id,remarks\nt:p1,fine\nt:p2,bad\x00\n")
    with pytest.raises(ReadError) as exc:
        import_files([bad])
    assert (exc.value.row, exc.value.message.split(" ")[0]) == (3, "remarks")
    assert Person.objects.count() == 0
