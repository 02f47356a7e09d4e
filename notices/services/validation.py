"""Regulation F validation notices (12 CFR 1006.34), their delivery (1006.42), and the
consumer's dispute or request for the original creditor (15 U.S.C. 1692g(b)).

- ``validation_notice_issue``: the notice of one US debt, written with its figures (replayed
  from the ledger) and its outbox row in one transaction: by mail, or by email when the
  customer gave E-SIGN consent for that address. Idempotent: one notice per contract.
- ``validation_notices_due``: every US debt in collection without a notice gets one; beat runs
  it every 15 minutes, so a notice follows an initial communication well within five days.
- ``validation_response_record``: a dispute or original-creditor request; inside the validation
  period it places a collection hold at once.
- ``verification_send``: staff send the verification (or the original creditor's name and
  address); the hold lifts when it has actually been sent (``delivery``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import ContactChannel, ContactPreference, CustomerProfile, Jurisdiction, User
from accounts.roles import CASE_HANDLE
from audit.services import audit_record
from contracts.itemization import debt_itemization
from contracts.models import Contract, ContractStatus, HoldReason
from contracts.selectors import contract_balance
from contracts.services import hold_place
from core.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError

from ..codes import NoticesAction, NoticesError
from ..contact import contact_judge
from ..models import (
    COLLECTION_PURPOSES,
    ContactAttempt,
    Notice,
    NoticeStatus,
    Purpose,
    ResponseChannel,
    ValidationNotice,
    ValidationResponse,
)
from ..selectors import opt_out_text
from ..validation import (
    DISPUTE_REASONS,
    NOTICE_LOCALES,
    assumed_receipt,
    mask_account_number,
    validation_period_end,
)
from ..validation_texts import format_amount, format_date, notice_content
from .outbox import _proposal, _record_attempt, queue_delivery, recipient_for


def _electronic_address(profile: CustomerProfile) -> str:
    """The email address the customer consented to receive disclosures at, if still theirs."""
    preference = ContactPreference.objects.filter(profile=profile).first()
    if preference is None or not preference.has_esign_consent or not profile.email:
        return ""
    consented = preference.esign_consent_email or profile.email
    return profile.email if consented.lower() == profile.email.lower() else ""


def delivery_channel(profile: CustomerProfile) -> str:
    """12 CFR 1006.42: by mail, unless the customer consented (E-SIGN) to email at that address."""
    return ContactChannel.EMAIL if _electronic_address(profile) else ContactChannel.LETTER


def _first_collection_communication(contract: Contract) -> dt.datetime | None:
    return (
        ContactAttempt.objects.filter(
            contract=contract,
            verdict="allowed",
            direction="outbound",
            to="debtor",
            purpose__in=[*COLLECTION_PURPOSES, "collection"],
        )
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )


def _outbox_row(
    *,
    profile: CustomerProfile,
    contract: Contract,
    purpose: str,
    channel: str,
    key: str,
    subject: str,
    body: str,
    locale: str,
    context: dict[str, str],
    now: dt.datetime,
) -> Notice:
    """An outbox row with its text and its verdict (pending, deferred or dropped), audited."""
    recipient = recipient_for(profile, channel)
    if channel in (ContactChannel.EMAIL, ContactChannel.SMS):
        with translation.override("en"):  # US notices are in English or Spanish, never Chinese
            body = f"{body}\n\n{opt_out_text(channel)}"
    verdict = contact_judge(profile=profile, contract=contract, proposed=_proposal(purpose, channel, recipient, now))
    if verdict.allowed:
        status, next_at = NoticeStatus.PENDING, now
    elif verdict.next_allowed_at is not None:
        status, next_at = NoticeStatus.DEFERRED, verdict.next_allowed_at
    else:
        status, next_at = NoticeStatus.DROPPED, now
    notice = Notice.objects.create(
        idempotency_key=key,
        customer=profile,
        contract=contract,
        purpose=purpose,
        channel=channel,
        locale=locale,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        context=context,
        status=status,
        reason_codes=list(verdict.reasons),
        scheduled_for=now,
        next_attempt_at=next_at,
    )
    if status == NoticeStatus.DROPPED:
        _record_attempt(notice, verdict, now, error="")
    audit_record(
        action=NoticesAction.NOTICE_SCHEDULED,
        actor=None,
        obj=notice,
        subject_user_id=profile.user_id,
        data={"key": key, "status": status, "reasons": [str(r) for r in verdict.reasons]},
    )
    if status == NoticeStatus.PENDING:
        queue_delivery([notice.pk], now=now)
    return notice


@transaction.atomic
def validation_notice_issue(
    *,
    actor: User | None,
    contract_id: int,
    business_date: dt.date | None = None,
    now: dt.datetime | None = None,
    locale: str = "en",
) -> ValidationNotice:
    """The validation notice of a US debt (12 CFR 1006.34(a)(1)): figures as of the business
    date, the validation period from the day it is sent, delivered by mail or, with E-SIGN
    consent, by email (1006.42). A debt has one notice; issuing again returns it."""
    now = now or timezone.now()
    business_date = business_date or timezone.localdate(now)
    contract = Contract.objects.select_for_update().select_related("customer", "product").get(pk=contract_id)
    existing = ValidationNotice.objects.filter(contract=contract).first()
    if existing is not None:
        return existing
    profile = contract.customer
    if profile.jurisdiction != Jurisdiction.US_REGF:
        raise ApplicationError(
            code=NoticesError.VALIDATION_NOT_US,
            message=_("Validation notices are only for customers under Regulation F (United States)."),
        )
    if locale not in NOTICE_LOCALES:
        locale = "en"
    product = contract.product
    figures = debt_itemization(contract=contract, basis=product.itemization_basis, as_of=business_date)
    channel = delivery_channel(profile)
    notice = ValidationNotice.objects.create(
        contract=contract,
        customer=profile,
        reference=f"VN{contract.pk:08d}",
        locale=locale,
        channel=channel,
        currency=contract.currency,
        itemization_basis=figures.basis,
        itemization_date=figures.itemization_date,
        owed_at_itemization=figures.owed_at_itemization,
        interest_since=figures.interest_since,
        fees_since=figures.fees_since,
        payments_credits_since=figures.payments_credits_since,
        owed_now=figures.owed_now,
        collector_name=settings.VALIDATION_COLLECTOR_NAME,
        collector_address=settings.VALIDATION_COLLECTOR_ADDRESS,
        collector_phone=settings.VALIDATION_COLLECTOR_PHONE,
        collector_hours=settings.VALIDATION_COLLECTOR_HOURS,
        dispute_url=f"{settings.SITE_URL}/me/contracts/{contract.pk}/validation/",
        creditor_name=product.creditor_name or settings.VALIDATION_COLLECTOR_NAME,
        original_creditor_name=product.original_creditor_name,
        original_creditor_address=product.original_creditor_address,
        product_name=product.name,
        account_number_masked=mask_account_number(contract.number),
        consumer_name=profile.legal_name,
        consumer_address=profile.postal_address,
        issued_on=business_date,
        initial_communication_at=_first_collection_communication(contract),
        assumed_received_on=assumed_receipt(business_date),
        validation_period_end=validation_period_end(business_date),
    )
    content = notice_content(notice)
    row = _outbox_row(
        profile=profile,
        contract=contract,
        purpose=Purpose.VALIDATION_NOTICE,
        channel=channel,
        key=f"validation:{contract.pk}:{channel}",
        subject=f"{content.title} {notice.reference}",
        body=content.as_text(),
        locale=locale,
        context={"validation_notice_id": str(notice.pk)},
        now=now,
    )
    notice.notice = row
    notice.save(update_fields=["notice"])
    audit_record(
        action=NoticesAction.VALIDATION_NOTICE_ISSUED,
        actor=actor,
        obj=notice,
        subject_user_id=profile.user_id,
        data={
            "contract": contract.number,
            "channel": channel,
            "itemization_date": figures.itemization_date,
            "basis": figures.basis,
            "owed_now": figures.owed_now,
            "validation_period_end": notice.validation_period_end,
            "initial_communication_at": notice.initial_communication_at,
        },
    )
    return notice


def validation_notices_due(
    *,
    now: dt.datetime | None = None,
    business_date: dt.date | None = None,
    first_id: int | None = None,
    last_id: int | None = None,
    limit: int = 1000,
) -> list[int]:
    """Issue the notice of every US debt in collection that has none yet (idempotent: one per
    contract, each in its own transaction or savepoint). The nightly range runs it after the
    sweep and before the ladder, so the notice is normally the initial communication; beat runs
    it every 15 minutes for anything else (well within five days of an initial communication).
    Returns the contracts given a notice."""
    now = now or timezone.now()
    candidates = Contract.objects.filter(
        customer__jurisdiction=Jurisdiction.US_REGF, delinquency_episode__gt=0, validation_notice__isnull=True
    ).exclude(status=ContractStatus.PAID_OFF)
    if first_id is not None and last_id is not None:
        candidates = candidates.filter(pk__gte=first_id, pk__lte=last_id)
    contract_ids = list(candidates.order_by("pk").values_list("pk", flat=True)[:limit])
    for contract_id in contract_ids:
        validation_notice_issue(actor=None, contract_id=contract_id, now=now, business_date=business_date)
    if first_id is None:
        stuck = ValidationNotice.objects.filter(
            sent_at__isnull=True,
            channel=ContactChannel.EMAIL,
            notice__status__in=[NoticeStatus.DROPPED, NoticeStatus.FAILED],
        ).values_list("pk", flat=True)[:limit]
        for record_id in list(stuck):
            validation_notice_mail(record_id=record_id, now=now)
    return contract_ids


@transaction.atomic
def validation_notice_mail(*, record_id: int, now: dt.datetime | None = None) -> ValidationNotice:
    """An emailed notice that could not go (consent withdrawn before it was sent, the address
    refused it) is owed still: it goes by mail instead, the safe harbour of 1006.42(b)."""
    now = now or timezone.now()
    record = ValidationNotice.objects.select_for_update().select_related("contract__customer").get(pk=record_id)
    if record.sent_at is not None or record.channel == ContactChannel.LETTER:
        return record
    content = notice_content(record)
    row = _outbox_row(
        profile=record.contract.customer,
        contract=record.contract,
        purpose=Purpose.VALIDATION_NOTICE,
        channel=ContactChannel.LETTER,
        key=f"validation:{record.contract_id}:{ContactChannel.LETTER}",
        subject=f"{content.title} {record.reference}",
        body=content.as_text(),
        locale=record.locale,
        context={"validation_notice_id": str(record.pk)},
        now=now,
    )
    before = record.notice_id
    record.notice, record.channel = row, ContactChannel.LETTER
    record.save(update_fields=["notice", "channel"])
    audit_record(
        action=NoticesAction.VALIDATION_NOTICE_ISSUED,
        actor=None,
        obj=record,
        subject_user_id=record.customer.user_id,
        data={"channel": ContactChannel.LETTER, "replaces_outbox": before},
    )
    return record


def validation_dates_on_send(notice: ValidationNotice, sent_on: dt.date) -> tuple[dt.date, dt.date]:
    """Assumed receipt and end of the validation period for a notice sent on ``sent_on``: never
    earlier than the dates already stated (a notice sent later than issued keeps the later)."""
    return (
        max(notice.assumed_received_on, assumed_receipt(sent_on)),
        max(notice.validation_period_end, validation_period_end(sent_on)),
    )


def validation_notice_mark_sent(*, notice: Notice, at: dt.datetime) -> None:
    """In the delivery's recording transaction: the notice left us (the period runs from now)."""
    record = ValidationNotice.objects.select_for_update().filter(notice=notice, sent_at__isnull=True).first()
    if record is None:
        return
    record.assumed_received_on, record.validation_period_end = validation_dates_on_send(record, timezone.localdate(at))
    record.sent_at = at
    record.save(update_fields=["sent_at", "assumed_received_on", "validation_period_end"])
    audit_record(
        action=NoticesAction.VALIDATION_NOTICE_SENT,
        actor=None,
        obj=record,
        subject_user_id=record.customer.user_id,
        data={"channel": notice.channel, "validation_period_end": record.validation_period_end},
    )


def _parse_enclosed(value: Decimal | str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        amount = Decimal("-1")
    if amount <= 0:
        raise ApplicationError(
            code=NoticesError.VALIDATION_RESPONSE_AMOUNT,
            message=_("The amount enclosed must be a positive amount."),
            field="enclosed_amount",
        )
    return amount


@transaction.atomic
def validation_response_record(
    *,
    actor: User | None,
    validation_notice_id: int,
    dispute_reasons: list[str],
    dispute_other: str = "",
    original_creditor_requested: bool = False,
    enclosed_amount: Decimal | str | None = None,
    channel: str = ResponseChannel.PORTAL,
    received_on: dt.date | None = None,
) -> ValidationResponse:
    """Record the consumer's answer (the tear-off form's choices). A dispute or a request for
    the original creditor received by the end of the validation period stops collection at once
    until the verification is sent (15 U.S.C. 1692g(b)); later, it is recorded without a hold
    (a dispute case still holds collection under the portal's own dispute handling)."""
    record = (
        ValidationNotice.objects.select_for_update()
        .select_related("contract", "customer")
        .filter(pk=validation_notice_id)
        .first()
    )
    if record is None:
        raise NotFoundError(code=NoticesError.VALIDATION_NOTICE_NOT_FOUND, message=_("No such validation notice."))
    if actor is not None and actor.is_staff and not actor.has_perm(CASE_HANDLE):
        raise ForbiddenError(
            code=NoticesError.VERIFICATION_FORBIDDEN, message=_("Only staff who handle disputes may record a response.")
        )
    if actor is not None and not actor.is_staff and record.customer.user_id != actor.pk:
        raise NotFoundError(code=NoticesError.VALIDATION_NOTICE_NOT_FOUND, message=_("No such validation notice."))
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today or received_on < record.issued_on:
        raise ApplicationError(
            code=NoticesError.VALIDATION_RESPONSE_DATE,
            message=_("The date received must lie between the notice's date and today."),
            field="received_on",
        )
    reasons = list(dict.fromkeys(dispute_reasons))
    if any(reason not in DISPUTE_REASONS for reason in reasons):
        raise ApplicationError(
            code=NoticesError.VALIDATION_RESPONSE_REASON,
            message=_("Please choose the reasons from the form."),
            field="dispute_reasons",
        )
    amount = _parse_enclosed(enclosed_amount)
    if not reasons and not original_creditor_requested and amount is None:
        raise ApplicationError(
            code=NoticesError.VALIDATION_RESPONSE_EMPTY,
            message=_("Please tick at least one box: a dispute, the original creditor, or an amount enclosed."),
        )
    within = received_on <= record.validation_period_end
    response = ValidationResponse.objects.create(
        validation_notice=record,
        dispute_reasons=reasons,
        dispute_other=dispute_other.strip()[:2000],
        original_creditor_requested=original_creditor_requested,
        enclosed_amount=amount,
        channel=ResponseChannel(channel),
        received_on=received_on,
        within_period=within,
        recorded_by=actor,
    )
    if within and (reasons or original_creditor_requested):
        reason = HoldReason.VALIDATION_DISPUTE if reasons else HoldReason.ORIGINAL_CREDITOR
        response.hold = hold_place(
            actor=actor, contract_id=record.contract_id, reason=reason, source=f"validation_response:{response.pk}"
        )
        response.save(update_fields=["hold"])
    audit_record(
        action=NoticesAction.VALIDATION_RESPONSE_RECORDED,
        actor=actor,
        obj=response,
        subject_user_id=record.customer.user_id,
        data={
            "notice": record.reference,
            "dispute_reasons": reasons,
            "original_creditor": original_creditor_requested,
            "enclosed_amount": amount,
            "channel": channel,
            "received_on": received_on,
            "within_period": within,
            "hold": response.hold_id,
        },
    )
    return response


def _verification_text(record: ValidationNotice, response: ValidationResponse, on: dt.date) -> tuple[str, str]:
    """The verification letter (English, or Spanish when the notice was): the debt as the
    ledger shows it today and, when asked, the original creditor's name and address."""
    contract = record.contract
    balance = contract_balance(contract=contract, as_of=on)
    es = record.locale == "es"
    account = record.account_number_masked
    account_url = f"{settings.SITE_URL}/me/contracts/{contract.pk}/"
    money = format_amount(balance.payoff, record.currency)
    lines = [
        (f"Referencia: {record.reference}" if es else f"Reference: {record.reference}"),
        (f"Para: {record.consumer_name}" if es else f"To: {record.consumer_name}"),
    ]
    if response.is_dispute:
        lines += [
            (
                f"Usted disputó la deuda el {format_date(response.received_on, 'es')}. Esta es la verificación:"
                if es
                else f"You disputed the debt on {format_date(response.received_on, 'en')}. This is its verification:"
            ),
            (
                f"{record.product_name} de {record.creditor_name}, número de cuenta {account}."
                if es
                else f"{record.product_name} from {record.creditor_name}, account number {account}."
            ),
            (
                f"Al {format_date(record.itemization_date, 'es')} usted debía "
                f"{format_amount(record.owed_at_itemization, record.currency)}; hoy debe {money}."
                if es
                else f"As of {format_date(record.itemization_date, 'en')} you owed "
                f"{format_amount(record.owed_at_itemization, record.currency)}; today you owe {money}."
            ),
            (
                f"El contrato que usted aceptó y el historial de pagos están en su cuenta: {account_url}"
                if es
                else f"The contract you accepted and the account's payment history are in your account: {account_url}"
            ),
        ]
    if response.original_creditor_requested:
        name = record.original_creditor_name or record.creditor_name
        address = " ".join((record.original_creditor_address or record.collector_address).split())
        lines.append(
            f"Acreedor original: {name}, {address}." if es else f"The original creditor is: {name}, {address}."
        )
    lines.append(
        "Reanudaremos el cobro después de enviar esta carta."
        if es
        else "We will resume collection after sending you this letter."
    )
    subject = f"Verificación {record.reference}" if es else f"Verification {record.reference}"
    return subject, "\n".join(lines)


@transaction.atomic
def verification_send(*, actor: User, response_id: int, now: dt.datetime | None = None) -> Notice:
    """Staff: generate and send the verification (or the original creditor's name and address)
    that a response inside the validation period is owed; its collection hold is released when
    it has actually been sent (``delivery``). Sending twice returns the first one."""
    if not (actor.has_perm("accounts.access_staff_area") and actor.has_perm(CASE_HANDLE)):
        raise ForbiddenError(
            code=NoticesError.VERIFICATION_FORBIDDEN,
            message=_("Only staff who handle disputes may send verifications."),
        )
    now = now or timezone.now()
    response = (
        ValidationResponse.objects.select_for_update(of=("self",))
        .select_related("validation_notice__contract__customer", "verification_notice")
        .filter(pk=response_id)
        .first()
    )
    if response is None:
        raise NotFoundError(code=NoticesError.VALIDATION_RESPONSE_NOT_FOUND, message=_("No such response."))
    if response.verification_notice is not None:
        return response.verification_notice
    if response.hold_id is None:
        raise ConflictError(
            code=NoticesError.VERIFICATION_NOT_OWED,
            message=_("This response was not received inside the validation period: no verification is owed."),
        )
    record = response.validation_notice
    contract = record.contract
    profile = contract.customer
    channel = delivery_channel(profile)
    subject, body = _verification_text(record, response, timezone.localdate(now))
    notice = _outbox_row(
        profile=profile,
        contract=contract,
        purpose=Purpose.VERIFICATION,
        channel=channel,
        key=f"verification:{response.pk}:{channel}",
        subject=subject,
        body=body,
        locale=record.locale,
        context={"release_hold_id": str(response.hold_id), "validation_response_id": str(response.pk)},
        now=now,
    )
    response.verification_notice = notice
    response.save(update_fields=["verification_notice"])
    audit_record(
        action=NoticesAction.VERIFICATION_SCHEDULED,
        actor=actor,
        obj=response,
        subject_user_id=profile.user_id,
        data={"notice": record.reference, "channel": channel, "outbox": notice.pk, "hold": response.hold_id},
    )
    return notice
