"""Writes for users, customers, staff and roles. Each writes its audit event."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.codes import AccountsAction, AccountsError
from audit.services import audit_record
from core.errors import ApplicationError

from ..crypto import encrypt_text, keyed_digest, mask_national_id
from ..identifiers import normalise_mainland_mobile, normalise_phone
from ..models import (
    LEGALLY_REQUIRED_CHANNELS,
    ContactChannel,
    ContactPreference,
    CustomerProfile,
    EmergencyContact,
    Jurisdiction,
    Language,
    LoginCode,
    StaffProfile,
    User,
)
from ..roles import ROLE_PERMISSIONS, Role
from ..validators import validate_cn_resident_id


@transaction.atomic
def roles_sync(*, actor: User | None = None) -> list[str]:
    """Make every role group hold exactly the permissions ROLE_PERMISSIONS names."""
    changed: list[str] = []
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=role)
        wanted = set()
        for name in perm_names:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.add(perm.pk)
        current = set(group.permissions.values_list("pk", flat=True))
        if created or wanted != current:
            group.permissions.set(wanted)
            changed.append(str(role))
    if changed:
        audit_record(action=AccountsAction.ROLES_SYNCED, actor=actor, object_type="auth.group", data={"roles": changed})
    return changed


def _clean_national_id(national_id: str, jurisdiction: str) -> str:
    national_id = national_id.strip().upper()
    if national_id and jurisdiction == Jurisdiction.CN:
        national_id = validate_cn_resident_id(national_id)
    return national_id


@transaction.atomic
def customer_create(
    *,
    actor: User | None,
    legal_name: str,
    password: str | None,
    email: str = "",
    phone: str = "",
    national_id: str = "",
    postal_address: str = "",
    timezone: str = "Asia/Shanghai",
    language: str = Language.ZH_HANS,
    jurisdiction: str = Jurisdiction.CN,
) -> CustomerProfile:
    """Open a customer login and profile. The national ID is stored only encrypted."""
    try:
        phone_e164 = (
            normalise_mainland_mobile(phone)
            if phone and jurisdiction == Jurisdiction.CN
            else (normalise_phone(phone, "US") if phone else "")
        )
        national_id = _clean_national_id(national_id, jurisdiction)
    except ValidationError as exc:
        raise ApplicationError(code=exc.code or "invalid", message=exc.messages[0]) from exc
    email = email.strip().lower()
    if email and User.objects.filter(email=email).exists():
        raise ApplicationError(
            code=AccountsError.EMAIL_TAKEN, message=_("A user with this email address already exists.")
        )
    if phone_e164 and User.objects.filter(phone=phone_e164).exists():
        raise ApplicationError(
            code=AccountsError.PHONE_TAKEN, message=_("A user with this mobile number already exists.")
        )
    user = User.objects.create_user(
        email=email or None, phone=phone_e164 or None, password=password, full_name=legal_name, language=language
    )
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    profile = CustomerProfile(
        user=user,
        customer_number=f"C{user.pk:08d}",
        legal_name=legal_name,
        phone=phone_e164,
        email=email,
        postal_address=postal_address,
        timezone=timezone,
        language=language,
        jurisdiction=jurisdiction,
    )
    if national_id:
        profile.national_id_encrypted = encrypt_text(national_id)
        profile.national_id_masked = mask_national_id(national_id)
        profile.national_id_digest = keyed_digest(national_id)
    profile.full_clean(exclude=["user"])
    profile.save()
    audit_record(
        action=AccountsAction.CUSTOMER_CREATED,
        actor=actor,
        obj=profile,
        subject_user_id=user.pk,
        data={"customer_number": profile.customer_number, "jurisdiction": jurisdiction},
    )
    return profile


@transaction.atomic
def emergency_contact_add(
    *, actor: User | None, profile: CustomerProfile, name: str, relationship: str, phone: str
) -> EmergencyContact:
    contact = EmergencyContact.objects.create(profile=profile, name=name, relationship=relationship, phone=phone)
    audit_record(
        action=AccountsAction.CUSTOMER_EMERGENCY_CONTACT_ADDED,
        actor=actor,
        obj=contact,
        subject_user_id=profile.user_id,
        data={"relationship": relationship},
    )
    return contact


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    email: str,
    full_name: str,
    password: str | None,
    role: Role | str,
    badge_number: str,
    title: str = "",
) -> User:
    """Create a staff user in one role. Two-factor set-up happens at first login."""
    role = Role(role)
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, is_staff=True, is_superuser=(role == Role.ADMIN)
    )
    group, _unused = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    StaffProfile.objects.create(user=user, badge_number=badge_number, title=title)
    audit_record(
        action=AccountsAction.STAFF_CREATED, actor=actor, obj=user, data={"role": str(role), "badge": badge_number}
    )
    return user


@transaction.atomic
def customer_pii_view(*, actor: User, profile: CustomerProfile, purpose: str, reason: str = "") -> dict[str, Any]:
    """Reveal a customer's personal data to staff; the viewing itself is audited, with the
    reason the staff member gave when there is one."""
    data: dict[str, Any] = {
        "purpose": purpose,
        "fields": ["legal_name", "national_id", "phone", "email", "postal_address"],
    }
    if reason:
        data["reason"] = reason
    audit_record(action=AccountsAction.PII_VIEWED, actor=actor, obj=profile, subject_user_id=profile.user_id, data=data)
    return {
        "legal_name": profile.legal_name,
        "national_id": profile.national_id_plain(),
        "phone": profile.phone,
        "email": profile.email,
        "postal_address": profile.postal_address,
    }


@transaction.atomic
def user_language_set(*, actor: User, language: str) -> User:
    language = Language(language)
    before = actor.language
    actor.language = language
    actor.save(update_fields=["language"])
    profile = CustomerProfile.objects.filter(user=actor).first()
    if profile is not None:
        profile.language = language
        profile.save(update_fields=["language", "updated_at"])
    audit_record(
        action=AccountsAction.USER_LANGUAGE_SET, actor=actor, obj=actor, data={"before": before, "after": str(language)}
    )
    return actor


@transaction.atomic
def contact_preference_update(
    *,
    actor: User,
    profile: CustomerProfile,
    preferred_channel: str,
    opt_outs: list[str],
    inconvenient_times: list[str],
    language: str | None = None,
) -> ContactPreference:
    """The customer's choices, effective for the next notice. Letters and in-app notices are
    how legally required notices reach the customer, so they cannot be refused."""
    allowed = {c.value for c in ContactChannel} - {c.value for c in LEGALLY_REQUIRED_CHANNELS} - {ContactChannel.VISIT}
    refused = sorted(set(opt_outs))
    if not set(refused) <= allowed:
        raise ApplicationError(
            code=AccountsError.OPT_OUT_NOT_ALLOWED, message=_("Letters and in-app notices cannot be switched off.")
        )
    if preferred_channel in refused:
        raise ApplicationError(
            code=AccountsError.PREFERRED_CHANNEL_REFUSED,
            message=_("Your preferred channel cannot also be switched off."),
        )
    ranges = []
    for text in inconvenient_times:
        text = text.strip()
        if not text:
            continue
        try:
            start, end = (part.strip() for part in text.split("-"))
            for part in (start, end):
                hours, minutes = (int(x) for x in part.split(":"))
                if not (0 <= hours < 24 and 0 <= minutes < 60):
                    raise ValueError(part)
        except ValueError as exc:
            raise ApplicationError(
                code=AccountsError.INVALID_TIME_RANGE, message=_("Write time ranges like 12:00-13:30.")
            ) from exc
        ranges.append(f"{start}-{end}")
    preference, _created = ContactPreference.objects.select_for_update().get_or_create(profile=profile)
    before = {
        "preferred": preference.preferred_channel,
        "opt_outs": preference.opt_outs,
        "quiet": preference.inconvenient_times,
    }
    preference.preferred_channel = ContactChannel(preferred_channel)
    preference.opt_outs = refused
    preference.inconvenient_times = ranges
    preference.save(update_fields=["preferred_channel", "opt_outs", "inconvenient_times", "updated_at"])
    audit_record(
        action=AccountsAction.CONTACT_PREFERENCE_UPDATED,
        actor=actor,
        obj=preference,
        subject_user_id=profile.user_id,
        data={"before": before, "after": {"preferred": preferred_channel, "opt_outs": refused, "quiet": ranges}},
    )
    if language and language != profile.user.language:
        user_language_set(actor=profile.user, language=language)
    return preference


LOGIN_CODE_TTL = dt.timedelta(minutes=5)
LOGIN_CODE_MAX_ATTEMPTS = 5
LOGIN_CODE_MIN_INTERVAL = dt.timedelta(seconds=60)
LOGIN_CODES_PER_HOUR = 5


def _code_hash(user_id: int, code: str) -> str:
    return keyed_digest(f"login-code:{user_id}:{code}")


@transaction.atomic
def login_code_issue(*, phone: str, now: dt.datetime | None = None) -> tuple[User | None, str | None]:
    """A 6-digit code for the customer with this mobile number, or (None, None) when there
    is no such customer or the number asked too often (the page answers the same either way)."""
    now = now or timezone.now()
    try:
        e164 = normalise_mainland_mobile(phone)
    except ValidationError:
        return None, None
    user = User.objects.select_for_update().filter(phone=e164, is_active=True, is_staff=False).first()
    if user is None:
        return None, None
    recent = LoginCode.objects.filter(user=user, created_at__gte=now - dt.timedelta(hours=1))
    if recent.count() >= LOGIN_CODES_PER_HOUR or recent.filter(created_at__gte=now - LOGIN_CODE_MIN_INTERVAL).exists():
        audit_record(
            action=AccountsAction.AUTH_LOGIN_CODE_THROTTLED,
            actor=None,
            obj=user,
            subject_user_id=user.pk,
            system="login",
        )
        return None, None
    code = f"{secrets.randbelow(1_000_000):06d}"
    LoginCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)  # one live code at a time
    LoginCode.objects.create(
        user=user, code_hash=_code_hash(user.pk, code), created_at=now, expires_at=now + LOGIN_CODE_TTL
    )
    audit_record(
        action=AccountsAction.AUTH_LOGIN_CODE_ISSUED, actor=None, obj=user, subject_user_id=user.pk, system="login"
    )
    return user, code


@transaction.atomic
def login_code_check(*, phone: str, code: str, now: dt.datetime | None = None) -> User | None:
    now = now or timezone.now()
    try:
        e164 = normalise_mainland_mobile(phone)
    except ValidationError:
        return None
    user = User.objects.filter(phone=e164, is_active=True, is_staff=False).first()
    if user is None:
        return None
    live = (
        LoginCode.objects.select_for_update()
        .filter(user=user, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if live is None:
        return None
    if live.attempts >= LOGIN_CODE_MAX_ATTEMPTS:
        return None
    if not hmac.compare_digest(live.code_hash, _code_hash(user.pk, code.strip())):
        live.attempts += 1
        live.save(update_fields=["attempts"])
        return None
    live.used_at = now
    live.save(update_fields=["used_at"])
    return user


from .admin_edits import (  # noqa: E402
    USER_ADMIN_FIELDS,
    customer_profile_admin_save,
    user_admin_save,
    user_roles_set,
)
from .anonymise import customer_anonymise  # noqa: E402
from .two_factor import (  # noqa: E402
    BACKUP_CODE_COUNT,
    BACKUP_DEVICE_NAME,
    backup_codes_regenerate,
    otp_token_verify,
    totp_device_confirm,
    totp_device_replace,
    totp_device_start,
    two_factor_reset,
)

__all__ = [
    "BACKUP_CODE_COUNT",
    "BACKUP_DEVICE_NAME",
    "LOGIN_CODES_PER_HOUR",
    "LOGIN_CODE_MAX_ATTEMPTS",
    "LOGIN_CODE_MIN_INTERVAL",
    "LOGIN_CODE_TTL",
    "USER_ADMIN_FIELDS",
    "backup_codes_regenerate",
    "contact_preference_update",
    "customer_anonymise",
    "customer_create",
    "customer_pii_view",
    "customer_profile_admin_save",
    "emergency_contact_add",
    "login_code_check",
    "login_code_issue",
    "otp_token_verify",
    "roles_sync",
    "staff_create",
    "totp_device_confirm",
    "totp_device_replace",
    "totp_device_start",
    "two_factor_reset",
    "user_admin_save",
    "user_language_set",
    "user_roles_set",
]
