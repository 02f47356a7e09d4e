"""Two-factor authentication for staff: enrolment (only without a confirmed device), verification,
device replacement after a current code, backup codes, and the administrator's audited reset."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.codes import AccountsAction, AccountsError
from audit.services import audit_record
from core.errors import ApplicationError, ForbiddenError

from ..models import (
    User,
)
from ..selectors import user_is_admin

P = ParamSpec("P")
T = TypeVar("T")


BACKUP_CODE_COUNT = 10
BACKUP_DEVICE_NAME = "backup"


def _committing_refusals(service: Callable[P, T | ApplicationError]) -> Callable[P, T]:
    """``@transaction.atomic`` for a service that returns its refusal instead of raising it: the
    refusal's audit event (and throttling counters) commit, and then the error is raised."""
    atomic_service = transaction.atomic(service)

    @wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        result = atomic_service(*args, **kwargs)
        if isinstance(result, ApplicationError):
            raise result
        return result

    return wrapper


def _refuse(
    action: AccountsAction,
    *,
    actor: User,
    error: type[ApplicationError] = ApplicationError,
    code: AccountsError,
    message: str,
    field: str | None = None,
    subject: User | None = None,
    data: dict[str, Any] | None = None,
) -> ApplicationError:
    subject = subject or actor
    audit_record(
        action=action, actor=actor, obj=subject, subject_user_id=subject.pk, data={"code": str(code), **(data or {})}
    )
    return error(code=code, message=message, field=field)


def _verified_by(actor: User, device: Device | None) -> bool:
    """Whether ``device`` (the one the session was verified with) is a confirmed device of ``actor``."""
    if device is None or getattr(device, "user_id", None) != actor.pk:
        return False
    return type(device).objects.filter(pk=device.pk, user=actor, confirmed=True).exists()


def _not_verified(action: AccountsAction, *, actor: User) -> ApplicationError:
    return _refuse(
        action,
        actor=actor,
        code=AccountsError.NOT_VERIFIED,
        message=_("Enter a code from your authenticator app first."),
    )


def _match_token(actor: User, token: str) -> Device | None:
    """The confirmed device of ``actor`` that accepts ``token`` (a TOTP code, or a backup code,
    which is used up), or None. Each accepted code is audited; the caller audits a failure."""
    token = token.strip()
    for totp_device in TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).order_by("pk"):
        if totp_device.verify_token(token):
            audit_record(action=AccountsAction.AUTH_OTP_VERIFIED, actor=actor, obj=totp_device)
            return totp_device
    backup = StaticDevice.objects.select_for_update().filter(user=actor, confirmed=True).order_by("pk").first()
    if backup is not None and backup.verify_token(token.lower().replace(" ", "").replace("-", "")):
        remaining = backup.token_set.count()
        audit_record(
            action=AccountsAction.AUTH_BACKUP_CODE_USED,
            actor=actor,
            obj=backup,
            subject_user_id=actor.pk,
            data={"remaining": remaining},
        )
        return backup
    return None


def _backup_codes_issue(*, actor: User, cause: str) -> list[str]:
    """Replace the user's backup codes with BACKUP_CODE_COUNT new ones (shown to the user once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=actor, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes: set[str] = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in sorted(codes))
    audit_record(
        action=AccountsAction.AUTH_BACKUP_CODES_ISSUED,
        actor=actor,
        obj=device,
        subject_user_id=actor.pk,
        data={"count": BACKUP_CODE_COUNT, "cause": cause},
    )
    return sorted(codes)


def _invalid_new_token(action: AccountsAction, *, actor: User, device: TOTPDevice) -> ApplicationError:
    return _refuse(
        action,
        actor=actor,
        code=AccountsError.INVALID_TOKEN,
        message=_("That code is not valid. Check the clock of your authenticator app and try again."),
        field="token",
        data={"device": device.pk},
    )


@_committing_refusals
def totp_device_start(*, actor: User, verified_with: Device | None = None) -> TOTPDevice | ApplicationError:
    """The user's one unconfirmed TOTP device, created on first call and reused (same secret)
    until confirmed. Refused when the user already has a confirmed device, unless the session
    was verified with it (``verified_with``) to replace it."""
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one set-up at a time per user
    if user_has_device(actor, confirmed=True) and not _verified_by(actor, verified_with):
        return _refuse(
            AccountsAction.AUTH_TOTP_SETUP_REFUSED,
            actor=actor,
            code=AccountsError.TWO_FACTOR_ALREADY_SET_UP,
            message=_(
                "Two-factor authentication is already set up for this account. Enter a code from your "
                "authenticator app or a backup code. If you have lost both, ask an administrator to reset it."
            ),
        )
    unconfirmed = list(TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("pk"))
    if unconfirmed:
        TOTPDevice.objects.filter(pk__in=[extra.pk for extra in unconfirmed[1:]]).delete()
        return unconfirmed[0]
    device = TOTPDevice.objects.create(user=actor, name="default", confirmed=False)
    audit_record(action=AccountsAction.AUTH_TOTP_SETUP_STARTED, actor=actor, obj=device)
    return device


@_committing_refusals
def totp_device_confirm(
    *, actor: User, device: TOTPDevice, token: str
) -> tuple[TOTPDevice, list[str]] | ApplicationError:
    """First enrolment: confirm the device with one code from it; returns it and the new backup
    codes. Refused when the user already has a confirmed device (replacing one needs
    totp_device_replace)."""
    if user_has_device(actor, confirmed=True):
        return _refuse(
            AccountsAction.AUTH_TOTP_SETUP_REFUSED,
            actor=actor,
            code=AccountsError.TWO_FACTOR_ALREADY_SET_UP,
            message=_("Two-factor authentication is already set up for this account."),
        )
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor, confirmed=False)
    if not device.verify_token(token.strip()):
        return _invalid_new_token(AccountsAction.AUTH_TOTP_SETUP_FAILED, actor=actor, device=device)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action=AccountsAction.AUTH_TOTP_CONFIRMED, actor=actor, obj=device)
    return device, _backup_codes_issue(actor=actor, cause="totp_confirmed")


@_committing_refusals
def totp_device_replace(
    *, actor: User, verified_with: Device | None, device: TOTPDevice, current_token: str, token: str
) -> tuple[TOTPDevice, list[str]] | ApplicationError:
    """From a verified session, with a current code (or a backup code) asked again: confirm the
    new device, delete the old ones and issue new backup codes."""
    if not _verified_by(actor, verified_with):
        return _not_verified(AccountsAction.AUTH_TOTP_REPLACE_FAILED, actor=actor)
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor, confirmed=False)
    # The new code first, so that a mistyped one does not use up a backup code given as current.
    if not device.verify_token(token.strip()):
        return _invalid_new_token(AccountsAction.AUTH_TOTP_REPLACE_FAILED, actor=actor, device=device)
    if _match_token(actor, current_token) is None:
        return _refuse(
            AccountsAction.AUTH_TOTP_REPLACE_FAILED,
            actor=actor,
            code=AccountsError.CURRENT_TOKEN_INVALID,
            message=_("That is not a valid code of your current authenticator app or a backup code."),
            field="current_token",
        )
    old = TOTPDevice.objects.filter(user=actor, confirmed=True)
    replaced = sorted(old.values_list("pk", flat=True))
    old.delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action=AccountsAction.AUTH_TOTP_REPLACED, actor=actor, obj=device, data={"replaced": replaced})
    return device, _backup_codes_issue(actor=actor, cause="totp_replaced")


@_committing_refusals
def backup_codes_regenerate(*, actor: User, verified_with: Device | None) -> list[str] | ApplicationError:
    """New backup codes (the old ones stop working), from a verified session only."""
    if not _verified_by(actor, verified_with):
        return _not_verified(AccountsAction.AUTH_BACKUP_CODES_ISSUED, actor=actor)
    return _backup_codes_issue(actor=actor, cause="regenerated")


@_committing_refusals
def otp_token_verify(*, actor: User, token: str) -> Device | ApplicationError:
    """Verify a session: a code of the user's TOTP device, or one of their backup codes (each
    works once). Every attempt is audited."""
    device = _match_token(actor, token)
    if device is None:
        return _refuse(
            AccountsAction.AUTH_OTP_FAILED,
            actor=actor,
            code=AccountsError.INVALID_TOKEN,
            message=_("That code is not valid. Check the clock of your authenticator app and try again."),
            field="token",
        )
    return device


@_committing_refusals
def two_factor_reset(*, actor: User, user: User, reason: str) -> User | ApplicationError:
    """An administrator deletes another user's two-factor devices and backup codes (a lost
    phone), so the user enrols again at next login. Audited with the reason."""
    reason = reason.strip()
    refusal: tuple[type[ApplicationError], AccountsError, str] | None = None
    if not user_is_admin(actor):
        refusal = (
            ForbiddenError,
            AccountsError.TWO_FACTOR_RESET_NOT_ALLOWED,
            _("Only an administrator can reset two-factor authentication."),
        )
    elif user.pk == actor.pk:
        refusal = (
            ForbiddenError,
            AccountsError.TWO_FACTOR_RESET_OWN,
            _("You cannot reset your own two-factor authentication; ask another administrator."),
        )
    elif not reason:
        refusal = (ApplicationError, AccountsError.REASON_REQUIRED, _("Give the reason for the reset."))
    if refusal is not None:
        error, code, message = refusal
        return _refuse(
            AccountsAction.AUTH_TWO_FACTOR_RESET_REFUSED,
            actor=actor,
            error=error,
            code=code,
            message=message,
            field="reason" if code == AccountsError.REASON_REQUIRED else None,
            subject=user,
        )
    totp_deleted, _totp_rows = TOTPDevice.objects.filter(user=user).delete()
    backup_devices = StaticDevice.objects.filter(user=user)
    backup_codes = StaticToken.objects.filter(device__in=backup_devices).count()
    backup_devices.delete()
    audit_record(
        action=AccountsAction.AUTH_TWO_FACTOR_RESET,
        actor=actor,
        obj=user,
        subject_user_id=user.pk,
        data={"reason": reason, "totp_devices": totp_deleted, "backup_codes": backup_codes},
    )
    return user
