"""Accounts: what the CLI, the sign-in pages and the administration all call.

Passwords handed out by Kirok are one-time: the account must pick its own at the next sign-in.
Second factors are django-otp devices: one TOTP device (RFC 6238) and one static device holding
single-use recovery codes. Lockouts are django-axes records, counted by user name and by address.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kirok.accounts.models import Account
from kirok.accounts.roles import Role, all_roles, assigned_role, get_role

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says what to do instead."""


def _role(code: str) -> Role:
    role = get_role(code)
    if role is None:
        known = ", ".join(r.code for r in all_roles())
        raise AccountError(_("Unknown role %(role)r; the roles are: %(known)s.") % {"role": code, "known": known})
    return role


def _user(username: str):
    User = get_user_model()
    try:
        return User.objects.get(**{User.USERNAME_FIELD: username})
    except User.DoesNotExist:
        raise AccountError(_("No user named %(name)r; `kirok user list` shows them.") % {"name": username}) from None


def one_time_password() -> str:
    """16 URL-safe characters (96 bits), long enough for the password validators."""
    return secrets.token_urlsafe(12)


def _apply_role(user, role: Role) -> None:
    """Django's own flags follow the role: staff only where roles.yaml opens the administration,
    and never superuser, because the superuser flag would bypass every role check."""
    user.is_staff = role.admin_site
    user.is_superuser = False


@transaction.atomic
def create_user(username: str, role_code: str, *, email: str = "") -> tuple[object, str]:
    """A new account with a one-time password, returned once and stored only as its Argon2 hash."""
    role = _role(role_code)
    User = get_user_model()
    if User.objects.filter(**{User.USERNAME_FIELD: username}).exists():
        raise AccountError(
            _("A user named %(name)r exists already; use `kirok user set-role` to change its role.") % {"name": username}
        )
    password = one_time_password()
    user = User(**{User.USERNAME_FIELD: username}, email=email)
    _apply_role(user, role)
    user.set_password(password)
    user.save()
    Account.objects.create(user=user, role=role.code, must_change_password=True)
    return user, password


@transaction.atomic
def ensure_user(username: str, role_code: str) -> tuple[object, str, bool]:
    """Create the account, or give an existing one this role and a fresh one-time password.

    Resetting also drops the account's second factor and lockouts: whoever runs this on the
    server is the person who can recover a lost administrator account.
    """
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        user, password = create_user(username, role_code)
        return user, password, True
    password = one_time_password()
    user.set_password(password)
    user.is_active = True
    user.save()
    set_role(user, role_code)
    _set_must_change_password(user, True)
    reset_two_factor(user)
    unlock(username)
    return user, password, False


@transaction.atomic
def set_role(user, role_code: str) -> Role:
    role = _role(role_code)
    _apply_role(user, role)
    user.save(update_fields=["is_staff", "is_superuser"])
    account, _created = Account.objects.update_or_create(user=user, defaults={"role": role.code})
    user.kirok_account = account  # the cached reverse relation would still hold the old role
    return role


def set_role_by_name(username: str, role_code: str) -> Role:
    return set_role(_user(username), role_code)


def unlock(username: str) -> int:
    """Clear the failed sign-ins counted against this user name; returns how many were cleared."""
    return axes_reset(username=username)


def unlock_address(ip_address: str) -> int:
    return axes_reset(ip=ip_address)


@transaction.atomic
def reset_two_factor(user) -> int:
    """Remove the user's TOTP device and recovery codes: the next sign-in enrols afresh."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        _total, per_model = model.objects.filter(user=user).delete()
        removed += per_model.get(model._meta.label, 0)  # devices, not their cascaded recovery codes
    return removed


def reset_two_factor_by_name(username: str) -> int:
    return reset_two_factor(_user(username))


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_factor(user) -> bool:
    """A role that demands it, or a user who enrolled anyway, must pass the TOTP step."""
    role = assigned_role(user)
    return role is None or role.two_factor or has_two_factor(user)


@transaction.atomic
def start_totp_enrolment(user) -> TOTPDevice:
    """A fresh, unconfirmed TOTP device; earlier unconfirmed attempts are dropped so only the
    secret on screen now can be confirmed."""
    if has_two_factor(user):
        raise AccountError(_("This account has an authenticator already; an administrator can reset it."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def pending_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


@transaction.atomic
def confirm_totp_enrolment(user, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the pending device with a code from the authenticator; on success return it with a
    new set of recovery codes (shown once), else None."""
    device = pending_totp_device(user)
    if device is None or not device.verify_token(token.strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes; each works once in place of a TOTP code."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def verify_second_factor(user, token: str) -> Device | None:
    """The device that accepts this TOTP or recovery code, or None. django-otp throttles each
    device after failures and refuses a TOTP code that was used before."""
    token = "".join(token.split())
    if not token:
        return None
    return match_token(user, token)


def seconds_until_next_try(user) -> int:
    """How long django-otp's throttle makes this user wait after wrong codes (it doubles with
    each failure and persists across sessions, which is what makes guessing codes hopeless)."""
    from django.utils import timezone

    waits = [0]
    for device in (*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)):
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            waits.append(int((info["locked_until"] - timezone.now()).total_seconds()) + 1)
    return max(waits)


def _set_must_change_password(user, value: bool) -> None:
    Account.objects.filter(user=user).update(must_change_password=value)
    account = getattr(user, "kirok_account", None)
    if account is not None:
        account.must_change_password = value  # the copy cached on this user object


def password_changed(user) -> None:
    _set_must_change_password(user, False)


def must_change_password(user) -> bool:
    account = getattr(user, "kirok_account", None)  # cached on the user for the rest of the request
    return bool(account and account.must_change_password)


@dataclass(frozen=True)
class UserRow:
    username: str
    role: str
    active: bool
    two_factor: bool
    must_change_password: bool
    last_login: str


def user_rows() -> list[UserRow]:
    User = get_user_model()
    users = User.objects.select_related("kirok_account").order_by(User.USERNAME_FIELD)
    enrolled = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    rows = []
    for user in users:
        account = getattr(user, "kirok_account", None)
        rows.append(UserRow(
            username=user.get_username(),
            role=account.role if account else "",
            active=user.is_active,
            two_factor=user.pk in enrolled,
            must_change_password=bool(account and account.must_change_password),
            last_login=user.last_login.isoformat(timespec="minutes") if user.last_login else "",
        ))
    return rows
