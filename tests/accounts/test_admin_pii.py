"""The admin: personal data masked in lists, audited when a record is opened, refused to roles
without the permission; user edits and role changes go through services and are audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from accounts.roles import Role
from audit.models import AuditEvent
from tests.accounts.factories import make_customer, make_staff
from tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db


def admin_client(role: Role = Role.ADMIN) -> tuple[Client, object]:
    user = make_staff(role)
    client = Client()
    login_verified_staff(client, user)
    return client, user


def test_customer_lists_are_masked_and_opening_a_record_is_audited():
    customer = make_customer()
    client, user = admin_client()
    listing = client.get("/admin/accounts/customerprofile/").content.decode()
    assert customer.customer_number in listing and customer.legal_name not in listing
    users = client.get("/admin/accounts/user/").content.decode()
    assert customer.user.email not in users and "***@" in users
    assert not AuditEvent.objects.filter(action="pii.viewed", actor_id=user.pk).exists()
    assert client.get(f"/admin/accounts/customerprofile/{customer.pk}/change/").status_code == 200
    event = AuditEvent.objects.get(action="pii.viewed", actor_id=user.pk)
    assert event.subject_user_id == customer.user_id and event.data["purpose"] == "admin_customer_page"
    assert client.get(f"/admin/accounts/user/{customer.user_id}/change/").status_code == 200
    assert AuditEvent.objects.filter(action="pii.viewed", actor_id=user.pk, data__purpose="admin_user_page").exists()


def test_a_role_without_the_pii_permission_cannot_open_a_customer_record():
    customer = make_customer()
    user = make_staff(Role.AGENCY)
    group = Group.objects.create(name="admin-readers")
    group.permissions.add(Permission.objects.get(codename="view_customerprofile"))
    user.groups.add(group)
    user.is_staff = True
    user.save()
    client = Client()
    login_verified_staff(client, user)
    assert client.get(f"/admin/accounts/customerprofile/{customer.pk}/change/").status_code == 403
    assert not AuditEvent.objects.filter(action="pii.viewed", actor_id=user.pk).exists()


def test_user_edits_and_role_changes_in_the_admin_are_audited():
    client, admin_user = admin_client()
    agent = make_staff(Role.AGENT)
    supervisor = Group.objects.get(name=Role.SUPERVISOR)
    response = client.post(
        f"/admin/accounts/user/{agent.pk}/change/",
        {
            "email": agent.email,
            "phone": "",
            "full_name": "Renamed Agent",
            "language": agent.language,
            "is_active": "on",
            "is_staff": "on",
            "groups": [supervisor.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agent.refresh_from_db()
    assert agent.full_name == "Renamed Agent" and list(agent.groups.values_list("name", flat=True)) == ["supervisor"]
    updated = AuditEvent.objects.get(action="user.updated", object_id=str(agent.pk))
    assert updated.actor_id == admin_user.pk and updated.data["changes"]["full_name"]["after"] == "Renamed Agent"
    roles = AuditEvent.objects.get(action="roles.changed", object_id=str(agent.pk))
    assert roles.data == {"before": ["agent"], "after": ["supervisor"]}


def test_nobody_changes_their_own_roles():
    from accounts.services import user_roles_set
    from core.errors import ForbiddenError

    _client, admin_user = admin_client()
    with pytest.raises(ForbiddenError):
        user_roles_set(actor=admin_user, user_id=admin_user.pk, group_ids=[])
    assert admin_user.groups.filter(name=Role.ADMIN).exists()
