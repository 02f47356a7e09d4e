"""Unmasking a customer's personal data on the case page: an audited action with a reason."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import CustomerProfile, User
from accounts.roles import VIEW_PII
from accounts.services import customer_pii_view
from core.errors import ApplicationError, ForbiddenError

from ..codes import CasesError

MIN_REASON = 5


@transaction.atomic
def customer_unmask(*, actor: User, profile: CustomerProfile, reason: str) -> dict[str, Any]:
    """Show a customer's personal data in full to a role that may see it
    (``accounts.view_customer_pii``; never an agency), for the reason the staff member gives.
    The viewing is written to the audit trail as ``pii.viewed`` with that reason (PIPL art. 6
    and 51: access limited to what the purpose needs, and recorded)."""
    if not actor.has_perm(VIEW_PII):
        raise ForbiddenError(code=CasesError.NOT_ALLOWED, message=_("Your role does not allow seeing personal data."))
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise ApplicationError(
            code=CasesError.REASON_MISSING,
            message=_("Please give the reason (at least 5 characters)."),
            field="reason",
        )
    return customer_pii_view(actor=actor, profile=profile, purpose="staff_case_page", reason=reason[:300])
