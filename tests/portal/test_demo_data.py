from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import CustomerProfile, User
from accounts.roles import Role
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent_and_covers_every_role(capsys):
    call_command("demo_data")
    counts = (User.objects.count(), CustomerProfile.objects.count(), AuditEvent.objects.count())
    call_command("demo_data")
    assert (User.objects.count(), CustomerProfile.objects.count(), AuditEvent.objects.count()) == counts
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000" in out
    for role in Role:
        assert User.objects.filter(groups__name=role, is_staff=True).exists(), role
        assert str(role.label) in out


def test_demo_data_has_contracts_in_every_interesting_state():
    from contracts.models import Contract, ContractStatus, PlanStatus, PromiseStatus, ServiceState

    call_command("demo_data")
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
