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
