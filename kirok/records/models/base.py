import uuid

import orjson
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecordQuerySet(models.QuerySet):
    def delete(self):
        """Tombstone each record, as ``Record.delete`` does: a bulk delete must not erase."""
        count = 0
        for record in self:
            record.delete()
            count += 1
        return count, {self.model._meta.label: count}


class LiveManager(models.Manager.from_queryset(RecordQuerySet)):
    """Records that are not tombstoned: what every page, search and export starts from."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


AllRecordsManager = models.Manager.from_queryset(RecordQuerySet)


class SealedField(models.JSONField):
    """Protected values of the row, encrypted: {field: envelope} (see kirok.protection).

    A protected field's own column is left empty and its value lives here, sealed, so that the
    plaintext is never at rest; the exchange form shows it as ``{"$protected": envelope}``.
    Not editable: no form may show or take a ciphertext. Read with orjson: every read of a
    protected value parses this column, and the standard library's parser is several times slower.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", _("protected values"))
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None or value.__class__ is not str:
            return value
        return orjson.loads(value)


class Record(models.Model):
    """What every ESF record shares: a stable id, an external id, provenance, custom fields.

    ``uid`` is the id that leaves the workspace (exports, bundles, references between files);
    the integer key stays internal. ``external_id`` is the id in the system a record came from
    ("nkdb:E-1234", "uwazi:abc123"), which makes re-imports idempotent. Writes must happen inside
    a changeset (``kirok.records.history.changeset``) so that none escapes the history.
    """

    record_type: str = ""  # exchange-format name, e.g. "person"

    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(_("external id"), max_length=200, null=True, blank=True, unique=True)
    source = models.ForeignKey(
        "records.Source", verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text=_("the source this record came from"),
    )
    translations = models.JSONField(_("translations"), default=dict, blank=True, help_text=_("{field: {language: text}}"))
    extra = models.JSONField(_("custom fields"), default=dict, blank=True)
    sealed = SealedField()
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    objects = LiveManager()
    all_objects = AllRecordsManager()

    class Meta:
        abstract = True

    def clean(self):
        """Custom fields obey the steward's definitions here too, not only in imports."""
        from kirok.records.exchange import FieldError
        from kirok.records.importing.decode import Decoder

        super().clean()
        try:
            self.extra = Decoder().decode_extra(self.record_type, self.extra or {})
        except FieldError as exc:
            raise ValidationError({"extra": str(exc)}) from None

    def save(self, *args, **kwargs):
        from kirok.records.history import require_changeset, touch

        require_changeset(self)
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)
        touch(self)

    def delete(self, *args, **kwargs):
        """Tombstone, never erase: ``history.restore`` brings it back."""
        from kirok.records.history import require_changeset, touch

        require_changeset(self)
        self.deleted_at = timezone.now()
        super().save(update_fields=["deleted_at", "updated_at"])
        touch(self, action="delete")
        return (0, {})

    def __str__(self) -> str:
        return getattr(self, "title", "") or getattr(self, "name", "") or str(self.uid)


class Child(models.Model):
    """A row owned by one record (a name, a consent entry): versioned as part of its owner."""

    owner_field = ""

    sealed = SealedField()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        from kirok.records.history import require_changeset, touch

        require_changeset(self)
        super().save(*args, **kwargs)
        touch(getattr(self, self.owner_field))

    def delete(self, *args, **kwargs):
        from kirok.records.history import require_changeset, touch

        require_changeset(self)
        owner = getattr(self, self.owner_field)
        result = super().delete(*args, **kwargs)
        touch(owner)
        return result
