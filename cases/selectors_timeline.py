"""One timeline per customer: notices with their compliance verdicts, calls and other staff
contacts, payments, promises, plans, holds, disputes and other cases, visits, requests and
the audit entries about the customer. One query per kind of entry, newest first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import CustomerProfile
from appeals.models import Case as AppealCase
from audit.models import AuditEvent
from contracts.models import CollectionHold, Payment, PromiseToPay, RepaymentPlan
from core.dates import aware_start_of_day
from core.money import format_money
from notices.models import ContactAttempt, Notice

from .models import CallLog, FieldVisit, LegalReferral, VisitRequest, WaiverRequest
from .reasons import reasons_text

PER_KIND = 100  # the newest entries of each kind

# Audit actions as staff read them on the timeline (others show their code).
AUDIT_LABELS = {
    "customer.created": gettext_lazy("Customer created"),
    "contract.created": gettext_lazy("Contract signed"),
    "pii.viewed": gettext_lazy("Personal data viewed"),
    "call.logged": gettext_lazy("Call logged"),
    "contact.allowed": gettext_lazy("Contact allowed by the compliance engine"),
    "contact.blocked": gettext_lazy("Contact refused by the compliance engine"),
    "contact.outcome": gettext_lazy("Contact outcome recorded"),
    "promise.recorded": gettext_lazy("Promise to pay recorded"),
    "promise.kept": gettext_lazy("Promise to pay kept"),
    "promise.broken": gettext_lazy("Promise to pay broken"),
    "payment.posted": gettext_lazy("Payment posted"),
    "payment.reversed": gettext_lazy("Payment reversed"),
    "hold.placed": gettext_lazy("Collection hold placed"),
    "hold.released": gettext_lazy("Collection hold released"),
    "plan.proposed": gettext_lazy("Repayment plan proposed"),
    "ledger.adjusted": gettext_lazy("Ledger adjusted"),
    "assignment.set": gettext_lazy("Account assigned"),
    "placement.created": gettext_lazy("Placed with an agency"),
    "placement.recalled": gettext_lazy("Recalled from the agency"),
    "waiver_request.created": gettext_lazy("Fee waiver requested"),
    "waiver_request.approved": gettext_lazy("Fee waiver approved"),
    "waiver_request.rejected": gettext_lazy("Fee waiver rejected"),
    "visit_request.created": gettext_lazy("Field visit requested"),
    "legal_referral.created": gettext_lazy("Referred to legal"),
    "case.filed": gettext_lazy("Case filed"),
    "case.resolved": gettext_lazy("Case resolved"),
    "notice.scheduled": gettext_lazy("Notice scheduled"),
    "notice.sent": gettext_lazy("Notice sent"),
    "notice.delivered": gettext_lazy("Notice delivered"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # notice | contact | payment | promise | plan | hold | case | visit | request | audit
    title: str
    detail: str = ""
    contract: str = ""
    tone: str = "secondary"  # a Bootstrap colour: success, warning, danger, info, secondary
    reasons: list[str] = field(default_factory=list)


def _moment(day: dt.date) -> dt.datetime:
    return aware_start_of_day(day)


def _notices(profile: CustomerProfile, ids: list[int] | None) -> Iterable[TimelineEntry]:
    qs = Notice.objects.filter(customer=profile).select_related("contract")
    if ids is not None:
        qs = qs.filter(contract_id__in=ids)
    for n in qs.order_by("-scheduled_for", "-id")[:PER_KIND]:
        blocked = n.status in ("deferred", "dropped")
        yield TimelineEntry(
            at=n.sent_at or n.scheduled_for,
            kind="notice",
            title=f"{n.get_purpose_display()} · {n.get_channel_display()}",
            detail=_("Compliance verdict: %(status)s") % {"status": n.get_status_display()}
            + (f" — {reasons_text(n.reason_codes)}" if n.reason_codes else ""),
            contract=n.contract.number if n.contract else "",
            tone="warning" if blocked else "info",
            reasons=list(n.reason_codes),
        )


def _contacts(profile: CustomerProfile, ids: list[int] | None) -> Iterable[TimelineEntry]:
    """Staff contacts (calls, visits, agency actions): attempts not made by a notice."""
    qs = ContactAttempt.objects.filter(customer=profile, notice__isnull=True).select_related("contract", "made_by")
    if ids is not None:
        qs = qs.filter(contract_id__in=ids)
    logs = {
        c.attempt_id: c
        for c in CallLog.objects.filter(customer=profile).select_related("promise").order_by("-at")[: PER_KIND * 2]
    }
    for a in qs.order_by("-at", "-id")[:PER_KIND]:
        log = logs.get(a.pk)
        by = _("agency") if a.by == "agency" else _("lender")
        if a.verdict != "allowed":
            title = _("%(channel)s refused by the compliance engine") % {"channel": a.get_channel_display()}
            detail = reasons_text(a.reason_codes)
            tone = "danger"
        else:
            title = f"{a.get_channel_display()} ({by})"
            detail = log.get_outcome_display() if log else (a.outcome or "")
            if log and log.note:
                detail = f"{detail} — {log.note}"
            tone = "success" if a.outcome == "conversation" else "secondary"
        yield TimelineEntry(
            at=a.at,
            kind="contact",
            title=title,
            detail=detail,
            contract=a.contract.number if a.contract else "",
            tone=tone,
            reasons=list(a.reason_codes),
        )


def _ledger(profile: CustomerProfile, ids: list[int] | None) -> Iterable[TimelineEntry]:
    scope = {"contract__customer": profile}
    if ids is not None:
        scope["contract_id__in"] = ids  # type: ignore[assignment]
    for p in Payment.objects.filter(**scope).select_related("contract").order_by("-received_at")[:PER_KIND]:
        yield TimelineEntry(
            at=p.received_at,
            kind="payment",
            title=_("Payment %(amount)s") % {"amount": format_money(p.amount, p.currency)},
            detail=p.get_status_display(),
            contract=p.contract.number,
            tone="success" if p.status == "posted" else "warning",
        )
    for pr in (
        PromiseToPay.objects.filter(**scope).select_related("contract").order_by("-recorded_on", "-id")[:PER_KIND]
    ):
        yield TimelineEntry(
            at=_moment(pr.recorded_on),
            kind="promise",
            title=_("Promise to pay %(amount)s by %(date)s")
            % {"amount": format_money(pr.amount, pr.contract.currency), "date": pr.promised_date.isoformat()},
            detail=pr.get_status_display(),
            contract=pr.contract.number,
            tone={"kept": "success", "broken": "danger"}.get(pr.status, "info"),
        )
    for plan in RepaymentPlan.objects.filter(**scope).select_related("contract").order_by("-created_at")[:PER_KIND]:
        yield TimelineEntry(
            at=plan.created_at,
            kind="plan",
            title=_("Repayment plan over %(months)s months") % {"months": plan.months},
            detail=plan.get_status_display(),
            contract=plan.contract.number,
            tone={"broken": "danger", "kept": "success"}.get(plan.status, "info"),
        )
    for hold in CollectionHold.objects.filter(**scope).select_related("contract").order_by("-placed_on")[:PER_KIND]:
        yield TimelineEntry(
            at=hold.placed_on,
            kind="hold",
            title=_("Collection hold: %(reason)s") % {"reason": hold.get_reason_display()},
            detail=_("in force") if hold.released_on is None else _("released %(when)s") % {"when": hold.released_on},
            contract=hold.contract.number,
            tone="warning" if hold.released_on is None else "secondary",
        )


def _casework(profile: CustomerProfile, ids: list[int] | None) -> Iterable[TimelineEntry]:
    cases = AppealCase.objects.filter(customer=profile).select_related("contract")
    visits = FieldVisit.objects.filter(customer=profile).select_related("contract")
    if ids is not None:
        cases = cases.filter(contract_id__in=ids)
        visits = visits.filter(contract_id__in=ids)
    for case in cases.order_by("-submitted_at")[:PER_KIND]:
        yield TimelineEntry(
            at=case.submitted_at,
            kind="case",
            title=f"{case.get_kind_display()} {case.reference}",
            detail=case.get_status_display(),
            contract=case.contract.number if case.contract else "",
            tone="warning",
        )
    for visit in visits.order_by("-scheduled_for")[:PER_KIND]:
        yield TimelineEntry(
            at=visit.scheduled_for,
            kind="visit",
            title=_("Field visit"),
            detail=visit.get_status_display(),
            contract=visit.contract.number,
        )
    scope = {"contract__customer": profile}
    if ids is not None:
        scope["contract_id__in"] = ids  # type: ignore[assignment]
    requests: list[tuple[str, Iterable[VisitRequest | LegalReferral | WaiverRequest]]] = [
        (_("Field visit requested"), VisitRequest.objects.filter(**scope).select_related("contract")[:PER_KIND]),
        (_("Referred to legal"), LegalReferral.objects.filter(**scope).select_related("contract")[:PER_KIND]),
        (_("Fee waiver requested"), WaiverRequest.objects.filter(**scope).select_related("contract")[:PER_KIND]),
    ]
    for title, rows in requests:
        for row in rows:
            yield TimelineEntry(
                at=row.requested_at,
                kind="request",
                title=title,
                detail=f"{row.get_status_display()} — {row.reason}",
                contract=row.contract.number,
                tone="info",
            )


def _audit(profile: CustomerProfile) -> Iterable[TimelineEntry]:
    events = AuditEvent.objects.filter(subject_user_id=profile.user_id).order_by("-occurred_at", "-id")[:PER_KIND]
    for event in events:
        reason = event.data.get("reason") if isinstance(event.data, dict) else None
        yield TimelineEntry(
            at=event.occurred_at,
            kind="audit",
            title=str(AUDIT_LABELS.get(event.action, event.action)),
            detail=f"{event.actor_label}" + (f" — {reason}" if reason else ""),
        )


def customer_timeline(
    *, profile: CustomerProfile, contract_ids: list[int] | None = None, with_audit: bool = True
) -> list[TimelineEntry]:
    """Everything that happened to the customer, newest first. ``contract_ids`` narrows it to
    those accounts (an agency sees only what concerns the accounts placed with it, and no audit
    entries)."""
    entries: list[TimelineEntry] = [
        *_notices(profile, contract_ids),
        *_contacts(profile, contract_ids),
        *_ledger(profile, contract_ids),
        *_casework(profile, contract_ids),
    ]
    if with_audit:
        entries.extend(_audit(profile))
    return sorted(entries, key=lambda e: e.at, reverse=True)
