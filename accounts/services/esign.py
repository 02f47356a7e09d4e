"""E-SIGN consent (15 U.S.C. 7001(c)): a US customer's agreement to receive required
disclosures, such as the Regulation F validation notice, by email instead of by mail."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ApplicationError

from ..codes import AccountsAction, AccountsError
from ..models import ContactPreference, CustomerProfile, User

# Version of the disclosures shown before consent (kept with each consent given).
ESIGN_DISCLOSURE_VERSION = "2026-1"


@transaction.atomic
def esign_consent_give(
    *,
    actor: User,
    profile: CustomerProfile,
    disclosures_acknowledged: bool,
    method: str = "portal",
    now: dt.datetime | None = None,
) -> ContactPreference:
    """Consent after the E-SIGN disclosures were shown (the right to paper copies, to withdraw,
    the scope, how to update the address, the hardware and software needed); recorded with the
    time, the method and the address consented for. Giving it again keeps the first record."""
    if not disclosures_acknowledged:
        raise ApplicationError(
            code=AccountsError.ESIGN_DISCLOSURES_NOT_ACKNOWLEDGED,
            message=_("Please confirm that you have read the disclosures about electronic delivery."),
            field="disclosures_acknowledged",
        )
    if not profile.email:
        raise ApplicationError(
            code=AccountsError.ESIGN_NO_EMAIL,
            message=_("We have no email address for you: electronic delivery needs one."),
        )
    preference, _created = ContactPreference.objects.select_for_update().get_or_create(profile=profile)
    if preference.has_esign_consent and preference.esign_consent_email.lower() == profile.email.lower():
        return preference
    preference.esign_consent_at = now or timezone.now()
    preference.esign_consent_method = f"{method}:{ESIGN_DISCLOSURE_VERSION}"[:40]
    preference.esign_consent_email = profile.email
    preference.esign_withdrawn_at = None
    preference.save(
        update_fields=[
            "esign_consent_at",
            "esign_consent_method",
            "esign_consent_email",
            "esign_withdrawn_at",
            "updated_at",
        ]
    )
    audit_record(
        action=AccountsAction.ESIGN_CONSENT_GIVEN,
        actor=actor,
        obj=preference,
        subject_user_id=profile.user_id,
        data={"method": preference.esign_consent_method, "email": profile.email},
    )
    return preference


@transaction.atomic
def esign_consent_withdraw(
    *, actor: User, profile: CustomerProfile, now: dt.datetime | None = None
) -> ContactPreference:
    """Withdraw consent: disclosures go by mail again from the next one sent."""
    preference, _created = ContactPreference.objects.select_for_update().get_or_create(profile=profile)
    if not preference.has_esign_consent:
        return preference
    preference.esign_withdrawn_at = now or timezone.now()
    preference.save(update_fields=["esign_withdrawn_at", "updated_at"])
    audit_record(
        action=AccountsAction.ESIGN_CONSENT_WITHDRAWN,
        actor=actor,
        obj=preference,
        subject_user_id=profile.user_id,
        data={"consented_at": preference.esign_consent_at},
    )
    return preference
