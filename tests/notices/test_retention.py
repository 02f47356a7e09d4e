"""Record retention (12 CFR 1006.100): communication records are kept at least three years after
the last collection activity on the debt; deleting them earlier is refused (and audited), also in
the admin, and an accidental ``.delete()`` raises."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib import messages
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEvent
from contracts.services import payment_post, promise_record
from core.errors import ConflictError
from notices.checks import communication_retention_years
from notices.codes import NoticesAction, NoticesError
from notices.models import CallTask, ContactAttempt, InAppMessage, Notice, NoticeStatus
from notices.retention import (
    communication_records_delete,
    last_collection_activity,
    retain_until,
    retention_hold,
    retention_years,
)
from tests.accounts.factories import make_staff
from tests.conftest import login_verified_staff
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.date
_keys = itertools.count(1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def sent_notice(contract, day: dt.date, **fields) -> Notice:
    values = {
        "idempotency_key": f"retention-test:{next(_keys)}",
        "customer": contract.customer if contract is not None else fields.pop("customer"),
        "contract": contract,
        "purpose": "overdue_reminder",
        "channel": "sms",
        "locale": "zh-hans",
        "body": "text",
        "status": NoticeStatus.SENT,
        "scheduled_for": at(day),
        "next_attempt_at": at(day),
        "sent_at": at(day),
    }
    values.update(fields)
    return Notice.objects.create(**values)


def attempt(contract, day: dt.date, *, verdict: str = "allowed") -> ContactAttempt:
    return ContactAttempt.objects.create(
        customer=contract.customer, contract=contract, at=at(day), channel="call", verdict=verdict
    )


def test_the_window_runs_three_years_from_the_latest_activity_and_a_new_activity_extends_it() -> None:
    contract = make_contract(start_date=D(2020, 1, 1), term=6)
    assert last_collection_activity(contract=contract) is None and retain_until(contract) is None
    sent_notice(contract, D(2020, 3, 5))
    assert retain_until(contract) == D(2023, 3, 5)
    payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank",
        external_reference="r-1",
        amount=Decimal("100.00"),
        received_at=at(D(2020, 6, 1)),
    )
    assert last_collection_activity(contract=contract) == D(2020, 6, 1)
    attempt(contract, D(2020, 9, 9))
    attempt(contract, D(2021, 1, 1), verdict="blocked")  # never made: not an activity
    assert retain_until(contract) == D(2023, 9, 9)
    promise_record(
        actor=None, contract_id=contract.pk, amount=Decimal("50.00"), promised_date=D(2021, 2, 20), on=D(2021, 2, 1)
    )
    assert retain_until(contract) == D(2024, 2, 1)


def test_the_configured_years_lengthen_the_window_and_never_shorten_it(settings) -> None:
    contract = make_contract(start_date=D(2020, 1, 1), term=6)
    sent_notice(contract, D(2020, 3, 5))
    settings.COMMUNICATION_RETENTION_YEARS = 5
    assert retain_until(contract) == D(2025, 3, 5)
    assert communication_retention_years(None) == []
    settings.COMMUNICATION_RETENTION_YEARS = 2
    assert retention_years() == 3 and retain_until(contract) == D(2023, 3, 5)
    errors = communication_retention_years(None)
    assert [e.id for e in errors] == ["notices.E001"]


def test_retention_hold_selects_the_records_still_kept() -> None:
    old = make_contract(start_date=D(2019, 1, 1), term=3)
    recent = make_contract(start_date=D(2019, 1, 1), term=3)
    old_notice = sent_notice(old, D(2020, 1, 10))
    recent_notice = sent_notice(recent, D(2020, 1, 10))
    attempt(recent, D(2022, 5, 1))  # the recent debt was worked on later
    general = sent_notice(None, D(2020, 1, 10), customer=old.customer)  # about no contract
    on = D(2024, 1, 1)
    assert set(retention_hold(Notice.objects.all(), on_date=on)) == {recent_notice}
    # The day before the old debt's window closes, everything is still kept.
    assert set(retention_hold(Notice.objects.all(), on_date=D(2023, 1, 10))) == {old_notice, recent_notice, general}
    task = CallTask.objects.create(notice=recent_notice, contract=recent, kind="call_task", due_at=at(D(2020, 1, 10)))
    assert set(retention_hold(CallTask.objects.all(), on_date=on)) == {task}


def test_deleting_inside_the_window_is_refused_and_audited_and_allowed_after() -> None:
    contract = make_contract(start_date=D(2019, 1, 1), term=3)
    notice = sent_notice(contract, D(2020, 1, 10))
    made = attempt(contract, D(2020, 1, 10))
    staff = make_staff()
    with pytest.raises(ConflictError) as refused:
        communication_records_delete(
            actor=staff, queryset=Notice.objects.filter(pk=notice.pk), reason="cleanup", on_date=D(2023, 1, 10)
        )
    assert refused.value.code == NoticesError.RECORDS_UNDER_RETENTION
    assert Notice.objects.filter(pk=notice.pk).exists()
    event = AuditEvent.objects.get(action=NoticesAction.RECORDS_DELETE_REFUSED)
    assert event.data["held"] == [notice.pk] and event.actor_id == staff.pk

    deleted = communication_records_delete(
        actor=staff, queryset=Notice.objects.filter(pk=notice.pk), reason="cleanup", on_date=D(2023, 1, 11)
    )
    assert deleted >= 1
    assert not Notice.objects.filter(pk=notice.pk).exists()
    done = AuditEvent.objects.get(action=NoticesAction.RECORDS_DELETED)
    assert done.data["ids"] == [notice.pk] and done.data["reason"] == "cleanup"
    assert ContactAttempt.objects.filter(pk=made.pk).exists()  # not part of the request


def test_all_or_nothing_when_some_records_are_still_kept() -> None:
    old = make_contract(start_date=D(2019, 1, 1), term=3)
    recent = make_contract(start_date=D(2019, 1, 1), term=3)
    first, second = sent_notice(old, D(2019, 5, 1)), sent_notice(recent, D(2022, 5, 1))
    with pytest.raises(ConflictError):
        communication_records_delete(actor=None, queryset=Notice.objects.all(), reason="x", on_date=D(2024, 1, 1))
    assert Notice.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_an_accidental_delete_raises() -> None:
    contract = make_contract(start_date=D(2019, 1, 1), term=3)
    notice = sent_notice(contract, D(2019, 5, 1))
    message = InAppMessage.objects.create(customer=contract.customer, contract=contract, subject="s", body="b")
    for delete in (
        notice.delete,
        Notice.objects.filter(pk=notice.pk).delete,
        message.delete,
        InAppMessage.objects.all().delete,
        ContactAttempt.objects.all().delete,
    ):
        with pytest.raises(ConflictError) as raised:
            delete()
        assert raised.value.code == NoticesError.RECORDS_DELETE_UNGUARDED
    assert Notice.objects.filter(pk=notice.pk).exists() and InAppMessage.objects.filter(pk=message.pk).exists()


def _admin() -> Client:
    client = Client()
    login_verified_staff(client, make_staff(Role.ADMIN))
    return client


def test_the_admin_delete_is_refused_inside_the_window() -> None:
    contract = make_contract(start_date=D(2019, 1, 1), term=3)
    notice = sent_notice(contract, D(2026, 1, 5), body="SECRET-BODY-42", recipient="+8613900000042")  # kept until 2029
    client = _admin()
    changelist = reverse("admin:notices_notice_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()  # Django's unchecked action is not offered
    response = client.post(
        changelist, {"action": "delete_past_retention", "_selected_action": [notice.pk]}, follow=True
    )
    assert Notice.objects.filter(pk=notice.pk).exists()
    assert [m.level for m in response.context["messages"]] == [messages.ERROR]
    delete_url = reverse("admin:notices_notice_delete", args=[notice.pk])
    assert client.get(delete_url).status_code == 200  # the confirmation page
    response = client.post(delete_url, {"post": "yes"}, follow=True)
    assert Notice.objects.filter(pk=notice.pk).exists()
    assert [m.level for m in response.context["messages"]] == [messages.ERROR]
    assert AuditEvent.objects.filter(action=NoticesAction.RECORDS_DELETE_REFUSED).count() == 2
    # The page never shows the recipient or the text (those are on the audited staff pages).
    record = client.get(reverse("admin:notices_notice_change", args=[notice.pk])).content.decode()
    assert "SECRET-BODY-42" not in record and "+8613900000042" not in record


def test_the_admin_deletes_records_past_their_retention() -> None:
    contract = make_contract(start_date=D(2015, 1, 1), term=3)
    notice = sent_notice(contract, D(2016, 1, 5))  # kept until 2019
    client = _admin()
    response = client.post(
        reverse("admin:notices_notice_changelist"),
        {"action": "delete_past_retention", "_selected_action": [notice.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not Notice.objects.filter(pk=notice.pk).exists()
    assert AuditEvent.objects.filter(action=NoticesAction.RECORDS_DELETED).count() == 1
