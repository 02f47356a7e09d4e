from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.codes import AccountsError
from accounts.models import User
from accounts.roles import Role
from accounts.services import BACKUP_CODE_COUNT, two_factor_reset
from audit.models import AuditEvent
from core.errors import ForbiddenError
from tests.accounts.factories import make_customer, make_staff
from tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db


def _wait_out_throttling(user: User) -> None:
    """As if the throttling delay after a wrong code had passed."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)


def _shown_backup_codes(response) -> list[str]:
    return re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())


def _remaining_shown(response) -> int:
    """The count of unused backup codes the page states (in whichever language)."""
    match = re.search(r'id="backup-codes-remaining">\D*(\d+)', response.content.decode())
    assert match, response.content
    return int(match.group(1))


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, drift=drift):06d}"


def _enrol_first_device(client: Client, user: User) -> tuple[TOTPDevice, list[str]]:
    """The first-time path through the set-up page; returns the device and the backup codes shown."""
    client.get("/accounts/2fa/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/2fa/setup/", {"token": _code(device), "next": "/staff/"})
    assert response.status_code == 302, response.content
    return device, _shown_backup_codes(client.get(response["Location"]))


@pytest.mark.parametrize("path", ["/staff/", "/staff/customers/", "/admin/"])
def test_staff_without_a_device_is_sent_to_set_one_up(client, path):
    user = make_staff(Role.SUPERVISOR)
    login(client, user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/setup/")


def test_staff_with_a_device_but_unverified_session_is_asked_for_a_code(client):
    user = make_staff()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login(client, user)
    response = client.get("/staff/")
    assert response["Location"].startswith("/accounts/2fa/verify/")


def test_setup_flow_confirms_the_device_and_opens_staff_pages(client):
    user = make_staff()
    login(client, user)
    page = client.get("/accounts/2fa/setup/?next=/staff/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert re.search(r'id="totp-secret"[^>]*>[A-Z2-7]{32}<', page.content.decode())
    wrong = client.post("/accounts/2fa/setup/", {"token": "000000", "next": "/staff/"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    # The failure is kept: audited, and it counts towards the device's throttling.
    assert AuditEvent.objects.filter(action="auth.totp_setup_failed", actor_id=user.pk).exists()
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 1
    _wait_out_throttling(user)
    response = client.post("/accounts/2fa/setup/", {"token": f"{totp(device.bin_key):06d}", "next": "/staff/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/backup-codes/?next=%2Fstaff%2F"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    codes_page = client.get(response["Location"])
    assert len(_shown_backup_codes(codes_page)) == BACKUP_CODE_COUNT
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.totp_confirmed", actor_id=user.pk).exists()


def test_verified_staff_reaches_staff_pages(verified_agent_client):
    assert verified_agent_client.get("/staff/").status_code == 200


def test_customers_cannot_reach_staff_pages(client):
    profile = make_customer()
    login(client, profile.user)
    assert client.get("/staff/").status_code == 403


def test_admin_requires_two_factor_too(client):
    admin = make_staff(Role.ADMIN)
    login(client, admin)
    assert client.get("/admin/").status_code == 302
    login_verified_staff(client, admin)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("staff_path", ["/staff/", "/admin/"])
def test_password_alone_cannot_enrol_a_new_device_when_one_is_confirmed(client, staff_path):
    """The reported bypass: a staff user with a device, logged in with the password only, opens
    the set-up page and confirms a device of their own to get a verified session."""
    user = make_staff(Role.ADMIN)
    own = TOTPDevice.objects.create(user=user, name="phone", confirmed=True, key=random_hex(20))
    login(client, user)
    page = client.get("/accounts/2fa/setup/?next=/staff/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/2fa/verify/")
    offered = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    attacker_key = offered.bin_key if offered is not None else bytes.fromhex(random_hex(20))
    response = client.post("/accounts/2fa/setup/", {"token": f"{totp(attacker_key):06d}", "next": "/staff/"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/verify/")
    assert client.get(staff_path).status_code != 200
    assert list(TOTPDevice.objects.filter(user=user)) == [own]
    assert not StaticDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="auth.totp_setup_refused", actor_id=user.pk).count() == 2


def test_setup_page_says_why_it_refuses(client):
    user = make_staff()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login(client, user)
    page = client.get("/accounts/2fa/setup/", follow=True)
    assert page.status_code == 200 and page.redirect_chain[0][0].startswith("/accounts/2fa/verify/")
    with translation.override(page.wsgi_request.LANGUAGE_CODE):
        expected = gettext(
            "Two-factor authentication is already set up for this account. Enter a code from your "
            "authenticator app or a backup code. If you have lost both, ask an administrator to reset it."
        )
    assert [(m.level_tag, m.message) for m in page.context["messages"]] == [("warning", expected)]


def test_repeated_setup_visits_keep_one_unconfirmed_device_with_a_stable_secret(client):
    user = make_staff()
    TOTPDevice.objects.create(user=user, name="default", confirmed=False)  # left over from before
    TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    login(client, user)
    secrets = set()
    for _visit in range(3):
        page = client.get("/accounts/2fa/setup/")
        secrets.update(re.findall(r'id="totp-secret"[^>]*>([A-Z2-7]{32})<', page.content.decode()))
    wrong = client.post("/accounts/2fa/setup/", {"token": "000000"})
    secrets.update(re.findall(r'id="totp-secret"[^>]*>([A-Z2-7]{32})<', wrong.content.decode()))
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert len(secrets) == 1


def test_backup_codes_are_shown_once_and_each_works_once(client):
    user = make_staff()
    login(client, user)
    _device, codes = _enrol_first_device(client, user)
    assert len(codes) == BACKUP_CODE_COUNT == len(set(codes))
    again = client.get("/accounts/2fa/backup-codes/")
    assert _shown_backup_codes(again) == [] and _remaining_shown(again) == BACKUP_CODE_COUNT
    client.logout()

    login(client, user)
    assert client.get("/staff/").status_code == 302
    page = client.get("/accounts/2fa/verify/")
    assert _remaining_shown(page) == BACKUP_CODE_COUNT
    used = client.post("/accounts/2fa/verify/", {"token": codes[0], "next": "/staff/"}, follow=True)
    assert used.redirect_chain[0] == ("/staff/", 302)
    with translation.override(used.wsgi_request.LANGUAGE_CODE):
        left = ngettext(
            "You used a backup code; %(count)d is left. Each works once.",
            "You used a backup code; %(count)d are left. Each works once.",
            BACKUP_CODE_COUNT - 1,
        ) % {"count": BACKUP_CODE_COUNT - 1}
    assert left in [m.message for m in used.context["messages"]]
    assert client.get("/staff/").status_code == 200
    event = AuditEvent.objects.get(action="auth.backup_code_used", actor_id=user.pk)
    assert event.data["remaining"] == BACKUP_CODE_COUNT - 1
    client.logout()

    login(client, user)
    reused = client.post("/accounts/2fa/verify/", {"token": codes[0], "next": "/staff/"})
    assert reused.status_code == 200
    assert client.get("/staff/").status_code == 302
    assert client.get("/admin/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor_id=user.pk).exists()
    assert StaticToken.objects.filter(device__user=user).count() == BACKUP_CODE_COUNT - 1


def test_backup_codes_can_be_made_anew_from_a_verified_session_only(client):
    user = make_staff()
    login(client, user)
    _device, old_codes = _enrol_first_device(client, user)
    response = client.post("/accounts/2fa/backup-codes/", {"next": "/staff/"})
    assert response.status_code == 302
    new_codes = _shown_backup_codes(client.get(response["Location"]))
    assert len(new_codes) == BACKUP_CODE_COUNT and not set(new_codes) & set(old_codes)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(new_codes)
    assert AuditEvent.objects.filter(action="auth.backup_codes_issued", data__cause="regenerated").count() == 1
    client.logout()

    login(client, user)
    refused = client.post("/accounts/2fa/backup-codes/")
    assert refused.status_code == 302 and refused["Location"].startswith("/accounts/2fa/verify/")
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(new_codes)
    assert client.post("/accounts/2fa/verify/", {"token": old_codes[0]}).status_code == 200


def test_a_verified_user_replaces_the_device_giving_a_current_code_again(client):
    user = make_staff()
    old = login_verified_staff(client, user)
    assert client.get("/accounts/2fa/setup/")["Location"].startswith("/accounts/2fa/replace/")
    page = client.get("/accounts/2fa/replace/?next=/staff/")
    assert page.status_code == 200 and b"<svg" in page.content
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    refused = client.post("/accounts/2fa/replace/", {"current_token": "000000", "token": _code(new)})
    assert refused.status_code == 200
    assert set(TOTPDevice.objects.filter(user=user, confirmed=True)) == {old}
    assert AuditEvent.objects.filter(action="auth.totp_replace_failed", actor_id=user.pk).exists()
    _wait_out_throttling(user)
    response = client.post(
        "/accounts/2fa/replace/",
        {"current_token": _code(old, drift=1), "token": _code(new, drift=1), "next": "/staff/"},
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/backup-codes/")
    assert list(TOTPDevice.objects.filter(user=user)) == [new] and TOTPDevice.objects.get(pk=new.pk).confirmed
    assert len(_shown_backup_codes(client.get(response["Location"]))) == BACKUP_CODE_COUNT
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.get(action="auth.totp_replaced", actor_id=user.pk).data["replaced"] == [old.pk]


def test_replace_page_needs_a_verified_session(client):
    user = make_staff()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login(client, user)
    response = client.get("/accounts/2fa/replace/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/verify/")
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()


def _admin_reset(client: Client, target: User, reason: str):
    data = {"action": "two_factor_reset", "_selected_action": [target.pk]}
    return client.post("/admin/accounts/user/", {**data, "apply": "1", "reason": reason})


def test_admin_reset_is_audited_and_lets_the_user_enrol_again(client):
    admin = make_staff(Role.ADMIN)
    target = make_staff()
    other = Client()
    login(other, target)
    _enrol_first_device(other, target)
    assert other.get("/staff/").status_code == 200
    login_verified_staff(client, admin)

    form = client.post("/admin/accounts/user/", {"action": "two_factor_reset", "_selected_action": [target.pk]})
    assert form.status_code == 200 and b'name="reason"' in form.content
    assert TOTPDevice.objects.filter(user=target).exists()
    assert _admin_reset(client, target, "").status_code == 200  # a reason is required
    assert TOTPDevice.objects.filter(user=target).exists()
    response = _admin_reset(client, target, "Lost phone; identity checked by video call")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not StaticDevice.objects.filter(user=target).exists()
    event = AuditEvent.objects.get(action="auth.two_factor_reset")
    assert (event.actor_id, event.subject_user_id) == (admin.pk, target.pk)
    assert event.data["reason"] == "Lost phone; identity checked by video call"
    assert event.data["backup_codes"] == BACKUP_CODE_COUNT

    assert other.get("/staff/").status_code == 302  # the old verified session no longer counts
    fresh = Client()
    login(fresh, target)
    assert fresh.get("/staff/")["Location"].startswith("/accounts/2fa/setup/")
    _enrol_first_device(fresh, target)
    assert fresh.get("/staff/").status_code == 200


def test_an_admin_cannot_reset_their_own_two_factor(client):
    admin = make_staff(Role.ADMIN)
    login_verified_staff(client, admin)
    assert _admin_reset(client, admin, "Lost phone").status_code == 302
    assert TOTPDevice.objects.filter(user=admin).exists()
    with pytest.raises(ForbiddenError) as refused:
        two_factor_reset(actor=admin, user=admin, reason="Lost phone")
    assert refused.value.code == AccountsError.TWO_FACTOR_RESET_OWN
    assert TOTPDevice.objects.filter(user=admin).exists()
    assert AuditEvent.objects.filter(action="auth.two_factor_reset_refused", actor_id=admin.pk).count() == 2
    assert not AuditEvent.objects.filter(action="auth.two_factor_reset").exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COMPLIANCE_OFFICER, Role.AGENT])
def test_a_non_admin_cannot_reset_two_factor(client, role):
    actor = make_staff(role)
    target = make_staff()
    TOTPDevice.objects.create(user=target, name="phone", confirmed=True)
    with pytest.raises(ForbiddenError) as refused:
        two_factor_reset(actor=actor, user=target, reason="Lost phone")
    assert refused.value.code == AccountsError.TWO_FACTOR_RESET_NOT_ALLOWED
    login_verified_staff(client, actor)
    assert _admin_reset(client, target, "Lost phone").status_code in (302, 403)
    assert TOTPDevice.objects.filter(user=target).count() == 1
    assert AuditEvent.objects.filter(action="auth.two_factor_reset_refused", actor_id=actor.pk).exists()
    assert not AuditEvent.objects.filter(action="auth.two_factor_reset").exists()


def test_two_factor_devices_are_not_editable_in_the_admin(client):
    admin = make_staff(Role.ADMIN)
    login_verified_staff(client, admin)
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
