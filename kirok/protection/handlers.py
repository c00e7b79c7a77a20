"""Receivers that keep protection in step with Django saves (connected in ``apps.ready``).

Imports take care of all of this themselves, in bulk (``kirok.protection.importing``); these
receivers cover records written one by one: the admin, the services, tests.
"""

from __future__ import annotations

from kirok.records.models.base import Child, Record

from . import compartments, policy, sealing, signals


def seal_before_save(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    if not raw and isinstance(instance, (Record, Child)):
        sealing.seal_instance(instance, update_fields)


def after_save(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw:
        return
    if isinstance(instance, Record) and created:
        compartments.assign(instance.record_type, instance.pk)
    _reindex(instance)


def after_delete(sender, instance, **kwargs) -> None:
    if isinstance(instance, Child):
        _reindex(instance)


def _reindex(instance) -> None:
    if not isinstance(instance, (Record, Child)):
        return
    record_type = sealing.blind_tables().get(instance._meta.db_table)
    if record_type is None:
        return
    record = getattr(instance, instance.owner_field) if isinstance(instance, Child) else instance
    sealing.reindex(record)


def policy_changed(sender, **kwargs) -> None:
    policy.reset()


def consent_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    """A consent entry saved one by one is announced (the ledger logs it in this transaction)."""
    if created and not raw:
        signals.consent_changed.send(type(instance), consent=instance)
