"""SLA clocks: remind before a deadline, escalate at a breach."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..codes import AppealsAction
from ..models import Case, CaseStatus, SlaPolicy
from .common import case_audit, case_event_add


@transaction.atomic
def sla_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Hourly: remind the handler before a deadline; at a breach, escalate to a supervisor."""
    from accounts.models import User as UserModel
    from accounts.roles import Role

    now = now or timezone.now()
    counts = {"reminded": 0, "breached": 0}
    open_cases = (
        Case.objects.select_for_update()
        .select_related("customer")
        .filter(
            status__in=[
                CaseStatus.SUBMITTED,
                CaseStatus.ACKNOWLEDGED,
                CaseStatus.INVESTIGATING,
                CaseStatus.APPEAL_REVIEW,
            ]
        )
    )
    supervisor = UserModel.objects.filter(groups__name=Role.SUPERVISOR, is_active=True).order_by("pk").first()
    for case in open_cases:
        due = case.acknowledge_due_at if case.status == CaseStatus.SUBMITTED else case.resolve_due_at
        policy = SlaPolicy.objects.filter(jurisdiction=case.customer.jurisdiction, kind=case.kind).first()
        remind_hours = policy.remind_before_hours if policy else 24
        if due <= now and case.breached_at is None:
            case.breached_at = now
            case.escalated_to = supervisor
            case.save(update_fields=["breached_at", "escalated_to"])
            case_event_add(case, "sla_breached", None, _("Deadline passed; escalated to a supervisor."), visible=False)
            case_audit(
                case, AppealsAction.CASE_SLA_BREACHED, None, due=due, escalated_to=supervisor.pk if supervisor else None
            )
            counts["breached"] += 1
        elif due - dt.timedelta(hours=remind_hours) <= now < due and case.reminded_at is None:
            case.reminded_at = now
            case.save(update_fields=["reminded_at"])
            case_event_add(
                case,
                "sla_reminder",
                None,
                _("Deadline %(due)s is near.") % {"due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}"},
                visible=False,
            )
            case_audit(case, AppealsAction.CASE_SLA_REMINDED, None, due=due)
            counts["reminded"] += 1
    return counts
