from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import CustomerProfile
from accounts.services import customer_create
from audit.models import AuditEvent
from core.errors import ApplicationError
from tests.accounts.factories import make_customer, national_id

pytestmark = pytest.mark.django_db


def test_national_id_is_encrypted_at_rest_and_shown_masked():
    plain = national_id(123)
    profile = make_customer(national_id=plain)
    assert profile.national_id_masked == plain[:4] + "*" * 10 + plain[-4:]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_customerprofile WHERE id = %s", [profile.pk])
        row = cursor.fetchone()
    assert all(plain not in str(value) for value in row)
    assert plain not in profile.national_id_encrypted
    assert CustomerProfile.objects.get(pk=profile.pk).national_id_plain() == plain


def test_invalid_national_id_and_phone_are_refused_and_nothing_is_saved():
    count = CustomerProfile.objects.count()
    with pytest.raises(ApplicationError) as excinfo:
        make_customer(national_id="310101199001011230")
    assert excinfo.value.code == "invalid_national_id"
    with pytest.raises(ApplicationError):
        make_customer(phone="12345")
    assert CustomerProfile.objects.count() == count


def test_mobile_number_is_normalised_to_e164():
    profile = make_customer(phone="139 8765 4321")
    assert profile.phone == "+8613987654321" and profile.user.phone == "+8613987654321"


def test_customer_creation_is_audited():
    profile = customer_create(actor=None, legal_name="张三", password=None, email="zs@example.test")
    event = AuditEvent.objects.get(action="customer.created", object_id=str(profile.pk))
    assert event.subject_user_id == profile.user_id


def test_staff_viewing_a_customer_is_audited(verified_agent_client):
    profile = make_customer()
    page = verified_agent_client.get(f"/staff/customers/{profile.pk}/")
    assert page.status_code == 200 and profile.national_id_plain() not in page.content.decode()
    response = verified_agent_client.post(f"/staff/customers/{profile.pk}/unmask/", {"reason": "客户来电核实身份"})
    assert response.status_code == 200
    assert profile.national_id_plain() in response.content.decode()
    event = AuditEvent.objects.filter(action="pii.viewed", subject_user_id=profile.user_id).get()
    assert event.actor_id == verified_agent_client.user.pk and event.request_id


def test_staff_customer_list_shows_masked_data_only(verified_agent_client):
    profile = make_customer()
    body = verified_agent_client.get("/staff/customers/").content.decode()
    assert profile.national_id_masked in body
    assert profile.national_id_plain() not in body
    assert not AuditEvent.objects.filter(action="pii.viewed").exists()


def test_unknown_customer_is_404(verified_agent_client):
    assert verified_agent_client.get("/staff/customers/999999/").status_code == 404
