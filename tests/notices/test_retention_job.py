"""The retention job: a closed customer whose last collection activity is older than the retention
period loses the communication records and the personal data; anyone still held keeps everything;
the audit log still verifies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.codes import AccountsAction
from accounts.models import CustomerProfile, EmergencyContact
from accounts.services import emergency_contact_add
from audit.models import AuditEvent
from audit.services import audit_seal
from contracts.models import Contract, ContractStatus
from notices.models import ContactAttempt, Notice
from notices.retention_job import customers_due_for_anonymisation, retention_run
from notices.tasks import retention_run_task
from tests.contracts.factories import make_contract
from tests.notices.test_retention import attempt, sent_notice

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
LONG_AGO = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)


def _closed_customer(last_activity: dt.date, *, status: str = ContractStatus.PAID_OFF) -> Contract:
    contract = make_contract(start_date=dt.date(2019, 1, 1), term=6)
    Contract.objects.filter(pk=contract.pk).update(status=status)
    CustomerProfile.objects.filter(pk=contract.customer_id).update(created_at=LONG_AGO)
    sent_notice(contract, last_activity)
    attempt(contract, last_activity)
    return contract


@override_settings(CUSTOMER_RETENTION_YEARS=5, COMMUNICATION_RETENTION_YEARS=3)
def test_a_customer_past_retention_is_anonymised_and_the_others_are_untouched(audit_checkpoint_dir, capsys) -> None:
    due = _closed_customer(dt.date(2020, 6, 1))
    emergency_contact_add(actor=None, profile=due.customer, name="王五", relationship="朋友", phone="13900000000")
    within_window = _closed_customer(dt.date(2022, 6, 1))  # past the 3 years, not the 5
    still_open = _closed_customer(dt.date(2020, 6, 1), status=ContractStatus.DELINQUENT)
    before = {
        c.customer_id: CustomerProfile.objects.get(pk=c.customer_id).legal_name for c in (within_window, still_open)
    }

    assert list(customers_due_for_anonymisation(on_date=TODAY)) == [due.customer]
    report = retention_run(on_date=TODAY)

    assert report.customers_anonymised == 1 and report.records_deleted >= 2
    profile = CustomerProfile.objects.select_related("user").get(pk=due.customer_id)
    assert profile.anonymised_at is not None
    assert profile.legal_name == f"— {profile.customer_number}"
    assert (profile.phone, profile.email, profile.postal_address, profile.alternate_phones) == ("", "", "", [])
    assert (profile.national_id_encrypted, profile.national_id_masked, profile.national_id_digest) == ("", "", "")
    assert not EmergencyContact.objects.filter(profile=profile).exists()
    assert profile.user.email.endswith("@anonymised.invalid") and profile.user.phone is None
    assert not profile.user.is_active and not profile.user.has_usable_password()
    assert not Notice.objects.filter(customer=profile).exists()
    assert not ContactAttempt.objects.filter(customer=profile).exists()
    # The money stays: the contract and its installments are untouched.
    assert Contract.objects.get(pk=due.pk).installments.count() == 6
    event = AuditEvent.objects.get(action=AccountsAction.CUSTOMER_ANONYMISED)
    assert event.data["customer_number"] == profile.customer_number and "legal_name" in event.data["erased"]

    for contract in (within_window, still_open):
        kept = CustomerProfile.objects.get(pk=contract.customer_id)
        assert kept.anonymised_at is None and kept.legal_name == before[contract.customer_id]
        assert Notice.objects.filter(customer=kept).count() == 1

    # Idempotent: the same night again finds nobody; the Celery task runs the same job.
    assert retention_run(on_date=TODAY).customers_anonymised == 0
    assert retention_run_task(TODAY.isoformat()) == 0

    # The audit log is append-only and still verifies after the erasure.
    audit_seal(force_checkpoint=True)
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out


@override_settings(CUSTOMER_RETENTION_YEARS=1, COMMUNICATION_RETENTION_YEARS=3)
def test_the_customer_window_is_never_shorter_than_the_communication_records_three_years() -> None:
    _closed_customer(dt.date(2024, 6, 1))  # 2.5 years ago: the records must still be kept
    assert not customers_due_for_anonymisation(on_date=TODAY).exists()
    assert retention_run(on_date=TODAY).customers_anonymised == 0
