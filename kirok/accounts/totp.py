"""TOTP keys sealed at rest with the workspace's protection keys.

django-otp stores a TOTP device's key in hex in ``otp_totp_totpdevice.key``; a copy of the
database would give whoever holds it the second factor of every account. Kirok keeps the key
sealed instead (``kirok.protection.envelope``: AES-256-GCM under the current data key, bound to
``accounts_totpsecret``/``sealed``/the device's id, so a sealed key copied to another device does
not open) in ``accounts.TOTPSecret``, and leaves ``PLACEHOLDER`` in django-otp's column.

Three receivers and one property do it (connected in ``AccountsConfig.ready``):

* before a device is saved with a real key, the key is taken off the row and kept on the instance;
* after the save, it is sealed into the device's ``TOTPSecret`` (same transaction);
* ``TOTPDevice.bin_key`` — what django-otp's ``verify_token`` and ``config_url`` read — opens the
  sealed key. A device whose row still holds a real key (written before this existed and not yet
  migrated) keeps working from it.

Without the key folder no code can be checked: keep it backed up (``docs/protection.md``).
``kirok keys rotate`` re-encrypts these keys with everything else.
"""

from __future__ import annotations

from binascii import unhexlify

from django.utils.translation import gettext as _

from kirok.protection.envelope import aad, open_value, seal
from kirok.records.exchange import SEALED

PLACEHOLDER = "0" * 40  # 20 zero bytes: never a key django-otp generates (random_hex), and never used as one
TABLE, COLUMN = "accounts_totpsecret", "sealed"
_PENDING = "_kirok_key_to_seal"
_OPENED = "_kirok_key"


class SealedKeyMissing(LookupError):
    """A device whose key was sealed has no sealed key: the account must enrol again."""


def where(device_pk) -> bytes:
    return aad(TABLE, COLUMN, str(device_pk))


def take_key(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save: a real key leaves the row before it is written."""
    if raw or instance.key == PLACEHOLDER or (update_fields is not None and "key" not in update_fields):
        return
    setattr(instance, _PENDING, instance.key)
    setattr(instance, _OPENED, instance.key)
    instance.key = PLACEHOLDER


def store_key(sender, instance, raw=False, **kwargs) -> None:
    """post_save: the key taken off the row is sealed, bound to the device's id."""
    from kirok.accounts.models import TOTPSecret

    key = instance.__dict__.pop(_PENDING, None)
    if raw or key is None:
        return
    TOTPSecret.objects.update_or_create(device_id=instance.pk, defaults={"sealed": {SEALED: seal(key, where(instance.pk))}})


def hex_key(device) -> str:
    """The device's key in hex: from its row if it still holds one, else opened from the seal."""
    if device.key != PLACEHOLDER:
        return device.key
    opened = device.__dict__.get(_OPENED)
    if opened is None:
        from kirok.accounts.models import TOTPSecret

        row = TOTPSecret.objects.filter(device_id=device.pk).first()
        if row is None:
            raise SealedKeyMissing(
                _("the sealed key of authenticator %(id)s is missing; reset the user's two-factor sign-in "
                  "(`kirok user reset-2fa NAME`) and enrol again") % {"id": device.pk}
            )
        opened = open_value(row.sealed[SEALED], where(device.pk))
        setattr(device, _OPENED, opened)
    return opened


def bin_key(device) -> bytes:
    return unhexlify(hex_key(device).encode())


def seal_stored_keys(device_model, secret_model) -> int:
    """Seal every key still held in django-otp's column (the migration does); returns how many."""
    n = 0
    for pk, key in device_model.objects.exclude(key=PLACEHOLDER).values_list("pk", "key").iterator():
        secret_model.objects.update_or_create(device_id=pk, defaults={"sealed": {SEALED: seal(key, where(pk))}})
        device_model.objects.filter(pk=pk).update(key=PLACEHOLDER)
        n += 1
    return n


def open_stored_keys(device_model, secret_model) -> None:
    """Put the keys back into django-otp's column: undoing the migration, for a downgrade only."""
    for secret in secret_model.objects.all().iterator():
        device_model.objects.filter(pk=secret.device_id).update(key=open_value(secret.sealed[SEALED], where(secret.device_id)))
        secret.delete()
