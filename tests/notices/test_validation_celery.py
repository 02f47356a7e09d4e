"""End to end with a real Celery worker: a US debt enters collection and the night sends its
validation notice first; a dispute inside the validation period stops the ladder's notices
from being delivered (15 U.S.C. 1692g(b)) until staff send the verification, and the ladder's
notices are delivered again after it."""

from __future__ import annotations

import datetime as dt

import pytest

from contracts.models import CollectionHold, Contract, HoldReason
from notices.models import CallTask, InAppMessage, Notice, NoticeStatus, Purpose, ValidationNotice
from notices.services import sweep_and_notify_range
from notices.services.validation import validation_response_record, verification_send
from tests.accounts.factories import make_staff
from tests.celery_runtime import celery_processes, wait_for
from tests.contracts.factories import make_contract
from tests.notices.test_celery_delivery import celery_call
from tests.notices.validation_helpers import START, us_customer, us_product

OPEN = [NoticeStatus.PENDING, NoticeStatus.SENDING]


def _step(contract: Contract, code: str) -> list[Notice]:
    return list(Notice.objects.filter(contract=contract, step__code=code))


def _settled() -> bool:
    return not Notice.objects.filter(status__in=OPEN).exists()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_dispute_inside_the_validation_period_pauses_the_ladder_until_verification(tmp_path):
    customer = us_customer()
    contract = make_contract(customer=customer, product=us_product(), principal="3000.00", term=6, start_date=START)
    staff = make_staff()
    # Rows queued by this process (its broker is not the worker's) are picked up by the relay.
    env = {"FAIRDUE_VAR_DIR": str(tmp_path / "var"), "DELIVERY_REQUEUE_AFTER_SECONDS": "0"}

    with celery_processes(tmp_path, extra_env=env):
        # Feb 2, one day past due: the night sends the validation notice by mail, then dpd-1.
        celery_call(tmp_path, "notices.tasks.sweep_and_notify", "2026-02-02")
        wait_for(
            lambda: (
                ValidationNotice.objects.filter(contract=contract, sent_at__isnull=False).exists()
                and bool(_step(contract, "dpd-1"))
                and _settled()
            ),
            timeout=180,
            logs=tmp_path,
        )
    record = ValidationNotice.objects.get(contract=contract)
    assert record.notice.purpose == Purpose.VALIDATION_NOTICE and record.channel == "letter"
    assert record.notice.status == NoticeStatus.SENT and record.notice.document
    assert any(n.status in (NoticeStatus.SENT, NoticeStatus.DELIVERED) for n in _step(contract, "dpd-1"))

    # Feb 4: the banner (dpd-3) is written while no worker runs; then, on Feb 5, inside the
    # validation period, the consumer disputes the amount.
    sweep_and_notify_range(business_date=dt.date(2026, 2, 4), first_id=contract.pk, last_id=contract.pk)
    [banner] = _step(contract, "dpd-3")
    assert banner.status == NoticeStatus.PENDING
    response = validation_response_record(
        actor=customer.user,
        validation_notice_id=record.pk,
        dispute_reasons=["amount_wrong"],
        received_on=dt.date(2026, 2, 5),
    )
    assert response.within_period and response.hold is not None
    assert response.hold.reason == HoldReason.VALIDATION_DISPUTE

    with celery_processes(tmp_path, extra_env=env):
        # The worker judges the banner again at send time: not delivered while the hold is open.
        celery_call(tmp_path, "notices.tasks.outbox_relay")
        wait_for(lambda: _settled(), timeout=120, logs=tmp_path)
        banner.refresh_from_db()
        assert banner.status == NoticeStatus.DROPPED and "DISPUTE_HOLD" in banner.reason_codes
        assert not InAppMessage.objects.filter(notice=banner).exists()
        # Feb 8 (7 days past due): the ladder holds the call task back as well.
        celery_call(tmp_path, "notices.tasks.sweep_and_notify", "2026-02-08")
        wait_for(
            lambda: (
                ValidationNotice.objects.filter(contract=contract).exists()
                and Contract.objects.filter(pk=contract.pk, days_past_due__gte=7).exists()
            ),
            timeout=120,
            logs=tmp_path,
        )
        wait_for(_settled, timeout=60, logs=tmp_path)
        assert not _step(contract, "dpd-7")
        assert not CallTask.objects.filter(contract=contract).exists()

        # Staff send the verification; the worker mails it and only then the hold lifts.
        verification = verification_send(actor=staff, response_id=response.pk)
        assert CollectionHold.objects.get(pk=response.hold_id).released_on is None
        celery_call(tmp_path, "notices.tasks.outbox_relay")
        wait_for(
            lambda: CollectionHold.objects.filter(pk=response.hold_id, released_on__isnull=False).exists(),
            timeout=120,
            logs=tmp_path,
        )
        verification.refresh_from_db()
        assert verification.purpose == Purpose.VERIFICATION and verification.status == NoticeStatus.SENT
        assert verification.document

        # Feb 10: collection resumes; the call task of the 7-days step (inside its catch-up
        # window) is delivered now.
        celery_call(tmp_path, "notices.tasks.sweep_and_notify", "2026-02-10")
        wait_for(lambda: bool(_step(contract, "dpd-7")) and _settled(), timeout=180, logs=tmp_path)
        [call] = _step(contract, "dpd-7")
        assert call.status == NoticeStatus.DELIVERED
        assert CallTask.objects.filter(contract=contract, notice=call).exists()
