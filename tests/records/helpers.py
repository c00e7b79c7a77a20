"""Small helpers the record tests share."""

from __future__ import annotations

from pathlib import Path

from django.db import connection

from kirok.records.models import Changeset, Version
from kirok.records.registry import ORDER, model_for


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def plain(record) -> dict:
    """A record's exchange form with its protected values opened: what the console operator sees.
    Protected values are sealed at rest (kirok.protection), so their columns are empty."""
    from kirok.protection.sealing import opened
    from kirok.records.exchange import to_dict

    return opened(record.record_type, to_dict(record))


def plain_version(version) -> dict:
    from kirok.protection.sealing import opened

    return opened(version.record_type, version.data)


def table_fingerprint() -> dict[str, int]:
    """Row counts of every table the record owns, to prove an import left nothing behind."""
    counts = {"versions": Version.objects.count(), "changesets": Changeset.objects.count()}
    with connection.cursor() as cur:
        for record_type in ORDER:
            model = model_for(record_type)
            counts[record_type] = model.all_objects.count()
            for rel in model._meta.related_objects:
                table = rel.related_model._meta.db_table
                cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cur.fetchone()[0]
            for m2m in model._meta.many_to_many:
                table = m2m.remote_field.through._meta.db_table
                cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cur.fetchone()[0]
    return counts
