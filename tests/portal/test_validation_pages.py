"""The validation notice in the portal (HTML copy, PDFs, the response form), consent to
electronic delivery, and the staff page (a mailed tear-off, sending the verification)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import ContactPreference
from audit.models import AuditEvent
from contracts.models import CollectionHold
from notices.models import ValidationResponse
from notices.services.validation import validation_notice_issue
from tests.conftest import login
from tests.notices.validation_helpers import us_customer, us_debt

pytestmark = pytest.mark.django_db


def _notice_today():  # type: ignore[no-untyped-def]
    contract = us_debt()
    record = validation_notice_issue(actor=None, contract_id=contract.pk, business_date=timezone.localdate())
    return contract, record


def _customer_client(profile) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    login(client, profile.user)
    return client


def test_the_customer_reads_the_notice_and_downloads_it_in_english_and_spanish():
    contract, _record = _notice_today()
    client = _customer_client(contract.customer)
    page = client.get(f"/me/contracts/{contract.pk}/")
    assert f"/me/contracts/{contract.pk}/validation/" in page.content.decode()
    page = client.get(f"/me/contracts/{contract.pk}/validation/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Fairdue Collections is a debt collector." in html and "www.cfpb.gov/debt-collection" in html
    assert "Aviso de validación" in client.get(f"/me/contracts/{contract.pk}/validation/?lang=es").content.decode()
    for lang, phrase in (("en", "Total amount of the debt now:"), ("es", "Cantidad total de la deuda ahora:")):
        response = client.get(f"/me/contracts/{contract.pk}/validation.pdf?lang={lang}")
        assert response["Content-Type"] == "application/pdf"
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
        assert phrase in text


def test_another_customer_cannot_see_the_notice():
    contract, _record = _notice_today()
    other = _customer_client(us_customer())
    assert other.get(f"/me/contracts/{contract.pk}/validation/").status_code == 404
    assert other.get(f"/me/contracts/{contract.pk}/validation.pdf").status_code == 404
    assert other.post(f"/me/contracts/{contract.pk}/validation/", {"dispute_reasons": ["not_mine"]}).status_code == 404
    assert not ValidationResponse.objects.exists()


def test_a_dispute_in_the_portal_inside_the_period_stops_collection():
    contract, _record = _notice_today()
    client = _customer_client(contract.customer)
    empty = client.post(f"/me/contracts/{contract.pk}/validation/", {})
    assert empty.status_code == 200 and not ValidationResponse.objects.exists()
    response = client.post(
        f"/me/contracts/{contract.pk}/validation/",
        {"dispute_reasons": ["amount_wrong"], "dispute_other": "Paid in March"},
    )
    assert response.status_code == 302
    [answer] = ValidationResponse.objects.all()
    assert answer.within_period and answer.channel == "portal" and answer.dispute_other == "Paid in March"
    assert CollectionHold.objects.filter(
        contract=contract, released_on__isnull=True, reason="validation_dispute"
    ).exists()


def test_e_sign_consent_is_given_with_the_disclosures_and_withdrawn():
    profile = us_customer()
    client = _customer_client(profile)
    page = client.get("/me/preferences/electronic-delivery/")
    assert "E-SIGN" in page.content.decode()
    refused = client.post("/me/preferences/electronic-delivery/", {})
    assert refused.status_code == 200
    assert not ContactPreference.objects.get(profile=profile).has_esign_consent
    assert client.post("/me/preferences/electronic-delivery/", {"disclosures_acknowledged": "on"}).status_code == 302
    preference = ContactPreference.objects.get(profile=profile)
    assert preference.has_esign_consent and preference.esign_consent_email == profile.email
    assert client.post("/me/preferences/electronic-delivery/withdraw/").status_code == 302
    assert not ContactPreference.objects.get(profile=profile).has_esign_consent
    actions = list(AuditEvent.objects.filter(action__startswith="esign_consent.").values_list("action", flat=True))
    assert actions == ["esign_consent.given", "esign_consent.withdrawn"]


def test_staff_record_a_mailed_tear_off_and_send_the_verification(verified_agent_client):
    contract, record = _notice_today()
    page = verified_agent_client.get(f"/staff/customers/{contract.customer.pk}/")
    assert f"/staff/validation/{record.pk}/" in page.content.decode()
    assert verified_agent_client.get(f"/staff/validation/{record.pk}/").status_code == 200
    posted = verified_agent_client.post(
        f"/staff/validation/{record.pk}/",
        {
            "original_creditor_requested": "on",
            "channel": "mail",
            "received_on": timezone.localdate().isoformat(),
            "enclosed_amount": "25.00",
        },
    )
    assert posted.status_code == 302
    [answer] = ValidationResponse.objects.all()
    assert answer.channel == "mail" and answer.hold is not None and answer.recorded_by == verified_agent_client.user
    sent = verified_agent_client.post(f"/staff/validation/{record.pk}/responses/{answer.pk}/verify/")
    assert sent.status_code == 302
    answer.refresh_from_db()
    assert answer.verification_notice is not None
    assert "First Prairie Bank" in answer.verification_notice.body


def test_a_future_date_for_a_mailed_response_is_refused(verified_agent_client):
    _contract, record = _notice_today()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = verified_agent_client.post(
        f"/staff/validation/{record.pk}/",
        {"dispute_reasons": ["not_mine"], "channel": "mail", "received_on": tomorrow.isoformat()},
    )
    assert response.status_code == 200 and not ValidationResponse.objects.exists()


def test_customers_cannot_open_the_staff_page():
    contract, record = _notice_today()
    client = _customer_client(contract.customer)
    assert client.get(f"/staff/validation/{record.pk}/").status_code in (302, 403)
