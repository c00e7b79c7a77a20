"""A steward protects more fields (``kirok protect add``), and the values already stored are sealed.

Sealing a stored value is an edit like any other: each record gets a new version in one
changeset, whose snapshot holds the envelope. Earlier versions keep the plaintext they were
written with — the history is never rewritten (their digests are in the ledger) — so protect
identifying fields before data arrives; docs/protection.md says how to handle an old history.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models, transaction
from django.utils.translation import gettext as _

from kirok.records import history
from kirok.records.registry import model_for

from . import policy
from .models import ProtectedField
from .principal import Principal

BATCH = 500


def listing() -> list[tuple[str, str, str]]:
    """(record type, path, why) of every protected field."""
    rows = []
    for record_type, entries in policy.shipped()["protected"].items():
        rows += [(record_type, e["path"], e.get("why", "")) for e in entries]
    rows += [(f.record_type, f.path, f"{f.reason} ({f.actor}, {f.added_at:%Y-%m-%d})") for f in ProtectedField.objects.order_by("record_type", "path")]
    from kirok.records.models import CustomField

    rows += [(c.record_type, f"extra.{c.key}", "custom field") for c in CustomField.objects.filter(protected=True)]
    return rows


def protect(record_type: str, path: str, *, reason: str, principal: Principal, progress: Callable | None = None) -> int:
    """Protect ``record_type.path`` from now on and seal its stored values; returns how many."""
    principal.require("mark_protected")
    resolved = policy.resolve(record_type, path)
    if not reason.strip():
        raise policy.PolicyError(_("say why the field identifies a person"))
    if any(p.path == path for p in policy.current().paths(record_type)):
        raise policy.PolicyError(_("%(type)s.%(path)s is protected already") % {"type": record_type, "path": path})
    if resolved.kind == "extra":
        raise policy.PolicyError(
            _("custom fields are protected by their own flag: set it on %(key)r in the admin") % {"key": resolved.name}
        )
    with transaction.atomic():
        ProtectedField.objects.create(record_type=record_type, path=path, reason=reason.strip(), added_by=principal.user, actor=principal.actor)
    policy.reset()
    return _seal_stored(resolved, principal, progress)


def unprotect(record_type: str, path: str, *, principal: Principal) -> None:
    principal.require("mark_protected")
    deleted = ProtectedField.objects.filter(record_type=record_type, path=path).delete()[0]
    if not deleted:
        raise policy.PolicyError(
            _("%(type)s.%(path)s was not protected by a steward (the shipped list is kirok/data/protection.yaml)")
            % {"type": record_type, "path": path}
        )
    policy.reset()


def _seal_stored(p: policy.ProtectedPath, principal: Principal, progress: Callable | None) -> int:
    """Save every row that holds a plaintext value of the path: the save seals it (a version each)."""
    model = model_for(p.record_type)
    if p.kind == "child":
        model = next(rel.related_model for rel in model._meta.related_objects if rel.get_accessor_name() == p.accessor)
    rows = model._base_manager.all()
    if p.name in getattr(model._meta, "uncertain_date_names", ()):
        rows = rows.filter(**{f"{p.name}_from__isnull": False})
    else:
        field = model._meta.get_field(p.name)
        if field.null:
            rows = rows.exclude(**{f"{field.attname}__isnull": True})
        if isinstance(field, (models.CharField, models.TextField)):
            rows = rows.exclude(**{field.attname: ""})
    pks = list(rows.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        part = pks[start : start + BATCH]
        with history.changeset(user=principal.user, actor=principal.actor, reason=f"protect {p.record_type}.{p.path}", kind="protect"):
            for row in model._base_manager.filter(pk__in=part):
                row.save()
        if progress:
            progress(f"{p.record_type}.{p.path}", start + len(part), len(pks))
    return len(pks)
