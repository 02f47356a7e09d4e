"""Disputes and complaints with their SLA compliance, contacts the compliance engine blocked
by reason code, and the external agencies' contacts and what followed them (docs/REPORTS.md)."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from appeals.models import Case, CaseKind
from contracts.models import Payment, PaymentStatus
from notices.compliance.inputs import Outcome
from notices.models import ContactAttempt

from .period import Period

ZERO = Decimal("0.00")
AGENCY_ATTRIBUTION_DAYS = 14
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
    contacts: int = 0
    blocked: int = 0
    connected: int = 0
    payments: int = 0
    recovered: Decimal = ZERO

    @property
    def blocked_rate(self) -> float | None:
        return self.blocked / self.contacts if self.contacts else None


def agency_performance(period: Period) -> list[AgencyRow]:
    """Per agency account (the staff member of the agency who made the contact): contacts tried in the period, the share
    the engine blocked, those that reached the customer, and the payments received on the same
    contracts within ``AGENCY_ATTRIBUTION_DAYS`` days after an allowed contact. Two queries."""
    start, end = _bounds(period)
    attempts = list(
        ContactAttempt.objects.filter(at__gte=start, at__lt=end)
        .filter(by="agency")
        .values_list("made_by__email", "contract_id", "at", "verdict", "outcome")
    )
    rows: dict[str, AgencyRow] = {}
    allowed: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for email, contract_id, at, verdict, outcome in attempts:
        agency = email or "—"
        row = rows.setdefault(agency, AgencyRow(agency=agency))
        row.contacts += 1
        if verdict == "blocked":
            row.blocked += 1
            continue
        if outcome in REACHED:
            row.connected += 1
        if contract_id is not None:
            allowed[contract_id].append((at, agency))
    if allowed:
        for contract_id, received_at, amount in Payment.objects.filter(
            status=PaymentStatus.POSTED,
            contract_id__in=sorted(allowed),
            received_at__gte=start,
            received_at__lt=end + dt.timedelta(days=AGENCY_ATTRIBUTION_DAYS),
        ).values_list("contract_id", "received_at", "amount"):
            contacts = sorted(allowed[contract_id])
            i = bisect.bisect_right([at for at, _ in contacts], received_at) - 1
            if i >= 0 and received_at - contacts[i][0] <= dt.timedelta(days=AGENCY_ATTRIBUTION_DAYS):
                row = rows[contacts[i][1]]
                row.payments += 1
                row.recovered += amount
    return sorted(rows.values(), key=lambda r: r.agency)
