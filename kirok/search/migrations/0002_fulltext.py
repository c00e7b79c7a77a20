"""The full-text structures, one per database: an FTS5 table (SQLite) or a tsvector column with
a GIN index (PostgreSQL). Their SQL lives with the backends (``kirok.search.backends``)."""

from django.db import migrations


def create(apps, schema_editor):
    from kirok.search.backends import for_vendor

    for statement in for_vendor(schema_editor.connection.vendor).schema():
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    from kirok.search.backends import for_vendor

    for statement in for_vendor(schema_editor.connection.vendor).drop_schema():
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
