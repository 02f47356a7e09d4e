"""Erasing a customer's personal data once nothing requires keeping it (PIPL art. 19 and 47:
kept no longer than the purpose needs, then deleted or anonymised).

What is erased: the profile's name, national ID (ciphertext, mask and lookup digest), phone
numbers, email and postal address; the emergency contacts; the login (name, email and phone
replaced by an address under the reserved ``.invalid`` domain, no usable password, inactive).
What stays: the customer number and everything financial (contracts, ledger, payments), which
carry no personal data, and the audit log, which is append-only and records masked values only,
so it still verifies. The retention job (``notices.retention_job``) decides who is due.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.codes import AccountsAction
from audit.services import audit_record

from ..models import CustomerProfile, EmergencyContact, User

ANONYMISED_DOMAIN = "anonymised.invalid"
ERASED_FIELDS = ("legal_name", "national_id", "phone", "alternate_phones", "email", "postal_address")


def anonymised_name(customer_number: str) -> str:
    return f"— {customer_number}"


@transaction.atomic
def customer_anonymise(*, actor: User | None, profile: CustomerProfile, reason: str) -> CustomerProfile:
    """Erase ``profile``'s personal data (module docstring) and audit it; a second call is a no-op."""
    profile = CustomerProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if profile.anonymised_at is not None:
        return profile
    contacts = EmergencyContact.objects.filter(profile=profile).count()
    profile.legal_name = anonymised_name(profile.customer_number)
    profile.national_id_encrypted = ""
    profile.national_id_masked = ""
    profile.national_id_digest = ""
    profile.phone = ""
    profile.alternate_phones = []
    profile.email = ""
    profile.postal_address = ""
    profile.anonymised_at = timezone.now()
    profile.save()
    EmergencyContact.objects.filter(profile=profile).delete()
    user = profile.user
    user.email = f"{profile.customer_number.lower()}@{ANONYMISED_DOMAIN}"
    user.phone = None
    user.full_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    audit_record(
        action=AccountsAction.CUSTOMER_ANONYMISED,
        actor=actor,
        obj=profile,
        data={
            "customer_number": profile.customer_number,
            "erased": list(ERASED_FIELDS),
            "emergency_contacts_deleted": contacts,
            "reason": reason,
        },
    )
    return profile
