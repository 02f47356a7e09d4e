"""Staff: the outbox list (filters, fixed query count), a notice's full record, the mail viewer."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import Client

from accounts.roles import Role
from contracts.services import delinquency_sweep_range
from notices.models import Notice
from notices.services import ladder_evaluate, notice_deliver
from tests.accounts.factories import make_staff
from tests.conftest import login_verified_staff
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def notices_for(count: int) -> None:
    day = dt.date(2026, 3, 10)
    for _ in range(count):
        contract = make_contract(start_date=dt.date(2026, 2, 8), first_due_date=dt.date(2026, 3, 9))
        delinquency_sweep_range(business_date=day, first_id=contract.pk, last_id=contract.pk)
        ladder_evaluate(
            business_date=day,
            first_id=contract.pk,
            last_id=contract.pk,
            now=dt.datetime(2026, 3, 10, 22, 30, tzinfo=SHANGHAI),
        )


def staff_client(role: Role) -> Client:
    client = Client()
    login_verified_staff(client, make_staff(role))
    return client


@pytest.mark.parametrize("contracts", [1, 6])
def test_outbox_lists_and_filters_with_a_fixed_query_count(django_assert_max_num_queries, contracts):
    notices_for(contracts)
    client = staff_client(Role.COMPLIANCE_OFFICER)
    with django_assert_max_num_queries(12):
        page = client.get("/staff/outbox/?status=deferred&reason=TIME_WINDOW")
    assert page.status_code == 200
    assert page.content.decode().count("<td>TIME_WINDOW</td>") >= contracts
    assert "<td>TIME_WINDOW</td>" not in client.get("/staff/outbox/?status=sent").content.decode()


def test_a_notices_record_shows_text_verdicts_and_attempts():
    notices_for(1)
    notice = Notice.objects.filter(channel="email").first()
    notice_deliver(notice.pk, now=dt.datetime(2026, 3, 11, 9, 0, tzinfo=SHANGHAI))
    client = staff_client(Role.SUPERVISOR)
    body = client.get(f"/staff/outbox/{notice.pk}/").content.decode()
    assert notice.idempotency_key in body and "allowed" in body
    assert notice.body.splitlines()[0][:20] in body


def test_mail_viewer_shows_file_based_email_and_sms(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.VAR_DIR = tmp_path
    notices_for(1)
    morning = dt.datetime(2026, 3, 11, 9, 0, tzinfo=SHANGHAI)
    for notice in Notice.objects.all():
        notice_deliver(notice.pk, now=morning)
    body = staff_client(Role.COMPLIANCE_OFFICER).get("/staff/mail/").content.decode()
    assert 'badge text-bg-secondary">email' in body and 'badge text-bg-secondary">sms' in body


def test_agents_cannot_see_the_outbox():
    assert staff_client(Role.AGENT).get("/staff/outbox/").status_code == 403


def _outbox_only_client() -> Client:
    """Staff whose role may read the outbox but not customers' personal data."""
    from django.contrib.auth.models import Group, Permission

    user = make_staff(Role.AGENCY)
    group = Group.objects.create(name="outbox-readers")
    group.permissions.add(
        Permission.objects.get(codename="view_notice", content_type__app_label="notices"),
        Permission.objects.get(codename="access_staff_area", content_type__app_label="accounts"),
    )
    user.groups.add(group)
    client = Client()
    login_verified_staff(client, user)
    return client


def test_a_notice_record_masks_recipient_and_text_without_the_pii_permission():
    from audit.models import AuditEvent

    notices_for(1)
    notice = Notice.objects.filter(channel="email").first()
    body = _outbox_only_client().get(f"/staff/outbox/{notice.pk}/").content.decode()
    assert notice.recipient not in body and "***@" in body
    assert notice.body.splitlines()[0][:20] not in body
    assert not AuditEvent.objects.filter(action="pii.viewed", object_type="notices.notice").exists()
    staff_client(Role.SUPERVISOR).get(f"/staff/outbox/{notice.pk}/")
    viewed = AuditEvent.objects.get(action="pii.viewed", object_type="notices.notice", object_id=str(notice.pk))
    assert viewed.subject_user_id == notice.customer.user_id and "recipient" in viewed.data["fields"]


def test_the_mail_viewer_is_only_for_the_embedded_mode_and_is_audited(settings):
    from audit.models import AuditEvent

    client = staff_client(Role.COMPLIANCE_OFFICER)
    assert client.get("/staff/mail/").status_code == 200
    assert AuditEvent.objects.filter(action="pii.viewed", data__purpose="staff_mail_viewer").exists()
    settings.EMAIL_URL = "smtp://mail.example:25"
    assert client.get("/staff/mail/").status_code == 404
    assert "/staff/mail/" not in client.get("/staff/outbox/").content.decode()
