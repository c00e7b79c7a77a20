"""A fictional camp for the judicial pathway: "Camp No. 99" (not a real place), its operating unit
under a bureau under a ministry, a commander with positions over time, his predecessor, acts of
imprisonment and torture at the camp, testimonies with different consent, a document and an
evidence file. Every person, unit and place is fictional.

Consent: testimony ``s-w1`` (witness W1) and the document ``s-doc`` consented to prosecutors and sanctions;
testimony ``s-w2`` (witness W2) only to internal use, so nothing resting on it may leave in a
case file or bundle for prosecutors. All records sit in compartment ``camp99``; ``analyst``,
``reviewer`` and ``documenter`` are members, ``outsider`` (an analyst) is not.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kirok.protection.compartments import add_member, assigning, create
from kirok.protection.models import Compartment
from kirok.protection.principal import Principal
from kirok.records.importing import Stream, import_streams

OPERATOR = Principal.console("test")


def _rows() -> dict[str, list[dict]]:
    return {
        "organization": [
            {"external_id": "f:ministry", "name_ko": "가상보위성 (가상)", "name_en": "Fictional Ministry of Security", "kind": "ministry"},
            {"external_id": "f:bureau", "name_ko": "가상보위성 7국 (가상)", "name_en": "Fictional Bureau 7", "kind": "bureau",
             "parent": "f:ministry"},
            {"external_id": "f:camp-unit", "name_ko": "제99호 관리소 관리부 (가상)", "name_en": "Camp No. 99 administration (fictional)",
             "kind": "facility_administration", "parent": "f:bureau"},
        ],
        "place": [{"external_id": "f:camp99", "kind": "facility", "name_ko": "제99호 관리소 (가상)", "name_en": "Camp No. 99 (fictional)",
                   "facility_type": "kwalliso", "operator": "f:camp-unit"}],
        "source": [
            {"external_id": "s-w1", "title": "면담 W1 (가상)", "kind": "testimony", "witness": "p-w1", "transcript": "fictional",
             "consents": [{"scopes": ["internal", "prosecutors", "sanctions"], "given_on": "2024-05-01", "method": "written"}]},
            {"external_id": "s-w2", "title": "면담 W2 (가상)", "kind": "testimony", "witness": "p-w2", "transcript": "fictional",
             "consents": [{"scopes": ["internal"], "given_on": "2024-05-02", "method": "written"}]},
            {"external_id": "s-doc", "title": "관리소 규정 사본 (가상)", "kind": "document",
             "consents": [{"scopes": ["internal", "prosecutors", "sanctions"], "given_on": "2024-05-03", "method": "written"}]},
        ],
        "person": [
            {"external_id": "p-cmd", "names": ["가상소장"], "sex": "male", "remarks": "fictional camp commander"},
            {"external_id": "p-old", "names": ["가상전임"], "sex": "male", "remarks": "fictional predecessor"},
            {"external_id": "p-chief", "names": ["가상국장"], "sex": "male", "remarks": "fictional bureau chief"},
            {"external_id": "p-v1", "names": ["가상피해1"], "sex": "female"},
            {"external_id": "p-v2", "names": ["가상피해2"], "sex": "male"},
            {"external_id": "p-v3", "names": ["가상피해3"], "sex": "female"},
            {"external_id": "p-w1", "names": ["가상증인1"], "sex": "female"},
            {"external_id": "p-w2", "names": ["가상증인2"], "sex": "male"},
        ],
        "event": [{"external_id": "e-camp", "title": "제99호 관리소 수감 (가상)", "start_date": "1995", "end_date": "2001",
                   "places": ["f:camp99"]}],
        "act": [
            {"external_id": "a-v1", "event": "e-camp", "victim": "p-v1", "act_type": "imprisonment_kwalliso", "start_date": "1996",
             "end_date": "2000", "place": "f:camp99", "source": "s-w1"},
            {"external_id": "a-v2", "event": "e-camp", "victim": "p-v2", "act_type": "torture", "start_date": "1998-03",
             "place": "f:camp99", "source": "s-w1"},
            {"external_id": "a-v3", "event": "e-camp", "victim": "p-v3", "act_type": "imprisonment_kwalliso", "start_date": "1999",
             "place": "f:camp99", "source": "s-w2"},
        ],
        "involvement": [
            {"external_id": "i-unit", "act": "a-v1", "organization": "f:camp-unit"},
            {"external_id": "i-cmd", "act": "a-v2", "perpetrator": "p-cmd"},
        ],
        "information": [
            {"external_id": "n-w1-v1", "source": "s-w1", "act": "a-v1", "connection": "witness", "excerpt": "no trial, no judge (fictional)"},
            {"external_id": "n-w2-v3", "source": "s-w2", "act": "a-v3", "connection": "witness", "excerpt": "taken with family (fictional)"},
            {"external_id": "n-doc", "source": "s-doc", "event": "e-camp", "connection": "related_to_participants",
             "excerpt": "rules of the camp (fictional)"},
        ],
        "biographic_detail": [
            {"external_id": "b-cmd", "person": "p-cmd", "organization": "f:camp-unit", "relationship": "officer_of_organisation",
             "position": "관리소장 (camp commander)", "rank": "대좌", "start_date": "1994~", "end_date": "2002", "source": "s-doc"},
            {"external_id": "b-old", "person": "p-old", "organization": "f:camp-unit", "relationship": "officer_of_organisation",
             "position": "관리소장 (camp commander)", "start_date": "1988", "end_date": "1994", "source": "s-doc"},
            {"external_id": "b-chief", "person": "p-chief", "organization": "f:bureau", "relationship": "officer_of_organisation",
             "position": "국장 (bureau chief)", "start_date": "1990", "end_date": "2005", "source": "s-doc"},
        ],
    }


@dataclass
class Camp:
    users: dict
    outsider: object
    item: object  # the document's scanned copy in the vault
    w2_item: object  # a recording of testimony s-w2 (internal only)

    @staticmethod
    def get(model: str, external_id: str):
        from kirok.records.registry import model_for

        return model_for(model).objects.get(external_id=external_id)


@pytest.fixture(autouse=True)
def workspace(isolated_workspace):
    return isolated_workspace


@pytest.fixture
def camp(db, tmp_path) -> Camp:
    from kirok.accounts.services import create_user
    from kirok.evidence import services as vault
    from kirok.records.models import Source
    from kirok.records.reference import load_vocabularies

    load_vocabularies()
    create("camp99", "Camp 99 (fictional)", principal=OPERATOR)
    with assigning(["camp99"]):
        import_streams([Stream(f"camp:{t}", t, list(enumerate(items, start=1)), len(items), "jsonl") for t, items in _rows().items()],
                       actor="test", reason="fictional camp 99")
    scan = tmp_path / "camp-rules-scan.pdf"
    scan.write_bytes(b"%PDF-1.4 fictional scan of camp rules\n")
    item = vault.add_file(scan, source=Source.objects.get(external_id="s-doc"), actor="test", reason="intake").item
    audio = tmp_path / "w2.wav"
    audio.write_bytes(b"RIFF fictional recording of W2")
    w2_item = vault.add_file(audio, source=Source.objects.get(external_id="s-w2"), actor="test", reason="intake").item
    users = {}
    for role in ("analyst", "reviewer", "documenter", "external_recipient", "data_steward"):
        user, _password = create_user(f"{role}-user", role)
        add_member(Compartment.objects.get(key="camp99"), user, principal=OPERATOR)
        users[role] = user
    outsider, _password = create_user("outsider", "analyst")
    return Camp(users, outsider, item, w2_item)


@pytest.fixture
def case99(camp):
    """The worked example: a case against the camp commander for imprisonment (7(1)(e)) and
    torture (7(1)(f)) under art. 28(b), with the links an analyst would make from this record."""
    from kirok.cases import services
    from kirok.cases.services import Assessment
    from kirok.protection.principal import Principal

    analyst = Principal.of(camp.users["analyst"])
    case = services.create_case(key="camp-99", title="Camp No. 99 (fictional)", compartment="camp99", principal=analyst,
                                charges=["rome-statute-cah:7(1)(e)", "rome-statute-cah:7(1)(f)"], reason="open the case")
    services.set_unit_parent(unit="f:camp-unit", parent="f:bureau", start="1990", end="2005", principal=analyst,
                             citation="camp rules copy (fictional)", reason="hierarchy from the camp rules")
    commander = services.add_suspect(case, person="p-cmd", modes=["rome-statute-liability:28(b)"], principal=analyst,
                                     reason="commander of camp 99 in the period")

    def link(element, target, ref, assessment="supports", strength="moderate", standard="reasonable_grounds", suspect=None):
        framework = "rome-statute-liability" if element.startswith("28") else "rome-statute-cah"
        return services.link(case, element=f"{framework}:{element}", target=target, ref=ref, suspect=suspect, principal=analyst,
                             assessment=Assessment(assessment, strength, standard, "fictional"), reason="analysis")

    link("7(1)(e).1", "act", "a-v1", strength="strong")
    link("7(1)(e).1", "act", "a-v3")
    link("7(1)(e).2", "information", "n-w1-v1")
    link("7(1)(f).1", "act", "a-v2", strength="strong")
    link("7(1)(f).2", "act", "a-v2")
    link("7(1)(f).3", "information", "n-w1-v1", assessment="contradicts", standard="")
    link("ctx.attack", "act", "a-v1", assessment="context", standard="")
    link("ctx.widespread_systematic", "item", str(camp.item.uid))
    link("28(b).2", "position", "b-cmd", strength="strong", suspect=commander)
    return case, commander
