"""The files an evidence package is made of (guarantee claims, legal referral bundles): the
schedule, the ledger, the payments and the communication log of one contract, as CSV text.
Reads only; the services that assemble a package record that it was made."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone

from contracts.models import AllocationLine, ChargeEntry, Contract, Installment, Payment
from core.csv_cells import csv_cell
from notices.models import ContactAttempt


def csv_text(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def local_time(value: object) -> str:
    return timezone.localtime(value).isoformat() if value is not None else ""  # type: ignore[arg-type]


def schedule_csv(contract: Contract) -> str:
    rows = Installment.objects.filter(contract=contract).order_by("due_date", "seq")
    return csv_text(
        [
            "seq",
            "due_date",
            "principal_due",
            "interest_due",
            "principal_paid",
            "interest_paid",
            "penalty_accrued",
            "penalty_paid",
            "penalty_waived",
            "fee_charged",
            "fee_paid",
            "fee_waived",
            "settled_on",
            "in_plan",
        ],
        (
            [
                i.seq,
                i.due_date,
                i.principal_due,
                i.interest_due,
                i.principal_paid,
                i.interest_paid,
                i.penalty_accrued,
                i.penalty_paid,
                i.penalty_waived,
                i.fee_charged,
                i.fee_paid,
                i.fee_waived,
                i.settled_on,
                "yes" if i.plan_id else "",
            ]
            for i in rows
        ),
    )


def ledger_csv(contract: Contract) -> str:
    """Every money movement in date order: charges accrued, allocations of payments, waivers."""
    entries: list[tuple[str, str, str, str, object, str]] = []
    for charge in ChargeEntry.objects.filter(contract=contract).select_related("installment"):
        entries.append(
            (
                str(charge.to_date),
                "charge",
                charge.kind,
                str(charge.installment.seq),
                charge.amount,
                f"{charge.from_date}..{charge.to_date} base {charge.base_amount} rate {charge.rate} days {charge.days}",
            )
        )
    for line in AllocationLine.objects.filter(contract=contract).select_related("installment", "payment"):
        seq = str(line.installment.seq) if line.installment else ""
        entries.append(
            (
                str(line.applied_on),
                "allocation",
                line.component,
                seq,
                -line.amount,
                f"payment {line.payment.channel}:{line.payment.external_reference}",
            )
        )
    for adjustment in contract.adjustments.select_related("installment"):
        entries.append(
            (
                str(adjustment.effective_date),
                "adjustment",
                adjustment.kind,
                str(adjustment.installment.seq),
                -adjustment.amount,
                adjustment.reason,
            )
        )
    entries.sort(key=lambda e: (e[0], e[1]))
    return csv_text(["date", "entry", "component", "installment", "amount", "detail"], entries)


def payments_csv(contract: Contract) -> str:
    rows = Payment.objects.filter(contract=contract).order_by("received_at", "id")
    return csv_text(
        ["received_at", "business_date", "channel", "reference", "amount", "currency", "status", "reversal_reason"],
        (
            [
                local_time(p.received_at),
                p.business_date,
                p.channel,
                p.external_reference,
                p.amount,
                p.currency,
                p.status,
                p.reversal_reason,
            ]
            for p in rows
        ),
    )


def communications_csv(contract: Contract) -> str:
    """Every contact attempt about the contract with the compliance engine's verdict and reasons."""
    rows = ContactAttempt.objects.filter(contract=contract).select_related("notice").order_by("at", "id")
    return csv_text(
        ["at", "channel", "direction", "to", "by", "purpose", "staff", "verdict", "reasons", "outcome", "notice"],
        (
            [
                local_time(a.at),
                a.channel,
                a.direction,
                a.to,
                a.by,
                a.purpose,
                a.staff_count or "",
                a.verdict,
                " ".join(a.reason_codes or []),
                a.outcome,
                a.notice.purpose if a.notice else "",
            ]
            for a in rows
        ),
    )
