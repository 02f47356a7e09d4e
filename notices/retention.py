"""Record retention (12 CFR 1006.100): every communication record is kept at least
``COMMUNICATION_RETENTION_YEARS`` (never fewer than 3) years after the last collection activity
on the debt. The retention job of a later release deletes only what ``retention_hold`` no longer
holds, and only through ``communication_records_delete``.

**Communication records**: notices (the outbox, with the exact text), contact attempts (every
delivery attempt, call and visit), in-app messages, call tasks and SMS delivery receipts.

**Last collection activity on a debt** (a contract), the latest of:

- a notice about it sent or delivered (``Notice.sent_at``);
- a contact attempt about it that was made (``ContactAttempt.at``, verdict allowed: calls,
  visits, deliveries, the customer's own inbound contacts);
- a payment posted to it (``Payment.business_date``, reversed ones included: the reversal is
  activity too);
- casework on it: a promise to pay recorded, a repayment plan proposed, activated or closed, a
  collection hold placed or released (disputes, complaints and appeals place and release holds,
  and their letters are notices).

A record is kept until ``retain_until`` of its contract: the local date of that latest activity
plus the retention years. A record about no contract (a message to the customer in general)
follows the customer: it is kept while any of the customer's contracts is, or while the
customer had such a record sent or made within the window. Dates are local (``TIME_ZONE``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import CustomerProfile, User
from audit.services import audit_record
from contracts.limitation import add_years
from contracts.models import CollectionHold, Contract, Payment, PromiseToPay, RepaymentPlan
from core.errors import ApplicationError, ConflictError

from .codes import NoticesAction, NoticesError
from .models import CallTask, ContactAttempt, DeliveryReceipt, InAppMessage, Notice
from .record_guard import deletion_allowed

MINIMUM_RETENTION_YEARS = 3
RETAINED_MODELS: tuple[type[Model], ...] = (Notice, ContactAttempt, InAppMessage, CallTask, DeliveryReceipt)


def retention_years() -> int:
    """The configured years, never fewer than the regulation's three."""
    return max(MINIMUM_RETENTION_YEARS, int(settings.COMMUNICATION_RETENTION_YEARS))


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def last_collection_activity(*, contract: Contract) -> dt.date | None:
    """The local date of the latest collection activity on the contract (module docstring), or
    None when there has been none."""
    zone = timezone.get_current_timezone()
    instants = [
        Notice.objects.filter(contract=contract, sent_at__isnull=False).aggregate(last=Max("sent_at"))["last"],
        ContactAttempt.objects.filter(contract=contract, verdict="allowed").aggregate(last=Max("at"))["last"],
        CollectionHold.objects.filter(contract=contract).aggregate(last=Max("placed_on"))["last"],
        CollectionHold.objects.filter(contract=contract).aggregate(last=Max("released_on"))["last"],
    ]
    days = [instant.astimezone(zone).date() for instant in instants if instant is not None]
    plans = RepaymentPlan.objects.filter(contract=contract).aggregate(
        proposed=Max("proposed_on"), activated=Max("activated_on"), closed=Max("closed_on")
    )
    days += [
        Payment.objects.filter(contract=contract).aggregate(last=Max("business_date"))["last"],
        PromiseToPay.objects.filter(contract=contract).aggregate(last=Max("recorded_on"))["last"],
        *plans.values(),
    ]
    found = [day for day in days if day is not None]
    return max(found, default=None)


def retain_until(contract: Contract) -> dt.date | None:
    """The last day the contract's communication records must be kept: its last collection
    activity plus ``retention_years()``. None: no collection activity yet (no message sent, no
    contact made, nothing paid), so no communication record about it is held by this rule."""
    last = last_collection_activity(contract=contract)
    return None if last is None else add_years(last, retention_years())


def retention_cutoff(on_date: dt.date, years: int | None = None) -> dt.date:
    """Activity on or after this date keeps a record on ``on_date`` (``years`` defaults to the
    communication records' retention)."""
    return add_years(on_date, -(years if years is not None else retention_years()))


def contracts_under_retention(*, on_date: dt.date, years: int | None = None) -> QuerySet[Contract]:
    """Contracts whose records must still be kept on ``on_date``: one query, set-based."""
    cutoff = retention_cutoff(on_date, years)
    since = _start_of(cutoff)
    contract = OuterRef("pk")
    activity = (
        Q(Exists(Notice.objects.filter(contract=contract, sent_at__gte=since)))
        | Q(Exists(ContactAttempt.objects.filter(contract=contract, verdict="allowed", at__gte=since)))
        | Q(Exists(Payment.objects.filter(contract=contract, business_date__gte=cutoff)))
        | Q(Exists(PromiseToPay.objects.filter(contract=contract, recorded_on__gte=cutoff)))
        | Q(
            Exists(
                RepaymentPlan.objects.filter(contract=contract).filter(
                    Q(proposed_on__gte=cutoff) | Q(activated_on__gte=cutoff) | Q(closed_on__gte=cutoff)
                )
            )
        )
        | Q(
            Exists(
                CollectionHold.objects.filter(contract=contract).filter(
                    Q(placed_on__gte=since) | Q(released_on__gte=since)
                )
            )
        )
    )
    return Contract.objects.filter(activity)


def customers_under_retention(*, on_date: dt.date, years: int | None = None) -> QuerySet[CustomerProfile]:
    """Customers whose records about no contract must still be kept on ``on_date`` (or who had
    any collection activity within ``years``)."""
    since = _start_of(retention_cutoff(on_date, years))
    customer = OuterRef("pk")
    return CustomerProfile.objects.filter(
        Q(Exists(contracts_under_retention(on_date=on_date, years=years).filter(customer=customer)))
        | Q(Exists(Notice.objects.filter(customer=customer, contract__isnull=True, sent_at__gte=since)))
        | Q(
            Exists(
                ContactAttempt.objects.filter(
                    customer=customer, contract__isnull=True, verdict="allowed", at__gte=since
                )
            )
        )
        | Q(Exists(InAppMessage.objects.filter(customer=customer, contract__isnull=True, created_at__gte=since)))
    )


def retention_hold(queryset: QuerySet[Any], *, on_date: dt.date | None = None) -> QuerySet[Any]:
    """The rows of ``queryset`` (of a communication record model) still under retention on
    ``on_date`` (today by default), as one query."""
    on_date = on_date or timezone.localdate()
    model = queryset.model
    if model not in RETAINED_MODELS:
        raise ApplicationError(
            code=NoticesError.RECORDS_NOT_COMMUNICATIONS,
            message=_("%(model)s rows are not communication records.") % {"model": model._meta.verbose_name},
        )
    contracts = contracts_under_retention(on_date=on_date)
    if model is DeliveryReceipt:
        notices = retention_hold(Notice.objects.exclude(provider_message_id=""), on_date=on_date)
        return queryset.filter(provider_message_id__in=notices.values("provider_message_id"))
    if model is CallTask:
        return queryset.filter(contract__in=contracts)
    customers = customers_under_retention(on_date=on_date)
    return queryset.filter(
        Q(contract__isnull=False, contract__in=contracts) | Q(contract__isnull=True, customer__in=customers)
    )


def communication_records_delete(
    *, actor: User | None, queryset: QuerySet[Any], reason: str, on_date: dt.date | None = None
) -> int:
    """Delete communication records that are past their retention (12 CFR 1006.100): all of
    ``queryset`` or nothing. Refused with ``records_under_retention`` while any of them is still
    held; the refusal is audited too (it commits before the error is raised). Returns the number
    of rows deleted (related rows a notice owns, such as its attempts, go with it)."""
    on_date = on_date or timezone.localdate()
    model = queryset.model
    refusal: ConflictError | None = None
    deleted = 0
    with transaction.atomic():
        ids = sorted(queryset.values_list("pk", flat=True))
        held = sorted(retention_hold(model.objects.filter(pk__in=ids), on_date=on_date).values_list("pk", flat=True))
        label = model._meta.label_lower
        if held:
            audit_record(
                action=NoticesAction.RECORDS_DELETE_REFUSED,
                actor=actor,
                object_type=label,
                data={"ids": ids, "held": held, "on_date": on_date, "reason": reason, "years": retention_years()},
            )
            refusal = ConflictError(
                code=NoticesError.RECORDS_UNDER_RETENTION,
                message=ngettext(
                    "%(count)s record is still kept: communication records are kept for %(years)s years after "
                    "the last collection activity on the debt (on %(date)s).",
                    "%(count)s records are still kept: communication records are kept for %(years)s years after "
                    "the last collection activity on the debt (on %(date)s).",
                    len(held),
                )
                % {"count": len(held), "years": retention_years(), "date": date_format(on_date, "Y-m-d")},
                extra={"held": held},
            )
        elif ids:
            with deletion_allowed():
                deleted, _by_model = model.objects.filter(pk__in=ids).delete()
            audit_record(
                action=NoticesAction.RECORDS_DELETED,
                actor=actor,
                object_type=label,
                data={"ids": ids, "deleted": deleted, "on_date": on_date, "reason": reason},
            )
    if refusal is not None:
        raise refusal
    return deleted
