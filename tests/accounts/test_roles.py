"""The role API the protection layer calls: deny unless roles.yaml grants, for every role."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from kirok.accounts.roles import ROLES_FILE, RolesFileError, load_role_book, role_of, user_can
from tests.accounts.helpers import make_user

# Read here straight from the file, apart from the loader under test.
SPEC = yaml.safe_load(Path(ROLES_FILE).read_text(encoding="utf-8"))
ROLES = sorted(SPEC["roles"])
CAPABILITIES = sorted(SPEC["capabilities"]) + ["unknown_capability", "", "READ_RECORDS"]


def test_roles_file_names_the_six_roles_of_the_issue_with_both_labels():
    assert set(ROLES) == {"admin", "data_steward", "documenter", "analyst", "reviewer", "external_recipient"}
    for spec in SPEC["roles"].values():
        assert spec["label"]["en"] and spec["label"]["ko"] and spec["description"]["en"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_role_times_every_capability_is_exactly_what_roles_yaml_grants(role):
    user, _ = make_user(f"u-{role}", role)
    granted = set(SPEC["roles"][role]["capabilities"])
    table = {capability: user_can(user, capability) for capability in CAPABILITIES}
    assert table == {capability: capability in granted for capability in CAPABILITIES}
    assert role_of(user).code == role


@pytest.mark.django_db
def test_no_role_inactive_user_anonymous_and_none_are_denied_everything():
    User = get_user_model()
    roleless = User.objects.create_user("roleless", password="x" * 20)
    inactive, _ = make_user("inactive", "data_steward")
    inactive.is_active = False
    inactive.save()
    for user in (roleless, inactive, AnonymousUser(), None):
        assert role_of(user) is None
        assert not any(user_can(user, c) for c in CAPABILITIES)


@pytest.mark.django_db
def test_superuser_flag_grants_no_data_access():
    User = get_user_model()
    root = User.objects.create_superuser("root", password="x" * 20)
    assert not any(user_can(root, c) for c in CAPABILITIES)
    admin, _ = make_user("boss", "admin")
    admin.is_superuser = True
    admin.save()
    assert user_can(admin, "manage_users")
    assert not user_can(admin, "read_records") and not user_can(admin, "see_protected")


@pytest.mark.django_db
def test_a_web_session_that_has_not_passed_the_second_factor_acts_in_no_role():
    steward, _ = make_user("steward", "data_steward")
    steward.is_verified = lambda: False  # what django-otp's middleware installs on request.user
    assert role_of(steward) is None and not user_can(steward, "see_protected")
    steward.is_verified = lambda: True
    assert user_can(steward, "see_protected")
    reviewer, _ = make_user("reviewer", "reviewer")
    reviewer.is_verified = lambda: False  # the reviewer role does not require the second factor
    assert user_can(reviewer, "review")


@pytest.mark.django_db
def test_set_role_takes_effect_on_the_same_user_object():
    from kirok.accounts.services import set_role

    user, _ = make_user("mover", "reviewer")
    assert not user_can(user, "write_records")
    set_role(user, "documenter")
    assert user_can(user, "write_records")
    assert not user.is_staff and not user.is_superuser
    set_role(user, "data_steward")
    assert user.is_staff


def test_labels_follow_the_active_language():
    book = load_role_book()
    with translation.override("ko"):
        assert book.roles["documenter"].label == "기록자"
    with translation.override("en"):
        assert book.roles["documenter"].label == "Documenter"


def _write(tmp_path, mutate) -> Path:
    spec = yaml.safe_load(Path(ROLES_FILE).read_text(encoding="utf-8"))
    mutate(spec)
    path = tmp_path / "roles.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("mutate, message", [
    (lambda s: s["roles"]["reviewer"]["capabilities"].append("see_protected"), "must say two_factor: true"),
    (lambda s: s["roles"]["analyst"]["capabilities"].append("fly"), "unknown ['fly']"),
    (lambda s: s["roles"]["analyst"].update(admin_site=True), "set admin_site: false"),
    (lambda s: s["roles"]["analyst"].pop("two_factor"), "roles.analyst.two_factor must be true or false"),
    (lambda s: s["roles"]["analyst"]["label"].pop("ko"), "roles.analyst.label needs both"),
    (lambda s: s["admin_permissions"].update(records={"view": "nothing"}), "admin_permissions.records.view"),
    (lambda s: s["two_factor_capabilities"].append("fly"), "two_factor_capabilities names 'fly'"),
])
def test_a_roles_file_that_would_weaken_access_is_refused_with_where_to_fix_it(tmp_path, mutate, message):
    path = _write(tmp_path, mutate)
    with pytest.raises(RolesFileError) as error:
        load_role_book(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_the_shipped_file_loads_and_every_protected_role_needs_two_factor():
    book = load_role_book()
    for role in book.roles.values():
        if role.can("see_protected"):
            assert role.two_factor
    assert not book.roles["admin"].can("read_records")
