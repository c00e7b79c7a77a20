"""Legal frameworks are data: the shipped ones are complete and cited, a user adds one by
dropping a file (no code), and a bad file is refused naming the file and the field."""

from __future__ import annotations

import string

import pytest
import yaml
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


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("key"), "national.yaml: the field key is missing"),
    (lambda d: d.update(kind="statute"), "kind 'statute' is not one of"),
    (lambda d: d["items"][0]["elements"][0].pop("citation"), r"national.yaml item s\. 1 s\. 1\(a\): the field citation is missing"),
    (lambda d: d["items"][0]["elements"][0].update(kind="moral"), "kind 'moral'"),
    (lambda d: d["items"].append(d["items"][0]), "the item key is used twice"),
    (lambda d: d["items"][0].update(label="imprisonment"), "the field label must be a mapping"),
])
def test_a_bad_file_is_refused_naming_the_file_and_the_field(tmp_path, change, message):
    doc = yaml.safe_load(NATIONAL)
    change(doc)
    path = tmp_path / "national.yaml"
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
