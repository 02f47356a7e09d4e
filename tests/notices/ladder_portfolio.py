"""Portfolios for the ladder tests: contracts in every state a ladder step can meet."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction

from accounts.models import ContactPreference, CustomerProfile
from contracts.models import Contract, ProductKind
from contracts.services import delinquency_sweep_range, hold_place, plan_activate, plan_propose
from notices.models import ContactAttempt, ContactRuleTightening
from tests.accounts.factories import make_customer
from tests.contracts.factories import make_contract, make_product

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 10)
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)  # 21:00 in Chicago: outside Regulation F's window


def _sweep(contract: Contract, day: dt.date = DAY) -> Contract:
    delinquency_sweep_range(business_date=day, first_id=contract.pk, last_id=contract.pk)
    contract.refresh_from_db()
    return contract


def overdue(dpd: int, *, customer: CustomerProfile | None = None, day: dt.date = DAY, **product: object) -> Contract:
    first_due = day - dt.timedelta(days=dpd)
    contract = make_contract(
        customer=customer, start_date=first_due - dt.timedelta(days=31), first_due_date=first_due, **product
    )
    return _sweep(contract, day)


def due_in(days: int, *, customer: CustomerProfile | None = None) -> Contract:
    first_due = DAY + dt.timedelta(days=days)
    contract = make_contract(customer=customer, start_date=first_due - dt.timedelta(days=31), first_due_date=first_due)
    return _sweep(contract)


def us_customer(**overrides: object) -> CustomerProfile:
    values: dict[str, object] = {
        "phone": "+1 312 555 0101",
        "jurisdiction": "US-REGF",
        "timezone": "America/Chicago",
        "national_id": "",
    }
    values.update(overrides)
    return make_customer(**values)


def preference(profile: CustomerProfile, **values: object) -> ContactPreference:
    return ContactPreference.objects.create(profile=profile, **values)


def calls(profile: CustomerProfile, contract: Contract, times: list[dt.datetime], outcome: str) -> None:
    for at in times:
        ContactAttempt.objects.create(
            customer=profile,
            contract=contract,
            at=at,
            channel="call",
            endpoint=profile.phone,
            verdict="allowed",
            outcome=outcome,
        )


def uniform(copies: int) -> list[Contract]:
    """``copies`` times three contracts making five notices: a plain first-day reminder (two
    pending), one whose SMS is opted out (one pending, one dropped with its attempt) and a
    lawyer letter on the thirtieth day."""
    made: list[Contract] = []
    for _ in range(copies):
        made.append(overdue(1))
        opted_out = overdue(1)
        preference(opted_out.customer, opt_outs=["sms"])
        made.append(opted_out)
        made.append(overdue(30))
    return made


def varied() -> list[Contract]:
    """Holds, plans, opt-outs, preferred channels, quiet hours and inconvenient times, frequency
    limits reached by history, tightened rules, English texts, due-date and days-past-due
    steps, lawyer letters and the formal notice of service suspension."""
    made: list[Contract] = []
    made.append(overdue(1))  # sms + email, pending
    made.append(overdue(35))  # lawyer letter, two overdue installments with penalty
    english = overdue(7, customer=make_customer(language="en"))  # call task in English
    made.append(english)
    quiet = overdue(1, customer=make_customer())
    preference(quiet.customer, inconvenient_times=["09:00-11:00"])  # deferred to 11:00
    made.append(quiet)
    opted = overdue(3)
    preference(opted.customer, opt_outs=["sms", "email"], preferred_channel="email")
    made.append(opted)
    ceased = overdue(1)
    preference(ceased.customer, cease_requested_on=DAY - dt.timedelta(days=2))
    made.append(ceased)
    represented = overdue(1)
    preference(represented.customer, attorney_name="律师甲")
    made.append(represented)
    made.append(overdue(1, customer=us_customer()))  # Regulation F window: deferred to 08:00 Chicago
    # Seven calls in seven days already (US) and six unanswered today (CN).
    us_calls = overdue(7, customer=us_customer(phone="+1 312 555 0102"))
    calls(us_calls.customer, us_calls, [NOW - dt.timedelta(days=d, hours=1) for d in range(7)], "no_answer")
    made.append(us_calls)
    # Seven calls, but one to a number not in service: not placed to the consumer, so the
    # call task goes ahead (comment 14(b)(3)(ii)-1).
    us_dead = overdue(7, customer=us_customer(phone="+1 312 555 0103"))
    calls(us_dead.customer, us_dead, [NOW - dt.timedelta(days=d, hours=1) for d in range(1, 7)], "no_answer")
    calls(us_dead.customer, us_dead, [NOW - dt.timedelta(hours=2)], "not_in_service")
    preference(us_dead.customer, employer_prohibits_work_contact=True)
    made.append(us_dead)
    cn_calls = overdue(7)
    calls(cn_calls.customer, cn_calls, [NOW - dt.timedelta(minutes=10 * m + 5) for m in range(6)], "no_answer")
    made.append(cn_calls)
    # Tightened rules for the product and reduced limits while a complaint is open.
    tightened = overdue(1)
    ContactRuleTightening.objects.create(
        product=tightened.product, jurisdiction="CN", window_start=dt.time(11, 0), window_end=dt.time(20, 0)
    )
    preference(tightened.customer, reduced_contact_limits=True)
    made.append(tightened)
    # A dispute hold on one contract: none of its collection notices; its sibling still gets them.
    held = overdue(1)
    hold_place(actor=None, contract_id=held.pk, reason="dispute", source="test")
    made.append(held)
    made.append(overdue(1, customer=held.customer))
    # Due-date steps: three days before (the preferred email instead of SMS) and on the day.
    pre_due = due_in(3)
    preference(pre_due.customer, preferred_channel="email")
    made.append(pre_due)
    made.append(due_in(0))
    # A repayment plan whose first installment falls due today; collection pauses, the reminder does not.
    planned = make_contract(start_date=dt.date(2026, 1, 5), first_due_date=dt.date(2026, 2, 5))
    _sweep(planned, dt.date(2026, 2, 10))
    with transaction.atomic():
        plan = plan_propose(actor=None, contract_id=planned.pk, months=3, on=dt.date(2026, 2, 10))
        plan_activate(actor=None, plan_id=plan.pk, on=dt.date(2026, 2, 10))
    made.append(_sweep(planned))
    made.append(overdue(1, customer=planned.customer))  # held only as to the plan's contract
    # On-site service: the formal notice the day after the grace period, and one the clause refuses.
    service = make_product(kind=ProductKind.SERVICE_SUBSCRIPTION, suspension_notice_after_days=3)
    made.append(overdue(4, product=service))
    early = make_product(kind=ProductKind.SERVICE_SUBSCRIPTION, suspension_notice_after_days=30)
    made.append(overdue(4, product=early))
    return made


def seen_yesterday() -> Contract:
    """A contract whose first-day reminders were written yesterday: today they are not again."""
    from notices.services import ladder_evaluate

    yesterday = DAY - dt.timedelta(days=1)
    contract = overdue(1, day=yesterday)
    ladder_evaluate(business_date=yesterday, first_id=contract.pk, last_id=contract.pk, now=NOW - dt.timedelta(days=1))
    return _sweep(contract)
