"""Export is full fidelity: export, import into an empty workspace, export again — same bytes."""

from __future__ import annotations

import pytest
from django.db import connection

from kirok.records.exporting import export_all
from kirok.records.importing import import_files
from kirok.records.models import Changeset, Version
from kirok.records.registry import ORDER, model_for

from .helpers import write

pytestmark = pytest.mark.django_db


def empty_the_workspace_records() -> None:
    """Remove every record, child, link and version, keeping reference vocabularies."""
    with connection.cursor() as cur:
        for record_type in reversed(ORDER):
            model = model_for(record_type)
            for m2m in model._meta.many_to_many:
                cur.execute(f"DELETE FROM {m2m.remote_field.through._meta.db_table}")
            for rel in model._meta.related_objects:
                if rel.related_model.__module__.startswith("kirok.records.models") and not hasattr(rel.related_model, "record_type"):
                    cur.execute(f"DELETE FROM {rel.related_model._meta.db_table}")
        cur.execute("SET CONSTRAINTS ALL DEFERRED" if connection.vendor == "postgresql" else "PRAGMA defer_foreign_keys = ON")
        for record_type in reversed(ORDER):
            cur.execute(f"DELETE FROM {model_for(record_type)._meta.db_table}")
    Version.objects.all().delete()
    Changeset.objects.all().delete()


def files_of(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_import_export_is_identical(reference, tmp_path, fmt):
    write(tmp_path, "sources.jsonl", (
        '{"external_id":"t:s","title":"면담 1","kind":"testimony","witness":"t:w","testimony_basis":"witnessed",'
        '"consents":[{"scopes":["internal","un"],"given_on":"2024-05-01","method":"written"}],"date":"2019-05~"}\n'
    ))
    write(tmp_path, "persons.jsonl", (
        '{"external_id":"t:w","names":["박증인",{"full_name":"Pak Jung In","romanization":"mr"}],"source":"t:s","sex":"female"}\n'
        '{"external_id":"t:v","names":["리명수"],"birth_date":"1960/1965","extra":{}}\n'
    ))
    write(tmp_path, "events.jsonl", '{"external_id":"t:e","title":"구금","places":["ref:division:KP-09","ref:division:KP-10"],"start_date":"1999"}\n')
    write(tmp_path, "acts.jsonl", '{"external_id":"t:a","event":"t:e","victim":"t:v","act_type":"arbitrary_detention","methods":["beating","sleep_deprivation"],"latitude":41.8,"longitude":129.7}\n')
    write(tmp_path, "information.jsonl", '{"source":"t:s","event":"t:e","connection":"witness","reliability":"likely_reliable"}\n')
    import_files(sorted(tmp_path.glob("*.jsonl")))
    first, second = tmp_path / "first", tmp_path / "second"
    export_all(first, fmt)
    empty_the_workspace_records()
    assert not model_for("person").all_objects.exists()
    import_files(sorted(first.iterdir()))
    export_all(second, fmt)
    assert files_of(first) == files_of(second)
    assert b"\xeb\xa6\xac\xeb\xaa\x85\xec\x88\x98" in files_of(first)[f"person.{fmt}"]  # 리명수 in UTF-8
