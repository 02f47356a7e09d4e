"""No suit and no threat of suit on a time-barred debt (12 CFR 1006.26(b)): the engine refuses
communications with legal content on both the single and the nightly ladder path, at schedule
time and again at send time; the legal route (the referral review) is refused by its guard."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.services import contract_time_barred_flag_set, delinquency_sweep_range
from notices.compliance import ReasonCode
from notices.contact import ProposedDetails, contact_judge
from notices.models import CallTask, ContactAttempt, LadderStep, Notice, NoticeStatus, NoticeTemplate, Purpose
from notices.services import ladder_range_write, notice_deliver, notice_schedule
from notices.services.templates import template_save
from tests.accounts.factories import make_customer
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
BARRED = ReasonCode.TIME_BARRED_SUIT_THREAT.value
DAY = dt.date(2026, 3, 1)  # an installment of the long contracts falls due today
NOW = dt.datetime(2026, 3, 1, 10, 0, tzinfo=LA)
_phones = iter(range(100, 200))


def us_customer():
    return make_customer(
        jurisdiction="US-REGF",
        timezone="America/Los_Angeles",
        phone=f"+1 213 555 0{next(_phones)}",
        national_id="",
    )


def long_contract(*, start: dt.date, state: str | None = "CA"):
    """Monthly installments from a month after ``start`` up to past ``DAY``, none paid."""
    return make_contract(customer=us_customer(), start_date=start, term=96, max_term=120, governing_state=state)


def threatening_due_today_sms() -> NoticeTemplate:
    """The due-today text of a lender that mentions a suit (marked so by compliance)."""
    current = NoticeTemplate.objects.get(purpose=Purpose.DUE_TODAY, channel="sms", locale="zh-hans", is_active=True)
    return template_save(
        actor=None,
        purpose=current.purpose,
        channel=current.channel,
        locale=current.locale,
        subject=current.subject,
        body=current.body + " 逾期不还将依法起诉。",
        threatens_legal_action=True,
    )


def ladder(contracts, now=NOW, day=DAY):
    ids = [c.pk for c in contracts]
    return ladder_range_write(business_date=day, first_id=min(ids), last_id=max(ids), now=now)


def test_a_suit_threat_on_a_time_barred_debt_is_dropped_by_the_ladder_and_a_plain_reminder_is_not() -> None:
    threatening_due_today_sms()
    barred = long_contract(start=dt.date(2020, 1, 1))  # first due 2020-02-01, CA 4 years: barred since 2024-02-02
    in_period = long_contract(start=dt.date(2023, 1, 1))  # first due 2023-02-01: in time until 2027-02-01
    ladder([barred, in_period])

    sms = Notice.objects.get(contract=barred, channel="sms")
    assert sms.status == NoticeStatus.DROPPED
    assert sms.reason_codes == [BARRED]
    assert ContactAttempt.objects.get(notice=sms).reason_codes == [BARRED]
    # The in-app text of the same step threatens nothing: it goes.
    assert Notice.objects.get(contract=barred, channel="in_app").status == NoticeStatus.PENDING
    # The same threatening text on a debt still in its period is allowed.
    assert Notice.objects.get(contract=in_period, channel="sms").status == NoticeStatus.PENDING


def test_the_single_path_refuses_the_same_notice() -> None:
    threatening_due_today_sms()
    barred = long_contract(start=dt.date(2020, 1, 1))
    step = LadderStep.objects.get(ladder__product__isnull=True, code="due")
    notice = notice_schedule(
        contract=barred, step=step, purpose=Purpose.DUE_TODAY, channel="sms", key="t:1", business_date=DAY, now=NOW
    )
    assert notice is not None and notice.status == NoticeStatus.DROPPED
    assert notice.reason_codes == [BARRED]
    verdict = contact_judge(
        profile=barred.customer,
        contract=barred,
        proposed=ProposedDetails(channel="letter", at=NOW, purpose=Purpose.LAWYER_LETTER, legal_action=True),
    )
    assert not verdict.allowed and [str(r) for r in verdict.reasons] == [BARRED]
    reminder = contact_judge(
        profile=barred.customer,
        contract=barred,
        proposed=ProposedDetails(channel="letter", at=NOW, purpose=Purpose.OVERDUE_REMINDER),
    )
    assert reminder.allowed


def test_no_period_known_means_only_the_flag_makes_it_time_barred() -> None:
    threatening_due_today_sms()
    kentucky = long_contract(start=dt.date(2019, 1, 1), state="KY")
    ladder([kentucky])
    assert Notice.objects.get(contract=kentucky, channel="sms").status == NoticeStatus.PENDING
    cn = long_contract(start=dt.date(2019, 1, 1), state=None)
    ladder([cn])
    assert Notice.objects.get(contract=cn, channel="sms").status == NoticeStatus.PENDING


def test_the_ladder_stays_set_based_with_time_barred_contracts() -> None:
    threatening_due_today_sms()

    def queries(count: int) -> int:
        contracts = [long_contract(start=dt.date(2020, 1, 1)) for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            ladder(contracts)
        assert Notice.objects.filter(contract__in=contracts, status=NoticeStatus.DROPPED).count() == count
        return len(captured.captured_queries)

    assert queries(1) == queries(4)


def _lawyer_letter_contract(day: dt.date):
    first_due = day - dt.timedelta(days=30)
    contract = make_contract(
        customer=us_customer(),
        start_date=first_due - dt.timedelta(days=31),
        first_due_date=first_due,
        governing_state="CA",
    )
    delinquency_sweep_range(business_date=day, first_id=contract.pk, last_id=contract.pk)
    contract.refresh_from_db()
    return contract


def test_a_lawyer_letter_scheduled_in_time_is_dropped_at_send_time_once_the_debt_is_time_barred() -> None:
    day = dt.date(2026, 3, 10)
    now = dt.datetime(2026, 3, 10, 10, 0, tzinfo=LA)
    contract = _lawyer_letter_contract(day)
    ladder([contract], now=now, day=day)
    letter = Notice.objects.get(contract=contract, purpose=Purpose.LAWYER_LETTER)
    assert letter.status == NoticeStatus.PENDING
    # Staff learn the debt may be time-barred (the flag) before the letter goes out.
    contract_time_barred_flag_set(actor=None, contract_id=contract.pk, flagged=True, reason="older debt found")
    assert notice_deliver(letter.pk, now=now + dt.timedelta(minutes=5)) == NoticeStatus.DROPPED
    letter.refresh_from_db()
    assert letter.reason_codes == [BARRED]
    assert not letter.document  # no letter was made


def test_a_lawyer_letter_goes_when_the_debt_is_in_period() -> None:
    day = dt.date(2026, 3, 10)
    now = dt.datetime(2026, 3, 10, 10, 0, tzinfo=LA)
    contract = _lawyer_letter_contract(day)
    ladder([contract], now=now, day=day)
    letter = Notice.objects.get(contract=contract, purpose=Purpose.LAWYER_LETTER)
    assert notice_deliver(letter.pk, now=now) in (NoticeStatus.SENT, NoticeStatus.DELIVERED)


def test_the_legal_referral_review_is_refused_by_the_legal_route_guard() -> None:
    day = dt.date(2026, 3, 10)
    now = dt.datetime(2026, 3, 10, 10, 0, tzinfo=LA)
    first_due = day - dt.timedelta(days=60)
    contract = make_contract(
        customer=us_customer(),
        start_date=first_due - dt.timedelta(days=31),
        first_due_date=first_due,
        governing_state="CA",
    )
    delinquency_sweep_range(business_date=day, first_id=contract.pk, last_id=contract.pk)
    contract_time_barred_flag_set(actor=None, contract_id=contract.pk, flagged=True, reason="judgment period ran")
    ladder([contract], now=now, day=day)
    review = Notice.objects.get(contract=contract, purpose=Purpose.LEGAL_REVIEW)
    assert review.status == NoticeStatus.DROPPED
    assert review.reason_codes == [BARRED]
    assert not CallTask.objects.filter(notice=review).exists()
