"""TOTP keys sealed at rest (kirok.accounts.totp): the table, then every existing key moved into it.
Sign-in goes on working: the sealed key is what django-otp's bin_key now opens."""

import django.db.models.deletion
from django.db import migrations, models


def seal(apps, schema_editor):
    from kirok.accounts.totp import seal_stored_keys

    seal_stored_keys(apps.get_model("otp_totp", "TOTPDevice"), apps.get_model("accounts", "TOTPSecret"))


def unseal(apps, schema_editor):
    from kirok.accounts.totp import open_stored_keys

    open_stored_keys(apps.get_model("otp_totp", "TOTPDevice"), apps.get_model("accounts", "TOTPSecret"))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('otp_totp', '0003_add_timestamps'),
    ]

    operations = [
        migrations.CreateModel(
            name='TOTPSecret',
            fields=[
                ('device', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='otp_totp.totpdevice')),
                ('sealed', models.JSONField(verbose_name='sealed key')),
            ],
            options={
                'verbose_name': 'sealed TOTP key',
                'verbose_name_plural': 'sealed TOTP keys',
            },
        ),
        migrations.RunPython(seal, unseal),
    ]
