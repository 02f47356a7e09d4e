"""Time-barred debts (12 CFR 1006.26(b)): the limitation table, a contract's period, accrual date
and time-barred date, the manual flag, and the guard of the legal route."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from contracts.checks import limitation_periods_known
from contracts.codes import ContractsAction, ContractsError
from contracts.limitation import (
    LimitationFacts,
    Period,
    accrual_date,
    add_years,
    is_time_barred,
    limitation_of,
    period_in_force,
    time_barred_on,
)
from contracts.models import Contract, DebtType, LimitationPeriod, UsState
from contracts.selectors import contract_limitation, contracts_limitation, limitation_jurisdictions_missing
from contracts.services import (
    contract_governing_law_set,
    contract_time_barred_flag_set,
    legal_action_check,
    limitation_period_save,
    payment_post,
)
from core.errors import ApplicationError, ConflictError
from tests.accounts.factories import make_customer, make_staff
from tests.contracts.factories import make_contract

D = dt.date
CA = Period("CA", DebtType.WRITTEN_CONTRACT, 4, False, "Cal. Civ. Proc. Code § 337")
REVIVING = Period("ZZ", DebtType.WRITTEN_CONTRACT, 3, True, "test § 1")


def facts(**changes: object) -> LimitationFacts:
    values: dict[str, object] = {
        "governing_state": "CA",
        "debt_type": DebtType.WRITTEN_CONTRACT,
        "first_unpaid_due": D(2020, 3, 10),
        "last_payment": None,
        "flagged": False,
    }
    values.update(changes)
    return LimitationFacts(**values)  # type: ignore[arg-type]


# --- the pure rules -------------------------------------------------------------------------------


def test_the_debt_is_time_barred_from_the_day_after_the_anniversary() -> None:
    assert time_barred_on(facts(), [CA], D(2024, 3, 10)) == D(2024, 3, 11)
    assert not is_time_barred(facts(), [CA], D(2024, 3, 10))  # a suit filed on the anniversary is in time
    assert is_time_barred(facts(), [CA], D(2024, 3, 11))
    assert not is_time_barred(facts(), [CA], D(2021, 1, 1))


def test_an_accrual_on_29_february_reaches_its_anniversary_on_28_february() -> None:
    assert add_years(D(2020, 2, 29), 3) == D(2023, 2, 28)
    assert add_years(D(2020, 2, 29), 4) == D(2024, 2, 29)
    assert time_barred_on(facts(first_unpaid_due=D(2020, 2, 29)), [CA], D(2025, 1, 1)) == D(2024, 3, 1)


def test_a_payment_restarts_the_period_only_where_the_row_says_so() -> None:
    paid = facts(governing_state="ZZ", last_payment=D(2022, 6, 1))
    assert accrual_date(first_unpaid_due=D(2020, 3, 10), last_payment=D(2022, 6, 1), revived_by_payment=True) == D(
        2022, 6, 1
    )
    assert time_barred_on(paid, [REVIVING], D(2026, 1, 1)) == D(2025, 6, 2)
    assert not is_time_barred(paid, [REVIVING], D(2025, 6, 1))
    assert is_time_barred(paid, [REVIVING], D(2025, 6, 2))
    # The same payment where payments do not revive the debt: the period runs from the default.
    not_reviving = Period("ZZ", DebtType.WRITTEN_CONTRACT, 3, False, "test § 1")
    assert time_barred_on(paid, [not_reviving], D(2026, 1, 1)) == D(2023, 3, 11)
    # A payment after the day judged does not count on that day.
    assert time_barred_on(paid, [REVIVING], D(2022, 5, 31)) == D(2023, 3, 11)
    # A payment before the oldest unpaid due date restarts nothing.
    early = facts(governing_state="ZZ", last_payment=D(2020, 1, 1))
    assert time_barred_on(early, [REVIVING], D(2026, 1, 1)) == D(2023, 3, 11)


def test_the_row_in_force_on_the_day_judged_applies_and_overlaps_take_the_shortest() -> None:
    old = Period("NY", DebtType.WRITTEN_CONTRACT, 6, False, "CPLR 213(2)", None, D(2022, 4, 6))
    new = Period("NY", DebtType.WRITTEN_CONTRACT, 3, False, "CPLR 214-i", D(2022, 4, 7), None)
    ny = facts(governing_state="NY", first_unpaid_due=D(2019, 1, 15))
    assert limitation_of(ny, [old, new], D(2022, 4, 6)).period == old
    assert not is_time_barred(ny, [old, new], D(2022, 4, 6))
    assert limitation_of(ny, [old, new], D(2022, 4, 7)).period == new
    assert is_time_barred(ny, [old, new], D(2022, 4, 7))
    longer = Period("NY", DebtType.WRITTEN_CONTRACT, 10, False, "x", D(2022, 1, 1), None)
    assert period_in_force([longer, new], jurisdiction="NY", debt_type="written_contract", on_date=D(2023, 1, 1)) == new


def test_no_period_known_means_time_barred_only_by_the_flag() -> None:
    unknown = facts(governing_state="KY", first_unpaid_due=D(2000, 1, 1))
    limitation = limitation_of(unknown, [CA], D(2026, 1, 1))
    assert limitation.applies and not limitation.period_known
    assert limitation.time_barred_on is None and not limitation.is_time_barred
    assert is_time_barred(facts(governing_state="KY", flagged=True), [CA], D(2026, 1, 1))
    # Another debt type has no row either.
    assert not is_time_barred(facts(debt_type=DebtType.OPEN_ACCOUNT), [CA], D(2030, 1, 1))
    # Nothing unpaid: nothing runs.
    assert time_barred_on(facts(first_unpaid_due=None), [CA], D(2030, 1, 1)) is None


# --- the table ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_seeds_written_contract_periods_for_the_states_it_is_sure_of() -> None:
    rows = LimitationPeriod.objects.filter(debt_type=DebtType.WRITTEN_CONTRACT)
    states = set(rows.values_list("jurisdiction", flat=True))
    assert len(states) == 49
    assert set(UsState.values) - states == {"KY", "LA"}
    assert all(row.citation for row in rows)
    today = D(2026, 6, 1)
    assert rows.get(jurisdiction="CA").years == 4
    assert rows.get(jurisdiction="TX").years == 4
    assert rows.get(jurisdiction="DC").years == 3
    ny = {(r.years, r.effective_from, r.effective_to) for r in rows.filter(jurisdiction="NY")}
    assert ny == {(6, None, D(2022, 4, 6)), (3, D(2022, 4, 7), None)}
    assert limitation_jurisdictions_missing(on_date=today) == ["KY", "LA"]


@pytest.mark.django_db
def test_the_system_check_lists_jurisdictions_without_a_period() -> None:
    messages = limitation_periods_known(None)
    assert [m.id for m in messages] == ["contracts.W001"]
    assert "KY, LA" in messages[0].msg
    staff = make_staff()
    for state in ("KY", "LA"):
        limitation_period_save(
            actor=staff, period=LimitationPeriod(jurisdiction=state, years=5, citation=f"{state} test § 1")
        )
    assert limitation_periods_known(None) == []


@pytest.mark.django_db
def test_saving_a_period_is_audited_and_refuses_overlaps_bad_dates_and_years() -> None:
    staff = make_staff()
    saved = limitation_period_save(
        actor=staff,
        period=LimitationPeriod(
            jurisdiction="CA", debt_type=DebtType.OPEN_ACCOUNT, years=4, citation="Cal. Civ. Proc. Code § 337"
        ),
    )
    event = AuditEvent.objects.get(action=ContractsAction.LIMITATION_PERIOD_SAVED, object_id=str(saved.pk))
    assert event.data["after"]["years"] == 4 and event.data["before"] is None
    count = LimitationPeriod.objects.count()
    with pytest.raises(ApplicationError) as overlap:
        limitation_period_save(
            actor=staff,
            period=LimitationPeriod(jurisdiction="CA", debt_type=DebtType.WRITTEN_CONTRACT, years=2, citation="x"),
        )
    assert overlap.value.code == ContractsError.LIMITATION_PERIOD_OVERLAP
    with pytest.raises(ApplicationError) as dates:
        limitation_period_save(
            actor=staff,
            period=LimitationPeriod(
                jurisdiction="KY", years=5, citation="x", effective_from=D(2020, 1, 1), effective_to=D(2019, 1, 1)
            ),
        )
    assert dates.value.code == ContractsError.LIMITATION_PERIOD_DATES
    with pytest.raises(ApplicationError) as years:
        limitation_period_save(actor=staff, period=LimitationPeriod(jurisdiction="KY", years=0, citation="x"))
    assert years.value.code == ContractsError.LIMITATION_PERIOD_YEARS
    assert LimitationPeriod.objects.count() == count
    # Closing the open row and starting a new one after it is fine.
    ca = LimitationPeriod.objects.get(jurisdiction="CA", debt_type=DebtType.WRITTEN_CONTRACT)
    ca.effective_to = D(2026, 12, 31)
    limitation_period_save(actor=staff, period=ca)
    limitation_period_save(
        actor=staff,
        period=LimitationPeriod(jurisdiction="CA", years=5, citation="new", effective_from=D(2027, 1, 1)),
    )
    changed = AuditEvent.objects.filter(action=ContractsAction.LIMITATION_PERIOD_SAVED, object_id=str(ca.pk)).get()
    assert changed.data["before"]["effective_to"] is None
    assert changed.data["after"]["effective_to"] == "2026-12-31"


# --- contracts --------------------------------------------------------------------------------------


def _us_customer():
    return make_customer(jurisdiction="US-REGF", timezone="America/Los_Angeles", phone="", email="us@example.test")


@pytest.mark.django_db
def test_a_contract_knows_its_state_and_when_it_becomes_time_barred() -> None:
    contract = make_contract(customer=_us_customer(), start_date=D(2019, 1, 1), term=6, governing_state="CA")
    first_due = contract.installments.order_by("due_date").first().due_date
    assert first_due == D(2019, 2, 1)
    limitation = contract_limitation(contract=contract, on_date=D(2023, 2, 1))
    assert limitation.period is not None and limitation.period.years == 4
    assert limitation.accrual_date == first_due
    assert limitation.time_barred_on == D(2023, 2, 2)
    assert not limitation.is_time_barred
    assert contract_limitation(contract=contract, on_date=D(2023, 2, 2)).is_time_barred
    # Before the first due date nothing is unpaid, so nothing runs.
    assert contract_limitation(contract=contract, on_date=D(2019, 1, 15)).time_barred_on is None


@pytest.mark.django_db
def test_a_cn_contract_has_no_limitation_and_costs_no_query(django_assert_num_queries) -> None:
    contract = make_contract(start_date=D(2010, 1, 1), term=6)
    assert contract.governing_state is None
    with django_assert_num_queries(0):
        limitation = contract_limitation(contract=contract, on_date=D(2026, 1, 1))
    assert not limitation.applies and not limitation.is_time_barred
    legal_action_check(contract=contract, on_date=D(2026, 1, 1))  # no error


@pytest.mark.django_db
def test_a_payment_restarts_the_period_where_the_state_row_says_so() -> None:
    LimitationPeriod.objects.filter(jurisdiction="CA").update(revived_by_payment=True)
    contract = make_contract(customer=_us_customer(), start_date=D(2019, 1, 1), term=3, governing_state="CA")
    payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank",
        external_reference="p-1",
        amount=Decimal("100.00"),
        received_at=dt.datetime(2020, 6, 15, 12, tzinfo=dt.UTC),
    )
    limitation = contract_limitation(contract=contract, on_date=D(2024, 6, 1))
    assert limitation.accrual_date == D(2020, 6, 15)
    assert limitation.time_barred_on == D(2024, 6, 16)
    LimitationPeriod.objects.filter(jurisdiction="CA").update(revived_by_payment=False)
    assert contract_limitation(contract=contract, on_date=D(2024, 6, 1)).time_barred_on == D(2023, 2, 2)


@pytest.mark.django_db
def test_bulk_limitation_reads_a_fixed_number_of_queries(django_assert_num_queries) -> None:
    customer = _us_customer()
    contracts = [
        make_contract(customer=customer, start_date=D(2015 + n, 1, 1), term=3, governing_state="CA") for n in range(4)
    ]
    contracts.append(make_contract(start_date=D(2015, 1, 1), term=3))  # CN: not loaded
    fresh = list(Contract.objects.filter(pk__in=[c.pk for c in contracts]).order_by("pk"))
    with django_assert_num_queries(3):
        found = contracts_limitation(contracts=fresh, on_date=D(2020, 6, 1))
    assert set(found) == {c.pk for c in contracts[:4]}
    barred = {pk for pk, limitation in found.items() if limitation.is_time_barred}
    # First due 2015-02-01 and 2016-02-01: barred from 2019-02-02 and 2020-02-02; the others later.
    assert barred == {contracts[0].pk, contracts[1].pk}
    assert found[contracts[2].pk].time_barred_on == D(2021, 2, 2)


@pytest.mark.django_db
def test_the_legal_route_refuses_a_time_barred_debt_with_a_coded_translated_error() -> None:
    contract = make_contract(customer=_us_customer(), start_date=D(2015, 1, 1), term=3, governing_state="TX")
    with pytest.raises(ConflictError) as refused:
        legal_action_check(contract=contract, on_date=D(2026, 1, 1))
    assert refused.value.code == ContractsError.TIME_BARRED_LEGAL_ACTION
    assert refused.value.http_status == 409
    assert contract.number in str(refused.value) and "16.004" in str(refused.value)
    from django.utils import translation

    with translation.override("zh-hans"):
        with pytest.raises(ConflictError) as zh:
            legal_action_check(contract=contract, on_date=D(2026, 1, 1))
    assert "诉讼" in str(zh.value)
    legal_action_check(contract=contract, on_date=D(2019, 2, 1))  # in time: allowed


@pytest.mark.django_db
def test_staff_flag_a_debt_without_a_known_period_and_it_is_audited() -> None:
    supervisor = make_staff()
    contract = make_contract(customer=_us_customer(), start_date=D(2015, 1, 1), term=3, governing_state="KY")
    assert not contract_limitation(contract=contract, on_date=D(2026, 1, 1)).is_time_barred
    legal_action_check(contract=contract, on_date=D(2026, 1, 1))
    with pytest.raises(ApplicationError) as no_reason:
        contract_time_barred_flag_set(actor=supervisor, contract_id=contract.pk, flagged=True, reason=" ")
    assert no_reason.value.code == ContractsError.TIME_BARRED_REASON_REQUIRED
    contract_time_barred_flag_set(actor=supervisor, contract_id=contract.pk, flagged=True, reason="KY: over 10 years")
    contract.refresh_from_db()
    assert contract_limitation(contract=contract, on_date=D(2026, 1, 1)).is_time_barred
    with pytest.raises(ConflictError):
        legal_action_check(contract=contract, on_date=D(2026, 1, 1))
    event = AuditEvent.objects.get(action=ContractsAction.TIME_BARRED_FLAG_SET, object_id=str(contract.pk))
    assert event.data["after"] == {"flagged": True, "reason": "KY: over 10 years"}
    assert event.actor_id == supervisor.pk


@pytest.mark.django_db
def test_the_governing_law_is_set_through_a_service_and_bad_values_change_nothing() -> None:
    contract = make_contract(start_date=D(2020, 1, 1), term=3)
    with pytest.raises(ApplicationError) as bad:
        contract_governing_law_set(actor=None, contract_id=contract.pk, governing_state="XX")
    assert bad.value.field == "governing_state"
    contract.refresh_from_db()
    assert contract.governing_state is None
    contract_governing_law_set(actor=None, contract_id=contract.pk, governing_state="ny")
    contract.refresh_from_db()
    assert contract.governing_state == "NY"
    assert AuditEvent.objects.filter(action=ContractsAction.GOVERNING_LAW_SET, object_id=str(contract.pk)).exists()
