import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [
        migrations.CreateModel(
            name="Pending",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("changeset_id", models.BigIntegerField(unique=True, verbose_name="changeset")),
                ("versions", models.BigIntegerField(default=0, help_text="how many versions the changeset wrote", verbose_name="versions")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
            ],
            options={"verbose_name": "changeset waiting for the search index", "ordering": ["changeset_id"]},
        ),
    ]
