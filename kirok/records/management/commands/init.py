from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kirok.protection.keys import keyring
from kirok.records.reference import load_reference_data


class Command(BaseCommand):
    help = "Create the workspace (KIROK_HOME), apply migrations and load the reference data. Safe to run again."

    def handle(self, *args, **options):
        from django.conf import settings

        workspace = settings.WORKSPACE
        workspace.ensure()
        workspace.secret_key()  # written into the key folder on first init
        self.stdout.write(f"Workspace: {workspace.home}")
        keyring().ensure()
        self.stdout.write(f"Protection keys: {keyring().folder}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database: migrations applied")
        summary = load_reference_data()
        for app in apps.get_app_configs():  # an app with reference data of its own loads it here (UPR cycles…)
            loader = getattr(app, "load_reference", None)
            if loader is not None:
                summary.update(loader())
        self.stdout.write(
            "Reference data: " + ", ".join(f"{n} {what}" for what, n in summary.items())
        )
