"""Legal frameworks are data: the shipped ones are complete and cited, a user adds one by
dropping a file (no code), and a bad file is refused naming the file and the field."""

from __future__ import annotations

import io
import logging
import string

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kirok.cases import frameworks
from kirok.cases.frameworks import FrameworkError, read_framework

NATIONAL = """
key: example-national-code
kind: crimes
title: {en: "Example national code (fictional, for universal jurisdiction)", ko: "예시 국내법 (가상)"}
source: "A fictional code written for this test"
licence: "CC0-1.0"
items:
  - key: "s. 1"
    label: {en: "Crime against humanity of imprisonment", ko: "인도에 반한 구금죄"}
    citation: "Example Code s. 1"
    elements:
      - key: "s. 1(a)"
        kind: material
        text: {en: "The accused imprisoned a person", ko: "피고인이 사람을 구금함"}
        citation: "Example Code s. 1(a)"
"""


def test_the_shipped_frameworks_cover_the_rome_statute_and_the_iccpr_rights_each_element_cited():
    known = frameworks.frameworks()
    cah = known["rome-statute-cah"]
    assert [i.key for i in cah.items] == [f"7(1)({letter})" for letter in "abcdefghijk"]
    assert {e.kind for e in cah.common} == {"contextual", "mental"}
    assert {"ctx.attack", "ctx.policy", "ctx.widespread_systematic", "ctx.nexus", "ctx.knowledge"} <= {e.key for e in cah.common}
    assert [e.key for e in cah.item("7(1)(e)").elements] == ["7(1)(e).1", "7(1)(e).2", "7(1)(e).3"]
    liability = known["rome-statute-liability"]
    assert [i.key for i in liability.items] == [f"25(3)({x})" for x in "abcdef"] + ["28(a)", "28(b)"]
    assert "ICCPR 9" in {i.key for i in known["iccpr-coi"].items}
    for framework in known.values():
        assert framework.source and framework.licence
        for element in (*framework.common, *(e for i in framework.items for e in i.elements)):
            assert element.citation and element.text_by_language["en"] and element.text_by_language["ko"], element.key
    assert [s.code for s in frameworks.standards().values()][0] == "reasonable_grounds"


def test_every_shipped_element_says_in_both_languages_what_evidence_proves_it():
    """The Case Matrix's means of proof: a gap is only useful if it says what to look for."""
    elements = [(f.key, e) for f in frameworks.frameworks().values() for e in (*f.common, *(e for i in f.items for e in i.elements))]
    assert len(elements) == 74  # 35 crimes against humanity, 25 liability, 14 ICCPR
    for framework, element in elements:
        assert element.means_of_proof, (framework, element.key)
        for proof in element.means_of_proof:
            assert set(proof) == {"en", "ko"} and proof["en"].strip() and proof["ko"].strip(), (framework, element.key)
            assert any("\uac00" <= c <= "\ud7a3" for c in proof["ko"]), (framework, element.key)  # Korean, not English copied
    superior = frameworks.get("rome-statute-liability").element("28(b).4")
    with translation.override("ko"):
        assert superior.means_of_proof_text[0] == "수사, 처벌 또는 회부의 부재 (징계 기록, 증언)"
    with translation.override("en"):
        assert superior.means_of_proof_text[0].startswith("the absence of investigations")


def test_the_three_forms_of_commission_are_alternatives_and_the_rest_cumulative():
    liability = frameworks.get("rome-statute-liability")
    commission = liability.item("25(3)(a)")
    assert [[e.key for e in group] for group in commission.requirements] == [["25(3)(a).1", "25(3)(a).2", "25(3)(a).3"], ["25(3)(a).4"]]
    assert liability.element("25(3)(a).2").alternatives == ("25(3)(a).1", "25(3)(a).2", "25(3)(a).3")
    assert not commission.elements[0].text.endswith(", or")  # the "or" is in the format now, not in the text
    assert all(len(group) == 1 for item in liability.items if item.key != "25(3)(a)" for group in item.requirements)


def test_a_user_adds_a_national_code_by_dropping_a_file_into_the_workspace(workspace, case99, camp):
    from kirok.cases import services
    from kirok.protection.principal import Principal

    folder = workspace.home / "frameworks"
    folder.mkdir()
    (folder / "national.yaml").write_text(NATIONAL, encoding="utf-8")
    case, _commander = case99
    analyst = Principal.of(camp.users["analyst"])
    services.set_charges(case, [*case.charges, "example-national-code:s. 1"], principal=analyst, reason="universal jurisdiction")
    services.link(case, element="example-national-code:s. 1(a)", target="act", ref="a-v1", principal=analyst, reason="x",
                  assessment=services.Assessment("supports", "strong"))
    from kirok.cases import matrix

    result = matrix.compute(case, reader=analyst)
    section = next(s for s in result.sections if s.title == "Crime against humanity of imprisonment")
    assert section.rows[0].supports == 1


ALTERNATIVES = """
key: example-alternatives
kind: liability
title: {en: "Alternatives (fictional)", ko: "택일 (가상)"}
source: "A fictional code written for this test"
licence: "CC0-1.0"
items:
  - key: "m. 1"
    label: {en: "Commission", ko: "범행"}
    citation: "m. 1"
    elements:
      - any_of:
          - {key: "m. 1(a)", kind: liability, text: {en: "alone", ko: "단독"}, citation: "m. 1(a)"}
          - {key: "m. 1(b)", kind: liability, text: {en: "jointly", ko: "공동"}, citation: "m. 1(b)"}
      - {key: "m. 1(c)", kind: mental, text: {en: "intent", ko: "고의"}, citation: "m. 1(c)"}
"""


def test_an_any_of_group_is_read_as_alternatives(tmp_path):
    path = tmp_path / "alternatives.yaml"
    path.write_text(ALTERNATIVES, encoding="utf-8")
    item = read_framework(path).item("m. 1")
    assert [[e.key for e in group] for group in item.requirements] == [["m. 1(a)", "m. 1(b)"], ["m. 1(c)"]]
    assert [e.alternatives for e in item.elements] == [("m. 1(a)", "m. 1(b)"), ("m. 1(a)", "m. 1(b)"), ()]


def _group(doc: dict) -> dict:
    return doc["items"][0]["elements"][0]


def test_a_bad_or_clashing_workspace_file_is_skipped_with_a_warning_and_cases_still_open(workspace, case99, camp, client, caplog):
    from tests.accounts.helpers import sign_in_as

    case, _commander = case99
    folder = workspace.home / "frameworks"
    folder.mkdir()
    (folder / "broken.yaml").write_text("key: broken\nkind: crimes\nitems: [", encoding="utf-8")
    clash = yaml.safe_load(NATIONAL) | {"key": "rome-statute-cah"}
    (folder / "clash.yaml").write_text(yaml.safe_dump(clash, allow_unicode=True), encoding="utf-8")
    (folder / "national.yaml").write_text(NATIONAL, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="kirok.cases.frameworks"):
        known = frameworks.frameworks()
    assert "example-national-code" in known and known["rome-statute-cah"].path.parent == frameworks.DATA
    reasons = {s.path.name: s.reason for s in frameworks.skipped()}
    assert reasons["broken.yaml"].startswith("broken.yaml: cannot be read as YAML")
    assert reasons["clash.yaml"] == "clash.yaml: framework key 'rome-statute-cah' is already used by rome_statute_cah.yaml"
    assert {r.getMessage() for r in caplog.records} == {f"framework file {folder / name} skipped: {reason}" for name, reason in reasons.items()}
    sign_in_as(client, camp.users["analyst"])
    assert client.get(f"/cases/{case.uid}/").status_code == 200
    (folder / "clash.yaml").unlink()
    assert [s.path.name for s in frameworks.skipped()] == ["broken.yaml"]  # read again when the files change


def test_a_charge_whose_framework_file_was_skipped_is_shown_as_not_loaded(workspace, case99, camp, client):
    from kirok.cases import matrix, services
    from kirok.protection.principal import Principal
    from tests.accounts.helpers import sign_in_as

    case, _commander = case99
    folder = workspace.home / "frameworks"
    folder.mkdir()
    (folder / "national.yaml").write_text(NATIONAL, encoding="utf-8")
    analyst = Principal.of(camp.users["analyst"])
    services.set_charges(case, [*case.charges, "example-national-code:s. 1"], principal=analyst, reason="universal jurisdiction")
    (folder / "national.yaml").write_text(NATIONAL.replace("kind: material", "kind: moral"), encoding="utf-8")
    result = matrix.compute(case, reader=analyst)
    assert result.not_loaded == ["example-national-code:s. 1"]
    assert [s.path.name for s in result.skipped_files] == ["national.yaml"]
    sign_in_as(client, camp.users["analyst"])
    page = client.get(f"/cases/{case.uid}/").content.decode()
    assert "Charged, but not in any loaded framework" in page and "example-national-code:s. 1" in page
    assert "Framework file national.yaml skipped: national.yaml item s. 1 s. 1(a): kind &#x27;moral&#x27;" in page


def test_check_framework_refuses_a_file_whose_key_is_already_installed(tmp_path):
    clash = yaml.safe_load(NATIONAL) | {"key": "iccpr-coi"}
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(clash, allow_unicode=True), encoding="utf-8")
    with pytest.raises(FrameworkError, match="mine.yaml: framework key 'iccpr-coi' is already used by iccpr_coi.yaml"):
        read_framework(path)
    with pytest.raises(CommandError, match="already used by iccpr_coi.yaml"):
        call_command("case", "check-framework", str(path), stdout=io.StringIO())
    path.write_text(NATIONAL, encoding="utf-8")
    out = io.StringIO()
    call_command("case", "check-framework", str(path), stdout=out)
    assert "framework example-national-code, 1 items, 1 elements: OK" in out.getvalue()
    assert read_framework(frameworks.DATA / "iccpr_coi.yaml").key == "iccpr-coi"  # an installed file is not its own clash


@pytest.mark.parametrize("source, change, message", [
    (NATIONAL, lambda d: d.pop("key"), "national.yaml: the field key is missing"),
    (NATIONAL, lambda d: d.update(kind="statute"), "kind 'statute' is not one of"),
    (NATIONAL, lambda d: d["items"][0]["elements"][0].pop("citation"), r"national.yaml item s\. 1 s\. 1\(a\): the field citation is missing"),
    (NATIONAL, lambda d: d["items"][0]["elements"][0].update(kind="moral"), "kind 'moral'"),
    (NATIONAL, lambda d: d["items"].append(d["items"][0]), "the item key is used twice"),
    (NATIONAL, lambda d: d["items"][0].update(label="imprisonment"), "the field label must be a mapping"),
    (ALTERNATIVES, lambda d: _group(d)["any_of"].pop(), r"alternatives.yaml item m\. 1: any_of must be the only field of its entry and list at least two"),
    (ALTERNATIVES, lambda d: _group(d).update(key="m. 1(z)"), "any_of must be the only field"),
    (ALTERNATIVES, lambda d: _group(d).update(any_of="m. 1(a) or m. 1(b)"), "any_of must be the only field"),
    (ALTERNATIVES, lambda d: _group(d)["any_of"].append({"any_of": [{"key": "x"}, {"key": "y"}]}), "an any_of group lists elements, not other any_of groups"),
    (ALTERNATIVES, lambda d: _group(d)["any_of"][1].pop("text"), r"alternatives.yaml item m\. 1 any_of m\. 1\(b\): the field text is missing"),
    (ALTERNATIVES, lambda d: _group(d)["any_of"][1].update(key="m. 1(c)"), r"m\. 1\(c\): the element key is used twice"),
])
def test_a_bad_file_is_refused_naming_the_file_and_the_field(tmp_path, source, change, message):
    doc = yaml.safe_load(source)
    change(doc)
    path = tmp_path / ("national.yaml" if source == NATIONAL else "alternatives.yaml")
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(FrameworkError, match=message):
        read_framework(path)


_text = st.text(alphabet=string.ascii_letters + "가나다(). :-", max_size=12)
_values = st.recursive(st.none() | st.booleans() | st.integers() | _text,
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=4), max_leaves=12)
_documents = st.fixed_dictionaries({}, optional={
    "key": _values, "kind": st.sampled_from(["crimes", "rights", "liability", "x"]) | _values, "title": _values,
    "source": _values, "licence": _values, "common": _values,
    "items": st.lists(st.fixed_dictionaries({}, optional={"key": _values, "label": _values, "citation": _values,
                                                          "elements": _values}), max_size=3) | _values,
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_documents)
def test_any_file_is_read_or_refused_with_a_framework_error(tmp_path, doc):
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        framework = read_framework(path)
    except FrameworkError as exc:
        assert str(exc).startswith("fuzz.yaml")
    else:
        assert framework.items and all(i.elements for i in framework.items)
