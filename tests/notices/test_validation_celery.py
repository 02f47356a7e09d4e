"""End to end with a real Celery worker: a US debt enters collection, the night sends its
validation notice first; a dispute inside the validation period stops the ladder's notices
from being delivered (15 U.S.C. 1692g(b)) until staff send the verification, and the ladder's
notices are delivered again after it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from contracts.models import CollectionHold, HoldReason
from notices.models import CallTask, InAppMessage, Notice, NoticeStatus, Purpose, ValidationNotice
from notices.services.validation import validation_response_record, verification_send
from tests.accounts.factories import make_staff
from tests.celery_runtime import celery_processes, wait_for
from tests.contracts.factories import make_contract
from tests.notices.test_celery_delivery import celery_call
from tests.notices.validation_helpers import START, us_customer, us_product

OPEN = [NoticeStatus.PENDING, NoticeStatus.SENDING]


def _step_notices(contract, code: str) -> list[Notice]:  # type: ignore[no-untyped-def]
    return list(Notice.objects.filter(contract=contract, step__code=code))


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_dispute_inside_the_validation_period_pauses_the_ladder_until_verification(tmp_path):
    customer = us_customer()
    contract = make_contract(customer=customer, product=us_product(), principal="3000.00", term=6, start_date=START)
    staff = make_staff()
    env = {"FAIRDUE_VAR_DIR": str(tmp_path / "var")}
    with celery_processes(tmp_path, extra_env=env):
        # Feb 2: one day past due. The night sends the validation notice (by mail), then dpd-1.
        celery_call(tmp_path, "notices.tasks.sweep_and_notify", "2026-02-02")
        wait_for(
            lambda: ValidationNotice.objects.filter(contract=contract, sent_at__isnull=False).exists()
            and not Notice.objects.filter(status__in=OPEN).exists(),
            timeout=180,
            logs=tmp_path,
        )
        record = ValidationNotice.objects.get(contract=contract)
        assert record.notice.purpose == Purpose.VALIDATION_NOTICE
        assert record.notice.status == NoticeStatus.SENT and record.notice.document
        assert record.channel == "letter"
        assert any(n.status in (NoticeStatus.SENT, NoticeStatus.DELIVERED) for n in _step_notices(contract, "dpd-1"))

        # Feb 5, inside the period: the consumer disputes the amount.
        response = validation_response_record(
            actor=customer.user,
            validation_notice_id=record.pk,
            dispute_reasons=["amount_wrong"],
            received_on=dt.date(2026, 2, 5),
        )
        assert response.within_period and response.hold is not None
        assert response.hold.reason == HoldReason.VALIDATION_DISPUTE

        # The banner (dpd-3) and the call task (dpd-7) are not delivered while the hold is open.
        for day in ("2026-02-04", "2026-02-08"):
            celery_call(tmp_path, "notices.tasks.sweep_and_notify", day)
        wait_for(
            lambda: bool(_step_notices(contract, "dpd-7")) and not Notice.objects.filter(status__in=OPEN).exists(),
            timeout=180,
            logs=tmp_path,
        )
        held = _step_notices(contract, "dpd-3") + _step_notices(contract, "dpd-7")
        assert held and all(n.status == NoticeStatus.DROPPED for n in held)
        assert all("DISPUTE_HOLD" in n.reason_codes for n in held)
        assert not InAppMessage.objects.filter(notice__in=held).exists()
        assert not CallTask.objects.filter(contract=contract).exists()

        # Staff send the verification; the worker mails it and the hold lifts.
        verification = verification_send(actor=staff, response_id=response.pk)
        wait_for(
            lambda: CollectionHold.objects.filter(pk=response.hold_id, released_on__isnull=False).exists(),
            timeout=120,
            logs=tmp_path,
        )
        verification.refresh_from_db()
        assert verification.purpose == Purpose.VERIFICATION and verification.status == NoticeStatus.SENT

        # Mar 3 (30 days past due): the ladder's letter is delivered again.
        celery_call(tmp_path, "notices.tasks.sweep_and_notify", "2026-03-03")
        wait_for(
            lambda: bool(_step_notices(contract, "dpd-30")) and not Notice.objects.filter(status__in=OPEN).exists(),
            timeout=180,
            logs=tmp_path,
        )
        resumed = _step_notices(contract, "dpd-30")
        assert [n.status for n in resumed] == [NoticeStatus.SENT]
        assert resumed[0].document
