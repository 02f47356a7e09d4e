"""Disputes and complaints with their SLA compliance, contacts the compliance engine blocked
by reason code, and the external agencies' contacts and what followed them (docs/REPORTS.md)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from appeals.models import Case, CaseKind
from contracts.models import Payment, PaymentStatus
from core.money import quantize_money
from notices.compliance.inputs import Outcome
from notices.models import ContactAttempt

from ..models_agencies import Agency, AgencyPlacement
from .period import Period

ZERO = Decimal("0.00")
REACHED = (Outcome.CONVERSATION, Outcome.DELIVERED)


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    return start, end


@dataclass
class CaseVolume:
    kind: str
    label: str
    by_month: dict[str, int]
    filed: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    breached: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.resolved_on_time / self.resolved if self.resolved else None


def case_volumes(period: Period) -> list[CaseVolume]:
    """Disputes and complaints (and hardship requests and appeals) filed in the period, per
    month of filing; of those resolved, the share resolved by their resolution deadline; and
    those whose acknowledgement or resolution deadline was missed. One query."""
    months = period.months()
    volumes = {
        kind: CaseVolume(kind=kind, label=str(label), by_month=dict.fromkeys(months, 0))
        for kind, label in CaseKind.choices
    }
    start, end = _bounds(period)
    for kind, submitted_at, resolved_at, resolve_due_at, breached_at in Case.objects.filter(
        submitted_at__gte=start, submitted_at__lt=end
    ).values_list("kind", "submitted_at", "resolved_at", "resolve_due_at", "breached_at"):
        volume = volumes[kind]
        month = f"{timezone.localdate(submitted_at):%Y-%m}"
        volume.by_month[month] = volume.by_month.get(month, 0) + 1
        volume.filed += 1
        if resolved_at is not None:
            volume.resolved += 1
            volume.resolved_on_time += resolved_at <= resolve_due_at
        volume.breached += breached_at is not None
    return list(volumes.values())


def blocked_by_reason(period: Period) -> list[tuple[str, int]]:
    """Contacts the engine blocked in the period (automated notices dropped or deferred, staff
    calls and visits refused), counted once per reason code they carried. One query."""
    start, end = _bounds(period)
    counts: Counter[str] = Counter()
    for reasons in ContactAttempt.objects.filter(verdict="blocked", at__gte=start, at__lt=end).values_list(
        "reason_codes", flat=True
    ):
        counts.update(str(code) for code in (reasons or []))
    return counts.most_common()


@dataclass
class AgencyRow:
    agency: str
    placements: int = 0
    contacts: int = 0
    blocked: int = 0
    connected: int = 0
    payments: int = 0
    recovered: Decimal = ZERO
    commission: Decimal = ZERO

    @property
    def blocked_rate(self) -> float | None:
        return self.blocked / self.contacts if self.contacts else None


def agency_performance(period: Period) -> list[AgencyRow]:
    """Per collection agency: accounts placed with it at some time in the period; contacts its
    users tried in the period, the ones the engine blocked and those that reached the customer;
    payments posted in the period on its accounts while they were placed with it, their sum and
    the commission at the placement's rate. Four queries."""
    start, end = _bounds(period)
    rows: dict[int, AgencyRow] = {}
    windows: dict[int, list[tuple[dt.date, dt.date, int, Decimal]]] = defaultdict(list)
    for contract_id, agency_id, name, placed_on, ends_on, recalled_at, rate in (
        AgencyPlacement.objects.filter(placed_on__lte=period.end, ends_on__gte=period.start)
        .exclude(recalled_at__lt=start)
        .values_list(
            "contract_id", "agency_id", "agency__name", "placed_on", "ends_on", "recalled_at", "commission_rate"
        )
    ):
        last = min(ends_on, timezone.localdate(recalled_at)) if recalled_at else ends_on
        windows[contract_id].append((placed_on, last, agency_id, rate))
        rows.setdefault(agency_id, AgencyRow(agency=name)).placements += 1
    members: dict[int, tuple[int, str]] = {
        user_id: (agency_id, name)
        for user_id, agency_id, name in Agency.members.through.objects.values_list(
            "user_id", "agency_id", "agency__name"
        )
    }
    for user_id, verdict, outcome in ContactAttempt.objects.filter(at__gte=start, at__lt=end, by="agency").values_list(
        "made_by_id", "verdict", "outcome"
    ):
        agency_id, name = members.get(user_id, (0, "—"))
        row = rows.setdefault(agency_id, AgencyRow(agency=name))
        row.contacts += 1
        row.blocked += verdict == "blocked"
        row.connected += verdict != "blocked" and outcome in REACHED
    if windows:
        for contract_id, day, amount in Payment.objects.filter(
            status=PaymentStatus.POSTED,
            contract_id__in=sorted(windows),
            business_date__gte=period.start,
            business_date__lte=period.end,
        ).values_list("contract_id", "business_date", "amount"):
            for first, last, agency_id, rate in windows[contract_id]:
                if first <= day <= last:
                    row = rows[agency_id]
                    row.payments += 1
                    row.recovered += amount
                    row.commission += quantize_money(amount * rate)
                    break
    return sorted(rows.values(), key=lambda r: r.agency)
