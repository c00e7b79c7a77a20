"""Roles as data: what each role may do is read from kirok/data/roles.yaml, never written in code.

Every access check in Kirok's services asks ``user_can(user, capability)``. The answer is deny
unless everything lines up: an authenticated, active user with a known role that lists a known
capability. Django's ``is_superuser`` flag is ignored on purpose: the administrator manages
users and settings, not data, and a compromised admin account must not read witness names.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

ROLES_FILE = Path(__file__).resolve().parent.parent / "data" / "roles.yaml"


class RolesFileError(ValueError):
    """roles.yaml is malformed; the message names the file and the key to fix."""


def _pick(text: dict[str, str]) -> str:
    """The Korean text when the active language is Korean, else the English."""
    language = (get_language() or "en").split("-")[0]
    return text.get(language) or text["en"]


@dataclass(frozen=True)
class Capability:
    code: str
    label_text: dict[str, str]
    description_text: dict[str, str]

    @property
    def label(self) -> str:
        return _pick(self.label_text)

    @property
    def description(self) -> str:
        return _pick(self.description_text)


@dataclass(frozen=True)
class Role(Capability):
    """A role is named and described like a capability, and holds a set of them."""

    capabilities: frozenset[str] = frozenset()
    two_factor: bool = True
    external: bool = False
    admin_site: bool = False

    def can(self, capability: str) -> bool:
        return capability in self.capabilities


@dataclass(frozen=True)
class RoleBook:
    """Everything roles.yaml says, checked once at load."""

    capabilities: dict[str, Capability]
    roles: dict[str, Role]
    two_factor_capabilities: frozenset[str]
    admin_permissions: dict[str, dict[str, str]]


def _bilingual(path: Path, where: str, value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not value.get("en") or not value.get("ko"):
        raise RolesFileError(f"{path}: {where} needs both an `en` and a `ko` text")
    return {"en": str(value["en"]), "ko": str(value["ko"])}


def load_role_book(path: Path = ROLES_FILE) -> RoleBook:
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("roles"), dict) or not isinstance(doc.get("capabilities"), dict):
        raise RolesFileError(f"{path}: needs top-level `capabilities:` and `roles:` mappings")
    capabilities = {
        code: Capability(
            code=code,
            label_text=_bilingual(path, f"capabilities.{code}.label", spec.get("label")),
            description_text=_bilingual(path, f"capabilities.{code}.description", spec.get("description")),
        )
        for code, spec in doc["capabilities"].items()
    }
    sensitive = frozenset(doc.get("two_factor_capabilities") or [])
    for code in sensitive - capabilities.keys():
        raise RolesFileError(f"{path}: two_factor_capabilities names {code!r}, which is not under `capabilities:`")
    roles: dict[str, Role] = {}
    for code, spec in doc["roles"].items():
        where = f"roles.{code}"
        granted = spec.get("capabilities") or []
        unknown = sorted(set(granted) - capabilities.keys())
        if unknown:
            raise RolesFileError(f"{path}: {where}.capabilities lists unknown {unknown}; declare them under `capabilities:`")
        for flag in ("two_factor", "external", "admin_site"):
            if not isinstance(spec.get(flag), bool):
                raise RolesFileError(f"{path}: {where}.{flag} must be true or false")
        needs_2fa = sorted(sensitive.intersection(granted))
        if needs_2fa and not spec["two_factor"]:
            raise RolesFileError(f"{path}: {where} holds {needs_2fa}, so it must say two_factor: true")
        if spec["admin_site"] and "read_records" in granted and "see_protected" not in granted:
            raise RolesFileError(
                f"{path}: {where} reads records without see_protected, and the administration does not "
                "mask protected fields; set admin_site: false"
            )
        roles[code] = Role(
            code=code,
            label_text=_bilingual(path, f"{where}.label", spec.get("label")),
            description_text=_bilingual(path, f"{where}.description", spec.get("description")),
            capabilities=frozenset(granted),
            two_factor=spec["two_factor"],
            external=spec["external"],
            admin_site=spec["admin_site"],
        )
    admin_permissions: dict[str, dict[str, str]] = {}
    for app_label, actions in (doc.get("admin_permissions") or {}).items():
        for action, capability in actions.items():
            if action not in ("view", "add", "change", "delete") or capability not in capabilities:
                raise RolesFileError(
                    f"{path}: admin_permissions.{app_label}.{action}: {capability!r} must map one of "
                    "view/add/change/delete to a declared capability"
                )
        admin_permissions[app_label] = dict(actions)
    return RoleBook(capabilities=capabilities, roles=roles, two_factor_capabilities=sensitive,
                    admin_permissions=admin_permissions)


@cache
def role_book() -> RoleBook:
    return load_role_book()


def all_roles() -> list[Role]:
    return list(role_book().roles.values())


def get_role(code: str) -> Role | None:
    return role_book().roles.get(code)


def assigned_role(user) -> Role | None:
    """The role on the user's account, whether or not this session passed the second factor.

    For the sign-in steps, which must know what the role demands before it is granted. Access
    checks use ``role_of``.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    from kirok.accounts.models import Account

    try:
        account = user.kirok_account
    except Account.DoesNotExist:
        return None
    return get_role(account.role)


def role_of(user) -> Role | None:
    """The role the user acts in now: None for anonymous, inactive or role-less users, and for a
    web session that has not passed the second factor its role demands."""
    role = assigned_role(user)
    if role is not None and role.two_factor and not second_factor_passed(user):
        return None
    return role


def second_factor_passed(user) -> bool:
    """On a web request (django-otp's middleware installed ``is_verified``), whether the TOTP step
    was passed; elsewhere (CLI, services called with a user loaded from the database) True, since
    the sign-in steps are a web matter. The sign-in middleware already keeps unverified sessions
    on the sign-in pages; this repeats the check where a capability is asked, in case a view is
    ever reached some other way."""
    is_verified = getattr(user, "is_verified", None)
    return not callable(is_verified) or bool(is_verified())


def user_can(user, capability: str) -> bool:
    if capability not in role_book().capabilities:
        logger.warning("access check for unknown capability %r denied; roles.yaml declares %s",
                       capability, sorted(role_book().capabilities))
        return False
    role = role_of(user)
    return role is not None and role.can(capability)


def requires_two_factor(user) -> bool:
    """True unless the user's role says two_factor: false; a user without a role counts as
    requiring it, so a half-made account never slips through with a password alone."""
    role = assigned_role(user)
    return role is None or role.two_factor
