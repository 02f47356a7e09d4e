"""A US debt in collection for the validation-notice tests."""

from __future__ import annotations

import datetime as dt
import itertools

from accounts.models import ContactPreference, CustomerProfile
from contracts.models import Contract
from tests.accounts.factories import make_customer
from tests.contracts.factories import make_contract, make_product
from tests.contracts.ledger_helpers import sweep

_n = itertools.count(1)

START = dt.date(2026, 1, 1)
TODAY = dt.date(2026, 3, 20)  # installments of Feb 1 and Mar 1 unpaid: in collection
LAST_STATEMENT = dt.date(2026, 3, 1)


def us_customer(**overrides: object) -> CustomerProfile:
    n = next(_n)
    values: dict[str, object] = {
        "legal_name": f"Jane Doe {n}",
        "email": f"jane{n}@example.test",
        "phone": f"+1 312 555 {n % 10000:04d}",
        "national_id": "",
        "postal_address": "12 Main Street\nSpringfield, IL 62701",
        "jurisdiction": "US-REGF",
        "timezone": "America/Chicago",
        "language": "en",
    }
    values.update(overrides)
    profile = make_customer(**values)
    # The run must not depend on the hour the tests run at (quiet hours are tested elsewhere).
    ContactPreference.objects.update_or_create(profile=profile, defaults={"late_contact_consent": True})
    return profile


def us_product(**overrides: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "currency": "USD",
        "creditor_name": "Acme Consumer Finance",
        "original_creditor_name": "First Prairie Bank",
        "original_creditor_address": "1 Bank Plaza, Chicago, IL 60601",
    }
    values.update(overrides)
    return make_product(**values)


def us_debt(*, customer: CustomerProfile | None = None, through: dt.date = TODAY, **product: object) -> Contract:
    contract = make_contract(
        customer=customer or us_customer(), product=us_product(**product), principal="3000.00", term=6, start_date=START
    )
    sweep(contract, through)
    contract.refresh_from_db()
    return contract
