from django.db import models
from django.utils.translation import gettext_lazy as _


class BlindToken(models.Model):
    """A keyed hash of one normalized form of a protected value, for lookup by exact form.

    ``token`` is HMAC-SHA-256 under the blind-index key over the field and the form, cut to
    128 bits (hex): equal forms give equal tokens, and nothing else can be read from it without
    the key. Rows belong to the record (a person), not to the child row the value sits in, and
    are rebuilt whenever the record's protected values change.
    """

    record_type = models.CharField(max_length=16)
    record_id = models.BigIntegerField()
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("blind index token")
        indexes = [
            models.Index(fields=["token", "record_type"], name="blind_token"),
            models.Index(fields=["record_type", "record_id"], name="blind_record"),
        ]
