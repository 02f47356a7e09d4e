"""Reads of notices for staff (outbox, a notice's record, the mail viewer, the nightly batch)
and customers, and what a notice is rendered from (the template in use, the context of
amounts and links)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import ContactChannel, CustomerProfile, Jurisdiction
from contracts.models import Contract
from contracts.selectors import Balance, contract_balance
from core.errors import NotFoundError
from core.money import format_money

from .codes import NoticesError
from .models import (
    OPEN_NOTICE_STATUSES,
    ContactAttempt,
    InAppMessage,
    NightlyRun,
    Notice,
    NoticeStatus,
    NoticeTemplate,
    Purpose,
    ValidationNotice,
    ValidationResponse,
)

DEADLINE_DAYS = 7
LAWYER_GRACE_DAYS = 15


# --- what a notice is rendered from ---------------------------------------------------------
def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def notice_context(
    contract: Contract, business_date: dt.date, channel: str, *, balance: Balance | None = None
) -> dict[str, Any]:
    """Everything a template may use, in the customer's language (call inside translation.override).

    ``balance`` is the contract's balance as of the business date when the caller has it
    (the nightly ladder computes a range's balances from rows it loaded in bulk)."""
    if balance is None:
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
    opt_out = opt_out_text(channel)
    effective = contract.service_effective_date or business_date + dt.timedelta(days=contract.suspension_notice_days)
    return {
        "customer_name": contract.customer.legal_name,
        "contract_number": contract.number,
        "product_name": contract.product.display_name,
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


def opt_out_text(channel: str) -> str:
    if channel == ContactChannel.SMS:
        return _("Reply TD to stop text messages; formal notices will still reach you by letter and in the app.")
    return _("To stop these emails, change your contact preferences at %(url)s.") % {"url": _url("/me/preferences/")}


def active_template(purpose: str, channel: str, locale: str) -> NoticeTemplate | None:
    found = NoticeTemplate.objects.filter(purpose=purpose, channel=channel, is_active=True, locale=locale).first()
    return found or NoticeTemplate.objects.filter(purpose=purpose, channel=channel, is_active=True).first()


# --- outbox and messages --------------------------------------------------------------------


def outbox_for_staff(*, status: str = "", channel: str = "", reason: str = "") -> QuerySet[Notice]:
    qs = Notice.objects.select_related("customer", "contract", "step").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if reason:
        qs = qs.filter(reason_codes__icontains=reason)
    return qs


def notice_get_for_staff(*, pk: int) -> tuple[Notice, QuerySet[ContactAttempt]]:
    notice = Notice.objects.select_related("customer", "contract", "template", "step").filter(pk=pk).first()
    if notice is None:
        raise NotFoundError(code=NoticesError.NOTICE_NOT_FOUND, message="Notice not found.")
    return notice, ContactAttempt.objects.filter(notice=notice).order_by("at", "id")


def customer_messages(*, profile: CustomerProfile) -> QuerySet[Notice]:
    """Everything actually sent to the customer on any channel."""
    return (
        Notice.objects.filter(customer=profile, status__in=[NoticeStatus.SENT, NoticeStatus.DELIVERED])
        .select_related("contract")
        .order_by("-sent_at", "-id")
    )


def contract_letters_and_suspension_notice(
    *, profile: CustomerProfile, contract: Contract
) -> tuple[list[Notice], Notice | None]:
    """The letters (notices with a document) sent to the customer about this contract, newest
    first, and the formal notice of service suspension they received for it (the latest,
    readable in the portal first: in-app, then the letter; None for a contract whose service
    was never under notice): one query."""
    under_notice = contract.service_state in ("notice_given", "suspended")
    wanted = ~Q(document="")
    if under_notice:
        wanted |= Q(purpose=Purpose.SUSPENSION_NOTICE, channel__in=[ContactChannel.IN_APP, ContactChannel.LETTER])
    rows = list(customer_messages(profile=profile).filter(contract=contract).filter(wanted))
    letters = [n for n in rows if n.document]
    suspension = [n for n in rows if under_notice and n.purpose == Purpose.SUSPENSION_NOTICE]
    latest = suspension[0].sent_at if suspension else None
    # The latest notice: among those sent with it (a letter and its in-app copy), in-app first.
    same = [n for n in suspension if n.sent_at == latest] or suspension[:1]
    notice = min(same, key=lambda n: n.channel != ContactChannel.IN_APP) if suspension else None
    return letters, notice


def customer_banners(*, profile: CustomerProfile) -> QuerySet[InAppMessage]:
    return InAppMessage.objects.filter(customer=profile, is_banner=True, dismissed_at__isnull=True).select_related(
        "contract"
    )


def customer_notice_get(*, profile: CustomerProfile, pk: int) -> Notice:
    notice = customer_messages(profile=profile).filter(pk=pk).first()
    if notice is None:
        raise NotFoundError(code=NoticesError.NOTICE_NOT_FOUND, message="Notice not found.")
    return notice


def notices_due_ids(*, now: dt.datetime, limit: int = 5000) -> list[int]:
    """Ids of the notices waiting to be sent whose time has come, oldest first."""
    return list(
        Notice.objects.filter(status__in=OPEN_NOTICE_STATUSES, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def nightly_run_latest() -> NightlyRun | None:
    """The latest night of the batch (staff dashboard): one query."""
    return NightlyRun.objects.order_by("-business_date").first()


@dataclass(frozen=True)
class MailItem:
    kind: str  # email | sms
    name: str
    to: str
    subject: str
    body: str
    modified: float


def mail_viewer_items(*, limit: int = 200) -> list[MailItem]:
    """The embedded default's file-based email and SMS, newest first."""
    items: list[MailItem] = []
    mail_dir = Path(getattr(settings, "EMAIL_FILE_PATH", "") or "")
    if mail_dir.is_dir():
        for path in mail_dir.glob("*.log"):
            raw = path.read_bytes()
            for chunk in raw.split(b"-" * 79):
                chunk = chunk.strip()
                if not chunk:
                    continue
                message = message_from_bytes(chunk, policy=policy.default)
                body = message.get_body(preferencelist=("plain",))
                items.append(
                    MailItem(
                        "email",
                        path.name,
                        str(message.get("To", "")),
                        str(message.get("Subject", "")),
                        body.get_content() if body is not None else "",
                        path.stat().st_mtime,
                    )
                )
    sms_dir = Path(settings.VAR_DIR) / "sms"
    if sms_dir.is_dir():
        for path in sms_dir.rglob("*.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            items.append(
                MailItem("sms", path.name, str(data.get("to", "")), "", str(data.get("body", "")), path.stat().st_mtime)
            )
    items.sort(key=lambda item: item.modified, reverse=True)
    return items[:limit]


# --- validation notices (US) ------------------------------------------------------------------
def validation_notice_for_customer(*, profile: CustomerProfile, contract_pk: int) -> ValidationNotice:
    """The customer's own notice of one of their contracts (not-found for anyone else's)."""
    record = (
        ValidationNotice.objects.select_related("contract", "notice")
        .filter(contract_id=contract_pk, customer=profile)
        .first()
    )
    if record is None:
        raise NotFoundError(code=NoticesError.VALIDATION_NOTICE_NOT_FOUND, message=_("No validation notice."))
    return record


def validation_notice_for_contract(*, contract: Contract) -> ValidationNotice | None:
    """The contract's validation notice; only Regulation F customers have one (no query else)."""
    if contract.customer.jurisdiction != Jurisdiction.US_REGF:
        return None
    return ValidationNotice.objects.filter(contract=contract).first()


def validation_notice_get_for_staff(*, pk: int) -> tuple[ValidationNotice, list[ValidationResponse]]:
    record = ValidationNotice.objects.select_related("contract", "customer", "notice").filter(pk=pk).first()
    if record is None:
        raise NotFoundError(code=NoticesError.VALIDATION_NOTICE_NOT_FOUND, message=_("No validation notice."))
    responses = list(record.responses.select_related("hold", "verification_notice", "recorded_by"))
    return record, responses


def validation_notices_for_profile(*, profile: CustomerProfile) -> list[ValidationNotice]:
    return list(ValidationNotice.objects.filter(customer=profile).select_related("contract", "notice"))
