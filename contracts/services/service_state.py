"""On-site service (逾期拒绝上门) under the suspension clause: notice, suspension, restoration."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.webhooks import WebhookEvent, webhook_events_emit
from audit.services import audit_record
from core.errors import ApplicationError

from ..codes import ContractsAction, ContractsError
from ..models import SERVICE_TRANSITIONS, Contract, PlanStatus, ServiceState
from ._common import _lock


def _service_set(contract: Contract, to: str, *, actor: User | None, on: dt.date, reason: str) -> None:
    before = contract.service_state
    if to not in SERVICE_TRANSITIONS[before]:
        raise ApplicationError(
            code=ContractsError.SERVICE_TRANSITION_NOT_ALLOWED,
            message=_("On-site service cannot change from %(a)s to %(b)s.") % {"a": before, "b": to},
        )
    contract.service_state = to
    contract.service_reason = str(reason)[:200]
    if to == ServiceState.NOTICE_GIVEN:
        contract.service_notice_date = on
        contract.service_effective_date = on + dt.timedelta(days=contract.suspension_notice_days)
    elif to == ServiceState.SUSPENDED:
        contract.service_suspended_since = on
    elif to == ServiceState.RESTORED:
        contract.service_suspended_since = None
        contract.service_effective_date = None
    contract.save(
        update_fields=[
            "service_state",
            "service_reason",
            "service_notice_date",
            "service_effective_date",
            "service_suspended_since",
        ]
    )
    audit_record(
        action=ContractsAction(f"service.{to}"),
        actor=actor,
        obj=contract,
        subject_user_id=contract.customer.user_id,
        data={"from": before, "to": to, "on": on, "reason": str(reason), "effective": contract.service_effective_date},
        system="delinquency_sweep",
    )
    if to == ServiceState.RESTORED:
        transaction.on_commit(lambda: _restored_notice_queue(contract.pk, on), robust=True)
    if to in (ServiceState.SUSPENDED, ServiceState.RESTORED):
        webhook_events_emit(
            [
                WebhookEvent(
                    f"service.{to}",
                    f"{contract.pk}:{on.isoformat()}",
                    {
                        "contract": contract.number,
                        "customer": contract.customer.customer_number,
                        "state": to,
                        "on": on,
                        "reason": str(reason),
                    },
                )
            ]
        )


def _restored_notice_queue(contract_id: int, on: dt.date) -> None:
    """The notice that service is back is the notices app's (it depends on this one): its task,
    by name, after commit."""
    from celery import current_app

    current_app.send_task("notices.tasks.service_restored_notify", args=[contract_id, on.isoformat()])


@transaction.atomic
def service_notice_give(*, actor: User | None, contract_id: int, on: dt.date | None = None) -> Contract:
    """Formal notice: on-site service will be suspended after the notice period unless paid.

    Only for contracts with on-site service, past the clause's days past due.
    """
    contract = _lock(contract_id)
    day = on or timezone.localdate()
    if not contract.product.has_onsite_service:
        raise ApplicationError(
            code=ContractsError.NO_ONSITE_SERVICE, message=_("This contract has no on-site service.")
        )
    if contract.days_past_due < contract.suspension_notice_after_days:
        raise ApplicationError(
            code=ContractsError.NOTICE_TOO_EARLY, message=_("The suspension clause does not allow a notice yet.")
        )
    _service_set(
        contract, ServiceState.NOTICE_GIVEN, actor=actor, on=day, reason=_("Formal notice of service suspension")
    )
    return contract


@transaction.atomic
def service_restore(*, actor: User | None, contract_id: int, reason: str, on: dt.date | None = None) -> Contract:
    contract = _lock(contract_id)
    _service_set(contract, ServiceState.RESTORED, actor=actor, on=on or timezone.localdate(), reason=reason)
    return contract


@transaction.atomic
def service_suspend(*, actor: User | None, contract_id: int, on: dt.date | None = None) -> Contract:
    """Suspend now (the notice period must have run)."""
    contract = _lock(contract_id)
    day = on or timezone.localdate()
    if contract.service_state != ServiceState.NOTICE_GIVEN or (contract.service_effective_date or day) > day:
        raise ApplicationError(
            code=ContractsError.NOTICE_PERIOD_RUNNING, message=_("The notice period has not ended yet.")
        )
    _service_set(
        contract, ServiceState.SUSPENDED, actor=actor, on=day, reason=_("Overdue after the formal notice period")
    )
    return contract


def service_restore_if_cured(*, contract_id: int, on: dt.date) -> bool:
    """On-site service comes back as soon as the contract is up to date or on an active plan
    (the suspension clause: "until paid or on a plan"). Runs inside the caller's transaction."""
    contract = Contract.objects.select_for_update().get(pk=contract_id)
    if contract.service_state not in (ServiceState.SUSPENDED, ServiceState.NOTICE_GIVEN):
        return False
    on_plan = contract.plans.filter(status=PlanStatus.ACTIVE).exists()
    if contract.days_past_due > 0 and not on_plan:
        return False
    reason = _("On a repayment plan") if on_plan else _("Overdue amount paid")
    _service_set(contract, ServiceState.RESTORED, actor=None, on=on, reason=reason)
    return True
