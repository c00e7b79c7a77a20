"""Keeping the index current through imports: a small changeset is indexed inside its
transaction, a large one (an import) after it commits, in batches; a crash between the commit
and the indexing leaves a marker that `kirok search reindex --pending` finishes.

The threshold is lowered (``KIROK_SEARCH_INLINE_MAX``) so that a dozen fictional records make a
"large" changeset; the code paths are the ones a 200,000-record import takes.
"""

from __future__ import annotations

import gc
import json

import pytest
from django.core.management import call_command

from kirok.protection.principal import Principal
from kirok.records.history import changeset
from kirok.records.models import Changeset, Event
from kirok.search import indexing
from kirok.search.models import Document, Facet, Pending
from kirok.search.services import search

from .conftest import add_records

OPERATOR = Principal.console("test")
EVENTS = 12


def found(text: str) -> set[str]:
    results = search(text, user=OPERATOR, limit=100)
    assert not results.error, results.error
    return {h.external_id for h in results.hits}


def large_import() -> dict[str, list[dict]]:
    """An existing event gains acts (its facets change though it is not in the import), and
    new events arrive with their own acts."""
    return {
        "person": [{"external_id": "ix:victim", "names": ["박영철"], "remarks": "fictional"}],
        "event": [{"external_id": f"ix:e{i}", "title": f"청진 구금 사건 {i}", "start_date": "2001"} for i in range(EVENTS)],
        "act": [
            {"external_id": "ix:a-old", "event": "ix:old", "victim": "ix:victim", "act_type": "torture"},
            *({"external_id": f"ix:a{i}", "event": f"ix:e{i}", "victim": "ix:victim", "act_type": "arbitrary_detention"} for i in range(EVENTS)),
        ],
    }


@pytest.fixture
def small_threshold(monkeypatch, db):
    from kirok.records.reference import load_vocabularies

    load_vocabularies()
    add_records({"event": [{"external_id": "ix:old", "title": "회령 사건", "start_date": "1999"}]})
    monkeypatch.setenv("KIROK_SEARCH_INLINE_MAX", "5")


def violations_of(external_id: str) -> set[str]:
    return set(Facet.objects.filter(document__record_type="event", document__external_id=external_id, facet="violation").values_list("value", flat=True))


@pytest.mark.django_db
def test_an_edit_is_findable_at_once_without_a_marker(small_threshold):
    event = Event.objects.get(external_id="ix:old")
    with changeset(actor="test", reason="retitle"):
        event.title = "요덕 사건"
        event.save()
        assert "ix:old" not in found("Yodok")  # not before the changeset closes …
    assert "ix:old" in found("Yodok")  # … and at once after, in the same transaction
    assert not Pending.objects.exists()


@pytest.mark.django_db
def test_a_large_import_is_indexed_after_commit_in_batches(small_threshold, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(indexing, "RANGE", 4)  # many batches, each its own transaction
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        add_records(large_import())
        cs = Changeset.objects.latest("id")
        assert list(Pending.objects.values_list("changeset_id", flat=True)) == [cs.pk]
        assert found("Chongjin") == set()  # not indexed inside the import's transaction
    assert len(callbacks) == 1
    assert found("Chongjin") == {f"ix:e{i}" for i in range(EVENTS)}
    assert "ix:victim" in found("Pak Yong Chol")
    assert violations_of("ix:old") == {"torture"}  # an event outside the import whose facets it changed
    assert violations_of("ix:e3") == {"arbitrary_detention"}
    assert not Pending.objects.exists()


@pytest.mark.django_db(transaction=True)  # real commits: the indexing runs at the import's own commit
def test_the_indexing_after_an_import_frees_the_reference_cycles_of_its_batches(small_threshold, monkeypatch):
    """An import pauses Python's cyclic garbage collector while it writes, and its commit runs the
    indexing after commit inside that pause. Every batch leaves reference cycles (prefetched rows
    that point back to their record); unless the collector frees them batch by batch, memory
    grows with the import: 22 GB at 1,000,000 records."""
    monkeypatch.setattr(indexing, "RANGE", 4)
    inside, freed = [False], []

    def collected(phase: str, info: dict) -> None:
        if phase == "stop" and inside[0]:
            freed.append(info["collected"])

    index_range = indexing._index_range

    def batch(*args) -> None:
        inside[0] = True
        try:
            index_range(*args)
        finally:
            inside[0] = False

    monkeypatch.setattr(indexing, "_index_range", batch)
    gc.callbacks.append(collected)
    try:
        add_records(large_import())
    finally:
        gc.callbacks.remove(collected)
    assert not Pending.objects.exists()  # indexed after the import's commit, in its batches
    assert found("Chongjin") == {f"ix:e{i}" for i in range(EVENTS)}
    assert sum(freed) > 0, "no garbage collected during the indexing after commit"


@pytest.mark.django_db
def test_a_crash_after_commit_leaves_a_marker_that_reindex_pending_finishes(small_threshold, django_capture_on_commit_callbacks, monkeypatch, caplog):
    def crash(*args, **kwargs):
        raise RuntimeError("the process died here (simulated)")

    with monkeypatch.context() as patched:
        patched.setattr(indexing, "_index_range", crash)
        with django_capture_on_commit_callbacks(execute=True):
            add_records(large_import())  # commits; the indexing after commit fails
    assert Pending.objects.count() == 1
    assert found("Chongjin") == set()
    assert "reindex --pending" in caplog.text and "박영철" not in caplog.text

    call_command("search", "reindex", "--pending", "--no-progress")
    assert not Pending.objects.exists()
    assert found("Chongjin") == {f"ix:e{i}" for i in range(EVENTS)}
    assert violations_of("ix:old") == {"torture"}
    assert Document.objects.filter(external_id="ix:e0").count() == 1


@pytest.mark.django_db(transaction=True)
def test_kirok_import_shows_the_indexing_as_its_own_step_and_its_records_are_findable(settings, tmp_path, monkeypatch, capsys):
    from kirok.records.reference import load_vocabularies

    load_vocabularies()
    monkeypatch.setenv("KIROK_SEARCH_INLINE_MAX", "5")
    files = []
    for record_type, rows in large_import().items():
        path = tmp_path / f"{record_type}.jsonl"
        rows = [r for r in rows if r.get("event") != "ix:old"]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        files.append(str(path))
    call_command("import", *files)
    assert "search index" in capsys.readouterr().err  # the bar of the step after commit
    assert found("청진 구금") == {f"ix:e{i}" for i in range(EVENTS)}
    assert not Pending.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_kirok_import_index_later_ends_at_the_commit_and_reindex_pending_finishes(tmp_path, monkeypatch, capsys):
    from kirok.records.reference import load_vocabularies

    load_vocabularies()
    monkeypatch.setenv("KIROK_SEARCH_INLINE_MAX", "5")
    path = tmp_path / "event.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in large_import()["event"]), encoding="utf-8")
    call_command("import", str(path), "--index-later", "--no-progress")
    assert "reindex --pending" in capsys.readouterr().err
    assert Pending.objects.count() == 1 and found("청진 구금") == set()
    call_command("search", "reindex", "--pending", "--no-progress")
    assert not Pending.objects.exists()
    assert found("청진 구금") == {f"ix:e{i}" for i in range(EVENTS)}
