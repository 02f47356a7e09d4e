"""Notices: the ladder decides them inside the sweep's transaction (outbox rows), Celery
delivers them after commit, and every delivery is judged again by the compliance engine.

Nothing is lost (a relay re-queues rows whose task vanished) and nothing is sent twice
(idempotency keys on rows, row claims with SKIP LOCKED on PostgreSQL, status guards).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import ContactChannel, ContactPreference, CustomerProfile
from audit.services import audit_record
from contracts.models import (
    CollectionHold,
    Contract,
    ContractStatus,
    Installment,
    PlanStatus,
    ProductKind,
    RepaymentPlan,
)
from contracts.selectors import contract_balance
from contracts.services import delinquency_sweep_range, hold_release, service_notice_give
from core.errors import ApplicationError
from core.money import format_money

from .channels import ChannelError, DeliveryResult
from .contact import ProposedDetails, contact_judge, is_collection
from .models import (
    ELECTRONIC_CHANNELS,
    OPEN_NOTICE_STATUSES,
    Anchor,
    CallTask,
    ContactAttempt,
    EscalationLadder,
    InAppMessage,
    LadderStep,
    Notice,
    NoticeStatus,
    NoticeTemplate,
    Purpose,
)

logger = logging.getLogger(__name__)

CATCH_UP_DAYS = 7  # a step missed (sweep down, hold lifted) still fires within a week, never later
MAX_ATTEMPTS = 6
RELAY_STALE_AFTER = dt.timedelta(minutes=5)
DEADLINE_DAYS = 7
LAWYER_GRACE_DAYS = 15


# --- context and rendering ------------------------------------------------------------------
def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def notice_context(contract: Contract, business_date: dt.date, channel: str) -> dict[str, Any]:
    """Everything a template may use, in the customer's language (call inside translation.override)."""
    balance = contract_balance(contract=contract, as_of=business_date)
    components = balance.components
    amount_due = balance.pay_now if balance.pay_now > 0 else balance.next_due_amount
    itemised = "\n".join(
        f"{label}: {format_money(value, contract.currency)}"
        for label, value in (
            (_("Principal"), components["principal"].overdue + components["principal"].due_now),
            (_("Interest"), components["interest"].overdue + components["interest"].due_now),
            (_("Penalty interest"), components["penalty"].overdue + components["penalty"].due_now),
            (_("Fees"), components["fee"].overdue + components["fee"].due_now),
            (_("Total"), balance.overdue + balance.due_now),
        )
    )
    opt_out = _opt_out_text(channel)
    effective = contract.service_effective_date or business_date + dt.timedelta(days=contract.suspension_notice_days)
    return {
        "customer_name": contract.customer.legal_name,
        "contract_number": contract.number,
        "product_name": contract.product.name,
        "company_name": "Fairdue",
        "amount_due": format_money(amount_due, contract.currency),
        "days_overdue": balance.days_past_due,
        "due_date": (balance.next_due_date or business_date).isoformat(),
        "deadline": (business_date + dt.timedelta(days=DEADLINE_DAYS)).isoformat(),
        "pay_url": _url(f"/me/contracts/{contract.pk}/pay/"),
        "dispute_url": _url(f"/me/appeals/new/?contract={contract.pk}&kind=dispute"),
        "appeal_url": _url(f"/me/appeals/new/?contract={contract.pk}&kind=appeal"),
        "effective_date": effective.isoformat(),
        "restore_how": _("Pay the overdue amount or agree a repayment plan; service is restored at once."),
        "final_grace_date": (business_date + dt.timedelta(days=LAWYER_GRACE_DAYS)).isoformat(),
        "itemised_amounts": itemised,
        "opt_out": opt_out,
    }


def active_template(purpose: str, channel: str, locale: str) -> NoticeTemplate | None:
    found = NoticeTemplate.objects.filter(purpose=purpose, channel=channel, is_active=True, locale=locale).first()
    return found or NoticeTemplate.objects.filter(purpose=purpose, channel=channel, is_active=True).first()


def render_notice(template: NoticeTemplate, context: dict[str, Any]) -> tuple[str, str]:
    from .templating import render_template

    return render_template(template, context)


def recipient_for(profile: CustomerProfile, channel: str) -> str:
    if channel in (ContactChannel.SMS, ContactChannel.CALL):
        return profile.phone
    if channel == ContactChannel.EMAIL:
        return profile.email
    if channel == ContactChannel.LETTER:
        return profile.postal_address
    return profile.customer_number


# --- the ladder ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Firing:
    step: LadderStep
    key_part: str  # which episode or due date the step belongs to


def ladder_for(contract: Contract, ladders: dict[int | None, EscalationLadder]) -> EscalationLadder | None:
    return ladders.get(contract.product_id) or ladders.get(None)


def steps_due(
    contract: Contract, steps: Iterable[LadderStep], business_date: dt.date, open_dues: list[dt.date]
) -> list[Firing]:
    """Which ladder steps apply to the contract on the business date (pure)."""
    firings = []
    dpd = contract.days_past_due
    for step in steps:
        if not step.is_active:
            continue
        if step.onsite_service_only and contract.product.kind != ProductKind.SERVICE_SUBSCRIPTION:
            continue
        if step.anchor == Anchor.DUE_DATE:
            for due in open_dues:
                if due + dt.timedelta(days=step.offset_days) == business_date:
                    firings.append(Firing(step, f"due{due.isoformat()}"))
        elif contract.status == ContractStatus.DELINQUENT and contract.delinquency_episode:
            measured = dpd if step.anchor == Anchor.DAYS_PAST_DUE else dpd - contract.grace_days
            if step.offset_days <= measured < step.offset_days + CATCH_UP_DAYS:
                firings.append(Firing(step, f"e{contract.delinquency_episode}"))
    return firings


def _preferred_channels(
    channels: list[str], preference: ContactPreference | None, profile: CustomerProfile
) -> list[str]:
    """Honour the preferred electronic channel: a step that uses one of SMS or email uses the
    one the customer prefers (if we have that address); steps using both keep both."""
    electronic = [c for c in channels if c in ELECTRONIC_CHANNELS]
    if preference is None or len(electronic) != 1 or preference.preferred_channel not in ELECTRONIC_CHANNELS:
        return channels
    preferred = preference.preferred_channel
    if not (profile.email if preferred == ContactChannel.EMAIL else profile.phone):
        return channels
    return [preferred if c in ELECTRONIC_CHANNELS else c for c in channels]


def _collection_paused(contract: Contract) -> bool:
    return bool(getattr(contract, "open_holds", None)) or bool(getattr(contract, "active_plans", None))


@transaction.atomic
def ladder_evaluate(
    *, business_date: dt.date, first_id: int, last_id: int, now: dt.datetime | None = None
) -> list[int]:
    """Write the notices the ladder decides for contracts in the id range (idempotent).

    A step fires once per contract per delinquency episode (due-date steps once per
    installment); cured contracts stop; contracts on hold or on a plan skip collection steps.
    Returns the ids of notices ready to send now.
    """
    now = now or timezone.now()
    ladders = {lad.product_id: lad for lad in EscalationLadder.objects.prefetch_related("steps")}
    if not ladders:
        return []
    contracts: list[Contract] = list(
        Contract.objects.filter(pk__gte=first_id, pk__lte=last_id)
        .exclude(status__in=[ContractStatus.PAID_OFF, ContractStatus.CHARGED_OFF])
        .select_related("customer", "product")
        .prefetch_related(
            Prefetch("holds", queryset=CollectionHold.objects.filter(released_on__isnull=True), to_attr="open_holds"),
            Prefetch("plans", queryset=RepaymentPlan.objects.filter(status=PlanStatus.ACTIVE), to_attr="active_plans"),
            Prefetch(
                "installments",
                queryset=Installment.objects.filter(superseded_on__isnull=True, settled_on__isnull=True),
                to_attr="open_installments",
            ),
        )
    )
    preferences = {
        p.profile_id: p for p in ContactPreference.objects.filter(profile_id__in={c.customer_id for c in contracts})
    }
    planned: list[tuple[Contract, LadderStep, str, str]] = []
    for contract in contracts:
        ladder = ladder_for(contract, ladders)
        if ladder is None:
            continue
        open_dues = sorted({i.due_date for i in contract.open_installments})  # type: ignore[attr-defined]
        for firing in steps_due(contract, ladder.steps.all(), business_date, open_dues):
            if firing.step.is_collection and _collection_paused(contract):
                continue
            channels = _preferred_channels(
                list(firing.step.channels), preferences.get(contract.customer_id), contract.customer
            )
            for channel in channels:
                key = f"c{contract.pk}:{firing.key_part}:{firing.step.code}:{channel}"
                planned.append((contract, firing.step, channel, key))
    existing = set(
        Notice.objects.filter(idempotency_key__in=[p[3] for p in planned]).values_list("idempotency_key", flat=True)
    )
    ready: list[int] = []
    for contract, step, channel, key in planned:
        if key in existing:
            continue
        if step.purpose == Purpose.SUSPENSION_NOTICE and contract.service_state in ("allowed", "restored"):
            try:
                service_notice_give(actor=None, contract_id=contract.pk, on=business_date)
                contract.refresh_from_db()
            except ApplicationError as exc:
                logger.info("suspension notice not given for %s: %s", contract.number, exc.code)
                continue
        notice = notice_schedule(
            contract=contract,
            step=step,
            purpose=step.purpose,
            channel=channel,
            key=key,
            business_date=business_date,
            now=now,
        )
        if notice is not None and notice.status == NoticeStatus.PENDING:
            ready.append(notice.pk)
    queue_delivery(ready, now=now)
    return ready


def notice_schedule(
    *,
    contract: Contract,
    step: LadderStep | None,
    purpose: str,
    channel: str,
    key: str,
    business_date: dt.date,
    now: dt.datetime,
    extra_context: dict[str, Any] | None = None,
) -> Notice | None:
    """A ladder notice about a contract, with its amounts as of the business date."""
    template = active_template(purpose, channel, contract.customer.language or settings.LANGUAGE_CODE)
    if template is None:
        logger.warning("no template for %s/%s", purpose, channel)
        return None
    with translation.override(template.locale):
        context = {**notice_context(contract, business_date, channel), **(extra_context or {})}
    return _write_notice(
        profile=contract.customer,
        contract=contract,
        step=step,
        purpose=purpose,
        channel=channel,
        key=key,
        template=template,
        context=context,
        now=now,
        system="ladder",
    )


def _write_notice(
    *,
    profile: CustomerProfile,
    contract: Contract | None,
    step: LadderStep | None,
    purpose: str,
    channel: str,
    key: str,
    template: NoticeTemplate,
    context: dict[str, Any],
    now: dt.datetime,
    system: str,
) -> Notice:
    """Write one outbox row with its exact text and the compliance verdict at scheduling time:
    pending (send now), deferred (to the next allowed time) or dropped (a permanent rule)."""
    with translation.override(template.locale):
        subject, body = render_notice(template, context)
    recipient = recipient_for(profile, channel)
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
        step=step,
        purpose=purpose,
        channel=channel,
        locale=template.locale,
        template=template,
        recipient=recipient,
        subject=subject,
        body=body,
        context={k: str(v) for k, v in context.items()},
        status=status,
        reason_codes=list(verdict.reasons),
        scheduled_for=now,
        next_attempt_at=next_at,
    )
    if status == NoticeStatus.DROPPED:
        _record_attempt(notice, verdict, now, error="")
    audit_record(
        action="notice.scheduled",
        actor=None,
        obj=notice,
        subject_user_id=profile.user_id,
        system=system,
        data={"key": key, "status": status, "reasons": list(verdict.reasons), "next_attempt_at": next_at},
    )
    return notice


def service_message_schedule(
    *,
    profile: CustomerProfile,
    contract: Contract | None,
    purpose: str,
    key: str,
    context: dict[str, Any],
    now: dt.datetime | None = None,
) -> list[Notice]:
    """A message about a case (acknowledgement, resolution): in the app, and by the
    customer's preferred electronic channel. Written to the outbox in the caller's transaction."""
    now = now or timezone.now()
    preference = ContactPreference.objects.filter(profile=profile).first()
    prefers_email = preference is not None and preference.preferred_channel == ContactChannel.EMAIL
    electronic = ContactChannel.EMAIL if prefers_email else ContactChannel.SMS
    channels = [ContactChannel.IN_APP]
    if profile.email if prefers_email else profile.phone:
        channels.append(electronic)
    created: list[Notice] = []
    for channel in channels:
        full_key = f"{key}:{channel}"
        template = active_template(purpose, channel, profile.language or settings.LANGUAGE_CODE)
        if Notice.objects.filter(idempotency_key=full_key).exists() or template is None:
            continue
        base = {
            "customer_name": profile.legal_name,
            "company_name": "Fairdue",
            "contract_number": contract.number if contract else "",
        }
        with translation.override(template.locale):
            base["opt_out"] = _opt_out_text(channel)
        created.append(
            _write_notice(
                profile=profile,
                contract=contract,
                step=None,
                purpose=purpose,
                channel=channel,
                key=full_key,
                template=template,
                context={**base, **context},
                now=now,
                system="appeals",
            )
        )
    queue_delivery([n.pk for n in created if n.status == NoticeStatus.PENDING], now=now)
    return created


def _opt_out_text(channel: str) -> str:
    if channel == ContactChannel.SMS:
        return _("Reply TD to stop text messages; formal notices will still reach you by letter and in the app.")
    return _("To stop these emails, change your contact preferences at %(url)s.") % {"url": _url("/me/preferences/")}


def _proposal(purpose: str, channel: str, endpoint: str, at: dt.datetime) -> ProposedDetails:
    return ProposedDetails(
        channel=channel,
        at=at,
        purpose=purpose,
        endpoint=endpoint,
        discloses_debt=True,
        opt_out_notice=channel in ELECTRONIC_CHANNELS,  # every electronic template carries {{ opt_out }}
    )


def _record_attempt(
    notice: Notice, verdict: Any, at: dt.datetime, *, error: str, result: DeliveryResult | None = None
) -> ContactAttempt:
    return ContactAttempt.objects.create(
        customer_id=notice.customer_id,
        contract_id=notice.contract_id,
        notice=notice,
        at=at,
        channel=notice.channel,
        endpoint=notice.recipient[:120],
        purpose="collection" if is_collection(notice.purpose) else notice.purpose,
        outcome="delivered" if result is not None else "",
        verdict="allowed" if verdict.allowed else "blocked",
        reason_codes=list(verdict.reasons),
        next_allowed_at=verdict.next_allowed_at,
        provider_status=result.status if result else "",
        provider_message_id=result.provider_message_id if result else "",
        error=error,
    )


def queue_delivery(notice_ids: list[int], *, now: dt.datetime | None = None) -> None:
    """Queue delivery after commit (never for rows that might roll back)."""
    if not notice_ids:
        return
    Notice.objects.filter(pk__in=notice_ids).update(queued_at=now or timezone.now())

    def _send() -> None:
        from .tasks import deliver_notices

        deliver_notices.delay(list(notice_ids))

    transaction.on_commit(_send)


# --- delivery ------------------------------------------------------------------------------
def _claim(notice_id: int, now: dt.datetime) -> Notice | None:
    qs = Notice.objects.filter(pk=notice_id, status__in=OPEN_NOTICE_STATUSES, next_attempt_at__lte=now)
    # SKIP LOCKED lets several workers share the outbox on PostgreSQL; SQLite serialises writers.
    qs = qs.select_for_update(skip_locked=db_connection.vendor == "postgresql", of=("self",))
    return qs.select_related("customer", "contract").first()


def _channel_for(channel: str, email_connection: Any) -> Any:
    if channel == ContactChannel.EMAIL:
        return EmailChannel(email_connection)
    if channel == ContactChannel.SMS:
        from .channels.sms import SmsChannel

        return SmsChannel()
    return {
        ContactChannel.IN_APP: InAppChannel,
        ContactChannel.LETTER: LetterChannel,
        ContactChannel.CALL: CallTaskChannel,
    }[ContactChannel(channel)]()


def notice_deliver(notice_id: int, *, now: dt.datetime | None = None, email_connection: Any = None) -> str:
    """Send one notice if it is due and still lawful; returns the resulting status."""
    now = now or timezone.now()
    with transaction.atomic():
        notice = _claim(notice_id, now)
        if notice is None:
            return "not_claimed"
        contract = notice.contract
        if (
            is_collection(notice.purpose)
            and contract is not None
            and (contract.status in (ContractStatus.CURRENT, ContractStatus.PAID_OFF))
        ):
            return _finish(notice, NoticeStatus.SKIPPED, now, reasons=["CONTRACT_CURED"])
        verdict = contact_judge(
            profile=notice.customer,
            contract=contract,
            proposed=_proposal(notice.purpose, notice.channel, notice.recipient, now),
        )
        if not verdict.allowed:
            _record_attempt(notice, verdict, now, error="")
            if verdict.next_allowed_at is not None:
                notice.next_attempt_at = verdict.next_allowed_at
                return _finish(notice, NoticeStatus.DEFERRED, now, reasons=list(verdict.reasons))
            return _finish(notice, NoticeStatus.DROPPED, now, reasons=list(verdict.reasons))
        notice.attempts += 1
        try:
            result = _channel_for(notice.channel, email_connection).send(notice)
        except ChannelError as exc:
            _record_attempt(notice, verdict, now, error=str(exc))
            notice.last_error = str(exc)[:2000]
            if exc.transient and notice.attempts < MAX_ATTEMPTS:
                notice.next_attempt_at = now + dt.timedelta(minutes=2**notice.attempts)
                return _finish(notice, NoticeStatus.PENDING, now, reasons=notice.reason_codes)
            return _finish(notice, NoticeStatus.FAILED, now, reasons=notice.reason_codes)
        _record_attempt(notice, verdict, now, error="", result=result)
        _release_hold_after_send(notice)
        notice.provider_message_id = result.provider_message_id
        notice.sent_at = now
        if result.status == "delivered":
            notice.delivered_at = now
        return _finish(
            notice, NoticeStatus.DELIVERED if result.status == "delivered" else NoticeStatus.SENT, now, reasons=[]
        )


def _release_hold_after_send(notice: Notice) -> None:
    """A resolution lifts its collection hold once it has actually been sent to the customer."""
    hold_id = str(notice.context.get("release_hold_id", "") or "")
    if hold_id.isdigit():
        hold_release(actor=None, hold_id=int(hold_id))


def _finish(notice: Notice, status: str, now: dt.datetime, *, reasons: list[str]) -> str:
    before = notice.status
    notice.status = status
    notice.reason_codes = reasons
    notice.queued_at = None
    notice.save(
        update_fields=[
            "status",
            "reason_codes",
            "next_attempt_at",
            "queued_at",
            "attempts",
            "last_error",
            "provider_message_id",
            "sent_at",
            "delivered_at",
            "document",
        ]
    )
    audit_record(
        action=f"notice.{status}",
        actor=None,
        obj=notice,
        subject_user_id=notice.customer.user_id,
        system="outbox",
        data={
            "from": before,
            "reasons": reasons,
            "attempts": notice.attempts,
            "provider_id": notice.provider_message_id,
        },
    )
    return status


def notices_deliver(notice_ids: Iterable[int], *, now: dt.datetime | None = None) -> dict[int, str]:
    """A batch: email goes over one reused SMTP connection."""
    results: dict[int, str] = {}
    connection = get_connection()
    try:
        connection.open()
        for notice_id in notice_ids:
            results[notice_id] = notice_deliver(notice_id, now=now, email_connection=connection)
    finally:
        connection.close()
    return results


def outbox_relay(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Re-queue due rows whose task was lost (broker down, worker killed) or never queued."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = now - RELAY_STALE_AFTER
        ids = list(
            Notice.objects.filter(status__in=OPEN_NOTICE_STATUSES, next_attempt_at__lte=now)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        queue_delivery(ids, now=now)
    return ids


def sweep_and_notify_range(*, business_date: dt.date, first_id: int, last_id: int) -> list[int]:
    """The nightly unit of work: close the days, then decide notices, in one transaction."""
    with transaction.atomic():
        delinquency_sweep_range(business_date=business_date, first_id=first_id, last_id=last_id)
        return ladder_evaluate(business_date=business_date, first_id=first_id, last_id=last_id)


@transaction.atomic
def notice_mark_read(*, profile: CustomerProfile, notice_id: int) -> Notice:
    """The customer opened a message (any channel); its in-app copy counts as read too."""
    notice = Notice.objects.select_for_update().filter(pk=notice_id, customer=profile).first()
    if notice is None:
        from core.errors import NotFoundError

        raise NotFoundError(code="message_not_found", message=_("Message not found."))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        InAppMessage.objects.filter(notice=notice, read_at__isnull=True).update(read_at=notice.read_at)
        audit_record(action="notice.read", actor=profile.user, obj=notice, subject_user_id=profile.user_id)
    return notice


# --- channels ------------------------------------------------------------------------------------
class EmailChannel:
    name = ContactChannel.EMAIL

    def __init__(self, connection: Any = None) -> None:
        self.connection = connection

    def send(self, notice: Notice) -> DeliveryResult:
        if not notice.recipient:
            raise ChannelError("no email address on file", transient=False)
        message = EmailMessage(
            subject=notice.subject or _("A message about your account"),
            body=notice.body,
            to=[notice.recipient],
            connection=self.connection,
            headers={"X-Fairdue-Notice": str(notice.pk)},
        )
        try:
            message.send()
        except OSError as exc:  # SMTP and socket errors: retry with backoff
            raise ChannelError(f"email: {exc}", transient=True) from exc
        return DeliveryResult(provider_message_id=message.extra_headers.get("Message-ID", f"email-{notice.pk}"))


class InAppChannel:
    name = ContactChannel.IN_APP

    def send(self, notice: Notice) -> DeliveryResult:
        message = InAppMessage.objects.create(
            customer_id=notice.customer_id,
            notice=notice,
            contract_id=notice.contract_id,
            subject=notice.subject or notice.get_purpose_display(),
            body=notice.body,
            is_banner=notice.purpose in (Purpose.OVERDUE_BANNER, Purpose.SUSPENSION_NOTICE),
        )
        return DeliveryResult(provider_message_id=f"inapp-{message.pk}", status="delivered")


class LetterChannel:
    name = ContactChannel.LETTER

    def send(self, notice: Notice) -> DeliveryResult:
        from .pdf import render_document

        paragraphs = [p for p in notice.body.split("\n") if p.strip()]
        pdf = render_document(
            title=notice.subject or notice.get_purpose_display(),
            paragraphs=paragraphs,
            reference=f"N{notice.pk:08d}",
            issued_at=timezone.now(),
            footer=settings.SITE_URL,
        )
        notice.document.save(f"notice-{notice.pk}.pdf", ContentFile(pdf), save=False)
        return DeliveryResult(provider_message_id=f"letter-{notice.pk}", status="sent")


class CallTaskChannel:
    name = ContactChannel.CALL

    def send(self, notice: Notice) -> DeliveryResult:
        task, _created = CallTask.objects.get_or_create(
            notice=notice,
            defaults={
                "contract_id": notice.contract_id,
                "kind": notice.purpose,
                "due_at": timezone.now(),
                "note": notice.body,
            },
        )
        return DeliveryResult(provider_message_id=f"task-{task.pk}", status="delivered")


# --- staff and agency contacts -------------------------------------------------------------
@transaction.atomic
def contact_attempt_start(
    *,
    actor: Any,
    profile: CustomerProfile,
    contract: Contract | None,
    channel: str,
    endpoint: str,
    to: str = "debtor",
    third_party_id: str = "",
    by: str = "lender",
    staff_count: int | None = None,
    discloses_debt: bool = True,
    consent: bool = False,
    at: dt.datetime | None = None,
) -> ContactAttempt:
    """A call, visit or agency action about to happen, judged by the same engine as every
    automated notice. The attempt is recorded either way; a blocked one carries its reasons
    and the next allowed time, and must not go ahead."""
    at = at or timezone.now()
    verdict = contact_judge(
        profile=profile,
        contract=contract,
        proposed=ProposedDetails(
            channel=channel,
            at=at,
            purpose="collection",
            endpoint=endpoint,
            to=to,
            third_party_id=third_party_id,
            by=by,
            consent=consent,
            discloses_debt=discloses_debt,
            staff_count=staff_count,
        ),
    )
    attempt = ContactAttempt.objects.create(
        customer=profile,
        contract=contract,
        at=at,
        channel=channel,
        to=to,
        endpoint=endpoint[:120],
        third_party_id=third_party_id,
        by=by,
        purpose="collection",
        consent=consent,
        staff_count=staff_count,
        verdict="allowed" if verdict.allowed else "blocked",
        reason_codes=list(verdict.reasons),
        next_allowed_at=verdict.next_allowed_at,
        made_by=actor,
    )
    audit_record(
        action="contact.allowed" if verdict.allowed else "contact.blocked",
        actor=actor,
        obj=attempt,
        subject_user_id=profile.user_id,
        data={
            "channel": channel,
            "to": to,
            "by": by,
            "reasons": list(verdict.reasons),
            "next_allowed_at": verdict.next_allowed_at,
        },
    )
    return attempt


@transaction.atomic
def contact_attempt_outcome(*, actor: Any, attempt_id: int, outcome: str) -> ContactAttempt:
    """What happened (no answer, conversation, …): it feeds the frequency and lost-contact rules."""
    attempt = ContactAttempt.objects.select_for_update().select_related("customer").get(pk=attempt_id)
    if attempt.verdict != "allowed":
        raise ApplicationError(code="contact_was_blocked", message=_("This contact was not allowed to take place."))
    if attempt.outcome:
        raise ApplicationError(code="outcome_already_recorded", message=_("The outcome is already recorded."))
    attempt.outcome = outcome
    attempt.save(update_fields=["outcome"])
    audit_record(
        action="contact.outcome",
        actor=actor,
        obj=attempt,
        subject_user_id=attempt.customer.user_id,
        data={"outcome": outcome},
    )
    return attempt
