from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Changeset(models.Model):
    """One act of changing the record: an edit, an import, an undo. Says who, when and why."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    actor = models.CharField(_("actor"), max_length=200, help_text=_("user name or process, e.g. import of a file"))
    kind = models.CharField(_("kind"), max_length=24, default="edit")
    reason = models.TextField(_("reason"), blank=True)
    source = models.ForeignKey("records.Source", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("changeset")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor}: {self.reason or self.kind}"


class SnapshotField(models.JSONField):
    """A version's snapshot: JSON without SQLite's ``CHECK (JSON_VALID(…))``.

    Every snapshot is written by Kirok from a dict (``canonical_json`` in the importer, the ORM's
    encoder elsewhere), so it is valid by construction, and the check only cost time: about a
    quarter of inserting a version row, the largest table an import writes (docs/benchmarks.md).
    PostgreSQL's ``jsonb`` still parses every value.
    """

    def db_check(self, connection):
        return None


class Version(models.Model):
    """A snapshot of one record after a change, in the exchange format, with its SHA-256 digest.

    The digest covers type, id, action and data in canonical JSON, so the ledger can log it and
    an outsider can recompute it from an export.
    """

    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="versions")
    record_type = models.CharField(max_length=40)
    record_uid = models.UUIDField()
    action = models.CharField(max_length=12)  # create, update, delete, restore
    data = SnapshotField()
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("version")
        indexes = [models.Index(fields=["record_type", "record_uid", "id"], name="version_record")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_uid} {self.action}"
