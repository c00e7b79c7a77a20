"""Fixtures for the ledger tests: a workspace of their own (the signing keys live in it)."""

from __future__ import annotations

import pytest


@pytest.fixture
def workspace(settings, tmp_path):
    from kirok.workspace import Workspace

    settings.WORKSPACE = Workspace(tmp_path / "workspace")
    return settings.WORKSPACE


@pytest.fixture
def person_edits(db):
    """Three changesets by a documenter: a person created, renamed, and given an occupation."""
    from kirok.records import history
    from kirok.records.models import Person, PersonName

    with history.changeset(actor="documenter", reason="interview 12"):
        person = Person.objects.create(remarks="fictional")
        PersonName.objects.create(person=person, full_name="김철", script="Hang")
    with history.changeset(actor="documenter", reason="name corrected"):
        name = person.names.get()
        name.full_name = "김철수"
        name.save()
    with history.changeset(actor="documenter", reason="occupation"):
        person.occupation = "miner"
        person.save()
    return person
