"""Cycles ship as data; recommendations come in from CSV/XLSX, whole or not at all."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kirok.protection.principal import AccessDenied, Principal
from kirok.upr import importing
from kirok.upr.models import Cycle, Recommendation, Tag

from .helpers import FICTIONAL, kirok_rows, write_csv

OPERATOR = Principal.console("test")


def test_the_four_dprk_cycles_load_with_their_counts_and_no_invented_symbols(cycles):
    found = {c.number: c for c in Cycle.objects.all()}
    assert {n: c.received for n, c in found.items()} == {1: 167, 2: 268, 3: 262, 4: 294}
    assert [found[n].review_date.isoformat() for n in (1, 2, 3, 4)] == ["2009-12-07", "2014-05-01", "2019-05-09", "2024-11-07"]
    assert found[1].report_symbol == "A/HRC/13/13" and found[2].addendum_symbol == "A/HRC/27/10/Add.1"
    assert found[4].report_symbol == ""  # not sourced: left empty, not guessed
    assert found[4].supported + found[4].partially_supported + found[4].noted == 294
    from kirok.upr.reference import load_cycles

    load_cycles()  # again: nothing duplicated
    assert Cycle.objects.count() == 4


def test_a_kirok_file_imports_whole_and_again_changes_nothing(cycles, tmp_path):
    path = write_csv(tmp_path / "recs.csv", kirok_rows(3, 30))
    done = importing.import_file(path, principal=OPERATOR)
    assert (done.created, done.updated, done.unchanged, done.layout) == (30, 0, 0, "kirok")
    rec = Recommendation.objects.get(cycle__number=3, paragraph="124.4")
    assert rec.text.startswith(FICTIONAL) and rec.position == "supported" and rec.action_category == 5
    assert rec.tags("state") == ["Utopia", "Erewhon"] and rec.tags("sdg") == ["16"]
    again = importing.import_file(path, principal=OPERATOR)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 30)
    rows = kirok_rows(3, 30)
    rows[3]["position"] = "Noted"
    corrected = importing.import_file(write_csv(tmp_path / "fixed.csv", rows), principal=OPERATOR)
    assert (corrected.created, corrected.updated, corrected.unchanged) == (0, 1, 29)
    assert Recommendation.objects.get(pk=rec.pk).position == "noted" and Recommendation.objects.count() == 30


def test_errors_name_file_row_and_field_and_nothing_lands(cycles, tmp_path):
    rows = kirok_rows(3, 5)
    rows[1]["paragraph"] = "one hundred"
    rows[3]["cycle"] = "9"
    rows[4]["sdgs"] = "16;42"
    rows[2]["position"] = "maybe"
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(importing.ImportFailed) as failed:
        importing.import_file(path, principal=OPERATOR)
    text = str(failed.value)
    assert f"{path}:3:paragraph:" in text and f"{path}:5:cycle:" in text and f"{path}:6:sdgs:" in text and f"{path}:4:position:" in text
    assert Recommendation.objects.count() == 0 and Tag.objects.count() == 0


def test_the_same_number_twice_in_a_file_is_an_error(cycles, tmp_path):
    rows = kirok_rows(3, 3)
    rows[2]["paragraph"] = rows[0]["paragraph"]
    with pytest.raises(importing.ImportFailed, match=r":4:paragraph: .* also in row 2"):
        importing.import_file(write_csv(tmp_path / "twice.csv", rows), principal=OPERATOR)


def test_the_un_matrix_layout_from_xlsx(cycles, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Recommendation", "Position", "Full list of themes", "Assessment/comments on level of implementation"])
    sheet.append([f"126.12 {FICTIONAL} Abolish the fictional camps (Fictionland) (Utopia);\nSource of position: A/HRC/42/10/Add.1 - Para. 5",
                  "Noted", "D26 Conditions of detention\nD25 Prohibition of torture\nAffected persons:\n- persons deprived of liberty\n- women\nSDG 16", ""])
    sheet.append([f"126.13 {FICTIONAL} Invite the fictional rapporteur (Erewhon);", "Supported", "A24 Cooperation with special procedures", ""])
    path = tmp_path / "matrix.xlsx"
    book.save(path)
    with pytest.raises(importing.ImportFailed, match="--cycle"):
        importing.import_file(path, principal=OPERATOR)
    done = importing.import_file(path, principal=OPERATOR, cycle=3)
    assert (done.created, done.layout) == (2, "un-matrix")
    rec = Recommendation.objects.get(paragraph="126.12")
    assert rec.text == f"{FICTIONAL} Abolish the fictional camps" and rec.position == "noted"
    assert rec.tags("state") == ["Fictionland", "Utopia"] and rec.position_source == "A/HRC/42/10/Add.1 - Para. 5"
    assert rec.tags("theme") == ["D26 Conditions of detention", "D25 Prohibition of torture"]
    assert rec.tags("group") == ["persons deprived of liberty", "women"] and rec.tags("sdg") == ["16"]
    assert rec.document_symbol == "A/HRC/42/10"


def test_importing_needs_write_records(world, tmp_path):
    path = write_csv(tmp_path / "recs.csv", kirok_rows(3, 2))
    with pytest.raises(AccessDenied):
        importing.import_file(path, principal=Principal.of(world.users["reviewer"]))
    assert Recommendation.objects.count() == 0


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=250)


ROW = st.fixed_dictionaries({name: CELL for name in importing.KIROK_COLUMNS} | {
    "cycle": st.sampled_from(["3", "4", "9", ""]) | CELL,
    "paragraph": st.from_regex(r"\d{1,3}\.\d{1,3}", fullmatch=True) | CELL,
    "position": st.sampled_from(["Supported", "noted", "Partially supported", ""]) | CELL,
    "sdgs": st.sampled_from(["16", "1;17", "", "0"]) | CELL,
    "action_category": st.sampled_from(["", "1", "5", "6"]) | CELL,
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ROW, min_size=1, max_size=4))
def test_fuzz_any_file_imports_whole_or_fails_naming_row_and_field(cycles, tmp_path_factory, rows):
    path = write_csv(tmp_path_factory.mktemp("fuzz") / "fuzz.csv", rows)
    before = Recommendation.objects.count()
    try:
        done = importing.import_file(path, principal=OPERATOR)
    except importing.ImportFailed as failed:
        assert failed.problems and all(p.path == str(path) and p.row >= 0 and p.field for p in failed.problems)
        assert Recommendation.objects.count() == before
    else:
        assert done.created + done.updated + done.unchanged <= len(rows)


@given(st.text(max_size=200))
def test_fuzz_matrix_cells_split_without_error(cell):
    number, text, states, source = importing.split_recommendation(cell)
    assert number == "" or importing.PARAGRAPH.match(number)
    assert all(s and "(" not in s and ")" not in s for s in states)
    themes, groups, sdgs = importing.split_themes(cell)
    assert all(1 <= int(g) <= 99 for g in sdgs)
