"""Seal the embedded metadata of items taken in before it was treated as protected.

Each item's metadata is sealed with the workspace's current data key, bound to the item (see
``kirok.evidence.protected``); items without metadata, or already sealed, are left alone. The
reverse opens them again, for a downgrade.
"""

from django.db import migrations


def seal_existing(apps, schema_editor):
    from kirok.evidence.protected import is_sealed, seal_metadata

    Item = apps.get_model("evidence", "Item")
    for pk, uid, metadata in Item.objects.order_by("pk").values_list("pk", "uid", "metadata").iterator():
        if metadata and not is_sealed(metadata):
            Item.objects.filter(pk=pk).update(metadata=seal_metadata(uid, metadata))


def open_again(apps, schema_editor):
    from kirok.evidence.protected import is_sealed, opened

    Item = apps.get_model("evidence", "Item")
    for pk, uid, metadata in Item.objects.order_by("pk").values_list("pk", "uid", "metadata").iterator():
        if is_sealed(metadata):  # a purged item's metadata stays destroyed
            plain = opened(uid, metadata) if "ct" in metadata["$protected"] else {}
            Item.objects.filter(pk=pk).update(metadata=plain)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial")]

    operations = [migrations.RunPython(seal_existing, open_again)]
