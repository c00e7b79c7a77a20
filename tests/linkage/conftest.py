"""A small fictional collection for linkage: known duplicates across scripts, the Kim Jong Il /
Kim Jong Un trap, namesakes, and synthetic filler so the model has a collection to learn from.

Every person is fictional. All records sit in compartment ``case``; each role has a user who is a
member of it, and ``outsider`` is an analyst who is not."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kirok.linkage.synthetic import Generator
from kirok.records.importing import Stream
from tests.compartment_world import case_compartment

KNOWN = [
    # external id, names, birth, sex, act type, source list
    ("nkdb:P-1", ["김정은"], "1984", "male", "arbitrary_detention"),
    ("tjwg:P-7", ["Kim Jong-un"], "1984", "male", "arbitrary_detention"),
    ("kinu:P-3", ["Kim Jŏng-ŭn"], "1983", "male", "torture"),
    ("ohchr:P-9", ["Gim Jeong-eun"], "1984", "male", None),
    ("nkdb:P-2", ["김정일"], "1942", "male", None),
    ("tjwg:P-8", ["Kim Jong Il"], "1942", "male", None),
    ("nkdb:P-4", ["리명수"], "1961", "female", "enforced_disappearance"),
    ("kinu:P-5", ["Lee Myung-soo"], "1961", "female", "enforced_disappearance"),
]


@dataclass
class Collection:
    users: dict
    outsider: object

    @staticmethod
    def person(external_id: str):
        from kirok.records.models import Person

        return Person.objects.get(external_id=external_id)


@pytest.fixture(autouse=True)
def workspace(isolated_workspace):
    return isolated_workspace


def _streams() -> list[Stream]:
    persons, events, acts = [], [{"external_id": "t:event", "title": "구금 (fictional)", "start_date": "2001"}], []
    for ext, names, birth, sex, act_type in KNOWN:
        persons.append({"external_id": ext, "names": names, "birth_date": birth, "sex": sex, "remarks": "fictional"})
        if act_type:
            acts.append({"external_id": f"t:act:{ext}", "event": "t:event", "victim": ext, "act_type": act_type, "start_date": "2001"})
    for r in Generator(seed=5).records(40):
        first, last = r.birth
        persons.append({"external_id": r.external_id, "names": [r.name], "sex": r.sex,
                        "birth_date": f"{first}/{last}" if first and last and first != last else (str(first) if first else None),
                        "remarks": "fictional filler"})
    data = {"person": persons, "event": events, "act": acts}
    return [Stream(f"linkage:{t}", t, list(enumerate(items, start=1)), len(items), "jsonl") for t, items in data.items()]


@pytest.fixture
def collection(db) -> Collection:
    from kirok.records.reference import load_vocabularies

    load_vocabularies()
    return Collection(*case_compartment(_streams(), "fictional linkage collection"))
