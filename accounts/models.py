"""Users, customer profiles (personal data, encrypted where sensitive) and staff profiles."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError

from .codes import AccountsError
from .crypto import decrypt_text
from .masking import mask_phone


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class Jurisdiction(models.TextChoices):
    CN = "CN", _("China (GB/T 45251-2025, CBA 2026 guideline)")
    US_REGF = "US-REGF", _("United States (Regulation F, 12 CFR 1006)")


@lru_cache(maxsize=1)
def _iana_zones() -> frozenset[str]:
    # available_timezones() walks the zone database's files on every call (~0.1 s): once per
    # process is enough (a bulk import of customers validates one zone per row).
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _iana_zones():
        raise ValidationError(_("%(value)s is not an IANA time zone."), params={"value": value})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str | None, phone: str | None, password: str | None, **extra: Any) -> User:
        if not email and not phone:
            raise ValueError("A user needs an email address or a mobile number.")
        user = self.model(email=self.normalize_email(email).lower() if email else None, phone=phone or None, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str | None = None, password: str | None = None, phone: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, phone, password, **extra)

    def create_superuser(self, email: str | None = None, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, extra.pop("phone", None), password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Logs in with an email address or a mainland mobile number (stored as E.164)."""

    email = models.EmailField(_("email address"), unique=True, null=True, blank=True)
    phone = models.CharField(_("mobile number"), max_length=20, unique=True, null=True, blank=True)
    full_name = models.CharField(_("name"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False), name="user_has_login_identifier"
            )
        ]
        permissions = [
            ("access_staff_area", _("Can use the staff area")),
            ("view_customer_pii", _("Can view customers' personal data unmasked")),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone or f"user {self.pk}"

    @property
    def login_identifier(self) -> str:
        return self.email or self.phone or ""


class CustomerProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="customer_profile")
    customer_number = models.CharField(_("customer number"), max_length=20, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=150)
    national_id_encrypted = models.TextField(_("national ID number (encrypted)"), blank=True)
    national_id_masked = models.CharField(_("national ID number"), max_length=40, blank=True)
    national_id_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    alternate_phones = models.JSONField(_("other phone numbers of the customer"), default=list, blank=True)
    email = models.EmailField(_("email"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_timezone])
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=10, choices=Jurisdiction.choices, default=Jurisdiction.CN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the retention job has erased the personal data (accounts.services.anonymise).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer profile")
        verbose_name_plural = _("customer profiles")
        ordering = ["customer_number"]

    def __str__(self) -> str:
        # Shown in lists, selects and logs: never the full name.
        return f"{self.customer_number} {self.masked_name}"

    def national_id_plain(self) -> str:
        """Decrypt: call only from a service that records the access."""
        return decrypt_text(self.national_id_encrypted) if self.national_id_encrypted else ""

    @property
    def masked_name(self) -> str:
        name = self.legal_name
        return name[:1] + "*" * max(len(name) - 1, 1) if name else ""

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class EmergencyContact(models.Model):
    """A third party: may be contacted only as the compliance rules allow, never told of the debt."""

    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="emergency_contacts")
    name = models.CharField(_("name"), max_length=150)
    relationship = models.CharField(_("relationship"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    is_third_party = models.BooleanField(_("third party"), default=True, editable=False)
    refused_contact = models.BooleanField(_("asked not to be contacted"), default=False)

    class Meta:
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")
        constraints = [
            models.CheckConstraint(condition=Q(is_third_party=True), name="emergency_contact_is_third_party")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"


class StaffProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="staff_profile")
    badge_number = models.CharField(_("badge number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} #{self.badge_number}"


class ContactChannel(models.TextChoices):
    SMS = "sms", _("Text message (SMS)")
    EMAIL = "email", _("Email")
    CALL = "call", _("Phone call")
    IN_APP = "in_app", _("In-app message")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Home visit")


# Formal notices the law requires us to deliver in writing cannot be refused by opting out
# of their channel; they still go by letter and in the app.
LEGALLY_REQUIRED_CHANNELS = (ContactChannel.LETTER, ContactChannel.IN_APP)

# At most this many inconvenient-time ranges per customer (form, model and every save).
MAX_INCONVENIENT_TIMES = 10


def too_many_time_ranges_error() -> ApplicationError:
    return ApplicationError(
        code=AccountsError.TOO_MANY_TIME_RANGES,
        message=_("Please give at most %(max)s inconvenient time ranges.") % {"max": MAX_INCONVENIENT_TIMES},
        field="inconvenient_times",
    )


class ContactPreference(models.Model):
    """How a customer wants to be contacted; read by the contact-compliance engine."""

    profile = models.OneToOneField(CustomerProfile, on_delete=models.CASCADE, related_name="contact_preference")
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=ContactChannel.choices, default=ContactChannel.SMS
    )
    opt_outs = models.JSONField(_("channels refused"), default=list, blank=True)
    inconvenient_times = models.JSONField(
        _("inconvenient times"), default=list, blank=True, help_text=_('Local time ranges such as "12:00-13:30".')
    )
    late_contact_consent = models.BooleanField(_("agreed to contact in the quiet hours"), default=False)
    cease_requested_on = models.DateField(_("asked in writing to stop contact on"), null=True, blank=True)
    attorney_name = models.CharField(_("represented by (attorney)"), max_length=150, blank=True)
    # 12 CFR 1006.6(b)(3): known or reason to know; rows inserted in bulk get the default too.
    employer_prohibits_work_contact = models.BooleanField(
        _("employer prohibits collection contact at work"), default=False, db_default=False
    )
    reduced_contact_limits = models.BooleanField(
        _("reduced contact limits (complaint about contact frequency under review)"), default=False
    )
    # E-SIGN (15 U.S.C. 7001(c)) consent to receive required disclosures electronically,
    # given after the disclosures were shown; withdrawn at any time (then by mail again).
    esign_consent_at = models.DateTimeField(_("consented to electronic disclosures at"), null=True, blank=True)
    esign_consent_method = models.CharField(
        _("how consent was given"), max_length=40, blank=True, default="", db_default=""
    )
    esign_consent_email = models.EmailField(_("email address consented for"), blank=True, default="", db_default="")
    esign_withdrawn_at = models.DateTimeField(_("electronic consent withdrawn at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self) -> str:
        return f"{self.profile_id} prefers {self.preferred_channel}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuses lists beyond their caps whichever path writes them (form, service, admin)."""
        error = self._list_limits_error()
        if error is not None:
            raise error
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        error = self._list_limits_error()
        if error is not None:
            raise ValidationError({"inconvenient_times": str(error.message)}, code=error.code)

    @property
    def has_esign_consent(self) -> bool:
        return self.esign_consent_at is not None and self.esign_withdrawn_at is None

    def _list_limits_error(self) -> ApplicationError | None:
        if len(self.inconvenient_times or []) > MAX_INCONVENIENT_TIMES:
            return too_many_time_ranges_error()
        return None


class LoginCode(models.Model):
    """A one-time SMS code for signing in (stored hashed; short-lived; few tries)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"login code for {self.user_id}"


# API clients, tokens, idempotent answers and webhooks: kept apart for size.
from .models_api import ApiClient as ApiClient  # noqa: E402
from .models_api import ApiToken as ApiToken  # noqa: E402
from .models_api import IdempotentRequest as IdempotentRequest  # noqa: E402
from .models_api import WebhookDelivery as WebhookDelivery  # noqa: E402
from .models_api import WebhookEndpoint as WebhookEndpoint  # noqa: E402
