"""The retention job: once a customer's records have passed their retention, the communication
records about them are deleted and their personal data anonymised (PIPL: no longer than needed).

A customer is due on ``on_date`` when all of these hold:

* every contract is closed (paid off or charged off) and none started within the window;
* no collection activity on any of them, and no communication about no contract, within
  ``customer_retention_years()`` (``CUSTOMER_RETENTION_YEARS``, never fewer than the
  communication records' ``COMMUNICATION_RETENTION_YEARS``, itself at least 3 years after the
  last collection activity: 12 CFR 1006.100), by the activity rules of ``notices.retention``;
* the customer was created before the window and is not anonymised yet.

Then, customer by customer and each in one transaction, the communication records (delivery
receipts, notices with what they own, contact attempts, in-app messages) are deleted through
``communication_records_delete`` (which refuses anything still held) and the profile is
anonymised (``accounts.services.customer_anonymise``). Both write audit events; nothing in the
audit log is changed, so ``audit_verify`` still passes. Re-running the job the same day finds
nobody left: it is idempotent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import CustomerProfile
from accounts.services import customer_anonymise
from contracts.limitation import add_years
from contracts.models import Contract, ContractStatus

from .models import ContactAttempt, DeliveryReceipt, InAppMessage, Notice
from .retention import _start_of, communication_records_delete, customers_under_retention, retention_years

CLOSED = (ContractStatus.PAID_OFF, ContractStatus.CHARGED_OFF)
REASON = "retention period passed"


def customer_retention_years() -> int:
    """Years a closed customer's records are kept after the last activity (at least the
    communication records' retention)."""
    return max(retention_years(), int(settings.CUSTOMER_RETENTION_YEARS))


def customers_due_for_anonymisation(*, on_date: dt.date) -> QuerySet[CustomerProfile]:
    """The customers the job anonymises on ``on_date`` (module docstring): one query."""
    years = customer_retention_years()
    cutoff = add_years(on_date, -years)
    customer = OuterRef("pk")
    open_or_recent = Contract.objects.filter(customer=customer).filter(
        ~Q(status__in=CLOSED) | Q(start_date__gte=cutoff)
    )
    held = customers_under_retention(on_date=on_date, years=years)
    return (
        CustomerProfile.objects.filter(anonymised_at__isnull=True, created_at__lt=_start_of(cutoff))
        .exclude(Exists(open_or_recent))
        .exclude(pk__in=held.values("pk"))
        .order_by("pk")
    )


@dataclass(frozen=True)
class RetentionReport:
    customers_anonymised: int
    records_deleted: int


def retention_run(*, on_date: dt.date) -> RetentionReport:
    """Delete the due customers' communication records and anonymise them (module docstring)."""
    customers = 0
    deleted = 0
    for profile in customers_due_for_anonymisation(on_date=on_date).iterator():
        with transaction.atomic():
            notices = Notice.objects.filter(customer=profile)
            provider_ids = notices.exclude(provider_message_id="").values("provider_message_id")
            for queryset in (
                DeliveryReceipt.objects.filter(provider_message_id__in=provider_ids),
                notices,
                ContactAttempt.objects.filter(customer=profile),
                InAppMessage.objects.filter(customer=profile),
            ):
                if queryset.exists():
                    deleted += communication_records_delete(
                        actor=None, queryset=queryset, reason=REASON, on_date=on_date
                    )
            customer_anonymise(actor=None, profile=profile, reason=REASON)
            customers += 1
    return RetentionReport(customers_anonymised=customers, records_deleted=deleted)
