from __future__ import annotations

import datetime as dt
import io
import os
from unittest import mock

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from accounts.models import CustomerProfile, User
from accounts.roles import Role
from audit.models import AuditEvent


def _counts():
    from appeals.models import Case
    from cases.models import FieldVisit
    from contracts.models import Contract, Payment
    from notices.models import InAppMessage, NightlyRun, Notice

    return {
        model.__name__: model.objects.count()
        for model in (User, CustomerProfile, AuditEvent, Contract, Payment, Notice, InAppMessage, NightlyRun)
    } | {"Case": Case.objects.count(), "FieldVisit": FieldVisit.objects.count()}


class DemoDataTests(TestCase):
    """One demo, loaded once for the class (it lives months of nights through the real batch),
    each test reading it inside its own rolled-back transaction."""

    @classmethod
    def setUpTestData(cls) -> None:
        first = io.StringIO()
        call_command("demo_data", stdout=first)
        cls.first_output = first.getvalue()
        cls.counts = _counts()

    def test_demo_data_is_idempotent_and_covers_every_role(self) -> None:
        counts = self.counts
        assert counts["Notice"] > 50 and counts["NightlyRun"] > 200
        again = io.StringIO()
        with mock.patch.dict(os.environ, {"WEB_PORT": "8123"}):
            call_command("demo_data", stdout=again)
        assert _counts() == counts
        out = self.first_output + again.getvalue()
        assert "http://127.0.0.1:8000" in out
        assert "Open http://127.0.0.1:8123 " in out  # the banner names the port actually used
        for role in Role:
            assert User.objects.filter(groups__name=role, is_staff=True).exists(), role
            assert str(role.label) in out

    def test_demo_data_has_contracts_in_every_interesting_state(self) -> None:
        from contracts.models import Contract, ContractStatus, PlanStatus, PromiseStatus, ServiceState

        by_customer = {
            c.customer.user.phone: c
            for c in Contract.objects.select_related("customer__user")
            if c.product.code != "demo-bnpl" or c.customer.user.phone == "+8613800138002"
        }
        assert by_customer["+8613800138001"].status == ContractStatus.CURRENT
        assert by_customer["+8613800138002"].days_past_due == 3
        assert by_customer["+8613800138003"].days_past_due == 20
        assert by_customer["+8613800138003"].promises.get().status == PromiseStatus.OPEN
        assert by_customer["+8613800138004"].days_past_due == 45
        assert by_customer["+8613800138005"].days_past_due == 95
        charged_off = by_customer["+8613800138006"]
        assert charged_off.days_past_due == 200 and charged_off.status == ContractStatus.CHARGED_OFF
        assert by_customer["+8613800138007"].plans.get().status == PlanStatus.ACTIVE
        assert by_customer["+8613800138008"].plans.get().status == PlanStatus.BROKEN
        assert by_customer["+8613800138009"].service_state == ServiceState.SUSPENDED
        _assert_history_lived_through_the_real_services(by_customer)

    def test_demo_data_sets_up_the_workbench(self) -> None:
        from cases.models import AgencyPlacement, Assignment, PlacementStatus
        from contracts.models import ContractStatus

        agent = User.objects.get(email="agent@demo.fairdue.example")
        assert Assignment.objects.filter(agent=agent, team__name="催收一组").count() >= 5
        placement = AgencyPlacement.objects.get(status=PlacementStatus.ACTIVE)
        assert placement.contract.status == ContractStatus.CHARGED_OFF
        assert placement.agency.members.filter(email="agency@demo.fairdue.example").exists()


def _assert_history_lived_through_the_real_services(by_customer):
    """The past was lived by the nightly batch and the delivery service, day by day."""
    from cases.models import FieldVisit, VisitStatus
    from contracts.models import ContractStatus
    from notices.models import InAppMessage, NightlyRun, Notice, NoticeStatus, Purpose

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # Every night from the first contract's start to yesterday is on record, finished.
    nights = NightlyRun.objects.order_by("business_date")
    assert nights.last().business_date == yesterday
    assert not nights.filter(finished_at__isnull=True).exists()
    first = nights.first().business_date
    assert nights.count() == (yesterday - first).days + 1
    for contract in by_customer.values():
        assert contract.accrued_through == yesterday

    sent = (NoticeStatus.SENT, NoticeStatus.DELIVERED)
    # Overdue customers got the ladder's notices on the day they fell due, sent the next morning.
    overdue95 = by_customer["+8613800138005"]
    notices95 = Notice.objects.filter(contract=overdue95, status__in=sent)
    assert {"sms", "in_app", "email", "letter", "call"} <= set(notices95.values_list("channel", flat=True))
    lawyer = notices95.get(purpose=Purpose.LAWYER_LETTER, channel="letter")
    assert lawyer.document and lawyer.document.read(4) == b"%PDF"
    due_day = overdue95.installments.order_by("seq").first().due_date
    assert timezone.localdate(lawyer.sent_at) == due_day + dt.timedelta(days=31)
    assert InAppMessage.objects.filter(customer=overdue95.customer).count() >= 3
    # A supervisor authorised a two-person visit for the coming days.
    visit = FieldVisit.objects.get(contract=overdue95)
    assert visit.status == VisitStatus.SCHEDULED and visit.officers.count() == 2
    assert visit.scheduled_for > timezone.now()

    # The formal suspension notice (letter with its PDF, and in the app) came before the suspension.
    suspended = by_customer["+8613800138009"]
    formal = Notice.objects.filter(contract=suspended, purpose=Purpose.SUSPENSION_NOTICE, status__in=sent)
    assert set(formal.values_list("channel", flat=True)) >= {"letter", "in_app"}
    letter = formal.get(channel="letter")
    assert letter.document and letter.document.read(4) == b"%PDF"
    assert suspended.service_notice_date < suspended.service_suspended_since
    assert timezone.localdate(letter.sent_at) < suspended.service_suspended_since

    # The customer who always paid got reminders only; nothing was dropped for lack of a rule.
    current = by_customer["+8613800138001"]
    assert current.status == ContractStatus.CURRENT and current.payments.count() >= 2
    assert set(Notice.objects.filter(contract=current).values_list("purpose", flat=True)) <= {
        Purpose.PRE_DUE_REMINDER,
        Purpose.DUE_TODAY,
    }
    # A dispute filed yesterday puts its contract on hold.
    disputed = by_customer["+8613800138008"]
    assert disputed.holds.filter(released_on__isnull=True).exists()
