"""The administration against roles.yaml: for every model registered in it and every role, what
its pages allow. The administrator manages users and settings and reads the audit, never record
data; the data steward manages compartments; nobody adds, changes or deletes ledger, custody,
evidence, history or audit rows."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from kirok.accounts.roles import get_role
from tests.accounts.helpers import make_user

from .conftest import ROLES

pytestmark = pytest.mark.django_db

WRITE_ONCE = {"ledger", "evidence"}
READ_ONLY = {"records.version", "records.changeset", "protection.protectedread", "protection.disclosure",
             "protection.breakglass", "protection.purge", "protection.protectedfield"}
DATA_APPS = {"records", "evidence"}


def allowed(model_admin, request) -> dict[str, bool]:
    return {
        "view": model_admin.has_view_permission(request), "add": model_admin.has_add_permission(request),
        "change": model_admin.has_change_permission(request), "delete": model_admin.has_delete_permission(request),
    }


@pytest.mark.parametrize("role", ROLES)
def test_what_each_role_may_do_in_the_administration(role):
    user, _ = make_user(f"{role}-a", role)
    request = RequestFactory().get("/admin/")
    request.user = user
    may = {}
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        may[label] = allowed(model_admin, request)
        app = model._meta.app_label
        if app in WRITE_ONCE or label in READ_ONLY:
            assert not any(may[label][a] for a in ("add", "change", "delete")), f"{role} may edit {label}"
        if not get_role(role).admin_site:
            assert not any(may[label].values()), f"{role} opens {label} but the role has no admin_site"
        if role == "admin" and app in DATA_APPS | {"protection"} and label not in READ_ONLY - {"protection.protectedfield"}:
            assert not any(may[label].values()), f"the administrator reaches data: {label}"
    if role == "admin":
        assert may["auth.user"]["change"] and may["protection.protectedread"]["view"] and may["ledger.entry"]["view"]
        assert not may["protection.compartment"]["view"] and not may["records.person"]["view"]
    if role == "data_steward":
        assert all(may["protection.compartment"].values())
        assert may["records.person"]["change"] and may["evidence.item"]["view"]
        assert not may["auth.user"]["view"] and not may["records.version"]["add"]
