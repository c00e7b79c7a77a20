import orjson
from django.core.management.base import BaseCommand, CommandError

from kirok.records import history
from kirok.records.exchange import canonical_uuid
from kirok.records.registry import ORDER, model_for


def find_record(ref: str):
    """A record of any type by its Kirok id or external id, tombstoned ones included."""
    uid = canonical_uuid(ref.strip())
    for record_type in ORDER:
        model = model_for(record_type)
        found = model.all_objects.filter(**({"uid": uid} if uid else {"external_id": ref.strip()})).first()
        if found:
            return found
    raise CommandError(f"no record with id or external id {ref!r}")


class Command(BaseCommand):
    help = "List a record's versions (who, when, why) and what each changed."

    def add_arguments(self, parser):
        parser.add_argument("record", help="Kirok id or external id")
        parser.add_argument("--full", action="store_true", help="print each version's whole snapshot too")

    def handle(self, *args, record, full, **options):
        obj = find_record(record)
        state = "deleted" if obj.deleted_at else "live"
        self.stdout.write(f"{obj.record_type} {obj.uid} ({state})")
        previous = None
        for version in history.versions(obj):
            cs = version.changeset
            self.stdout.write(f"\n#{version.pk} {version.action} {cs.at:%Y-%m-%d %H:%M:%S} by {cs.actor} — {cs.reason or cs.kind}")
            self.stdout.write(f"  sha256 {version.digest}")
            for field, (before, after) in history.diff(previous, version.data).items():
                self.stdout.write(f"  {field}: {_short(before)} → {_short(after)}")
            if full:
                self.stdout.write("  " + orjson.dumps(version.data, option=orjson.OPT_SORT_KEYS).decode())
            previous = version.data


def _short(value) -> str:
    if value is None:
        return "∅"
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return text if len(text) <= 80 else text[:77] + "…"
