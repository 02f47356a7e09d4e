"""逾期拒绝上门 end to end, with a real Celery worker and beat: the nightly batch gives the formal
notice (letter, SMS, in-app: effective date, the amount that prevents it, how to restore, how to
appeal), suspends on the effective date, and a payment restores service at once with a notice;
the field-service dispatch API answers accordingly at each step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from celery import current_app
from django.utils import timezone

from contracts.models import Contract, ServiceState
from contracts.selectors import contract_balance
from notices.models import Notice, Purpose
from tests.api.helpers import token_client
from tests.celery_runtime import celery_processes, wait_for
from tests.contracts.factories import make_contract
from tests.contracts.test_sweep import subscription_product
from tests.notices.test_celery_delivery import free_port
from tests.notices.test_delivery_workers import publish, worker_env


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_notice_effective_date_suspension_payment_restoration_through_celery_and_the_api(tmp_path):
    today = timezone.localdate()
    product = subscription_product(grace_days=3)
    contract = make_contract(product=product, principal="300.00", start_date=today - dt.timedelta(days=75))
    first_due = contract.installments.order_by("due_date").first().due_date
    notice_night = first_due + dt.timedelta(days=product.grace_days + 1)  # the grace-end step: 4 days past due
    effective = notice_night + dt.timedelta(days=product.suspension_notice_days)
    assert effective < today - dt.timedelta(days=1)
    dispatch = token_client(["eligibility:read"])
    number = contract.customer.customer_number

    def eligibility() -> dict:
        response = dispatch.get("/api/v1/service-eligibility", {"customer": number})
        assert response.status_code == 200, response.content
        return response.json()

    assert eligibility()["state"] == ServiceState.ALLOWED
    env = worker_env(tmp_path, free_port(), OUTBOX_RELAY_SECONDS="2")
    with celery_processes(tmp_path, beat=True, extra_env=env):

        def state() -> str:
            return Contract.objects.get(pk=contract.pk).service_state

        # The night the clause is met: the formal notice, on three channels.
        publish(tmp_path, env, "notices.tasks.sweep_and_notify", [notice_night.isoformat()])
        wait_for(lambda: state() == ServiceState.NOTICE_GIVEN, timeout=90, logs=tmp_path)
        answer = eligibility()
        assert answer["state"] == ServiceState.NOTICE_GIVEN and answer["may_dispatch"] is True
        assert answer["since"] == notice_night.isoformat()
        formal = Notice.objects.filter(contract=contract, purpose=Purpose.SUSPENSION_NOTICE)
        wait_for(lambda: formal.count() == 3, timeout=60, logs=tmp_path)
        assert set(formal.values_list("channel", flat=True)) == {"letter", "sms", "in_app"}
        letter = formal.get(channel="letter").body
        overdue = contract_balance(contract=contract, as_of=notice_night).overdue
        assert effective.strftime("%Y") in letter and f"{overdue:,.2f}" in letter  # the date, the amount
        assert "/me/appeals/" in letter

        # The day before the effective date nothing changes; on it, suspended.
        publish(tmp_path, env, "notices.tasks.sweep_and_notify", [(effective - dt.timedelta(days=1)).isoformat()])
        publish(tmp_path, env, "notices.tasks.sweep_and_notify", [effective.isoformat()])
        wait_for(lambda: state() == ServiceState.SUSPENDED, timeout=90, logs=tmp_path)
        answer = eligibility()
        assert answer["state"] == ServiceState.SUSPENDED and answer["may_dispatch"] is False
        assert answer["since"] == effective.isoformat()

        # The nights up to yesterday: still suspended (nothing paid).
        yesterday = today - dt.timedelta(days=1)
        publish(tmp_path, env, "notices.tasks.sweep_and_notify", [yesterday.isoformat()])
        wait_for(lambda: Contract.objects.get(pk=contract.pk).accrued_through == yesterday, timeout=90, logs=tmp_path)
        assert eligibility()["state"] == ServiceState.SUSPENDED

        # Paid: restored at once (in the payment's transaction), and the customer is told.
        payer = token_client(["payments:write"])
        owed = contract_balance(contract=Contract.objects.get(pk=contract.pk)).pay_now
        queued: list[tuple[str, list]] = []
        with mock.patch.object(
            current_app, "send_task", lambda name, args=None, **kw: queued.append((name, list(args or [])))
        ):
            paid = payer.post(
                "/api/v1/payments",
                {
                    "contract": contract.number,
                    "amount": str(owed),
                    "channel": "bank_transfer",
                    "reference": "RESTORE-1",
                    "received_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(),
                },
                format="json",
                HTTP_IDEMPOTENCY_KEY="restore-1",
            )
        assert paid.status_code == 201, paid.content
        assert state() == ServiceState.RESTORED
        answer = eligibility()
        assert answer["state"] == ServiceState.RESTORED and answer["may_dispatch"] is True
        # The restoration notice was queued after commit; the worker writes and sends it.
        assert queued == [("notices.tasks.service_restored_notify", [contract.pk, today.isoformat()])]
        publish(tmp_path, env, *queued[0])
        restored = Notice.objects.filter(contract=contract, purpose=Purpose.SERVICE_RESTORED)
        wait_for(lambda: restored.filter(channel="in_app").exists(), timeout=60, logs=tmp_path)
        assert contract.number in restored.get(channel="in_app").body
        assert owed > Decimal("0")
