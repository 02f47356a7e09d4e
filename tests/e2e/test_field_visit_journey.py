"""A field officer on a 375 × 812 phone signs in with TOTP, opens an approved visit from "my
visits" and files the report: the page refuses, visibly, notes that speak of the debt after
meeting a neighbour, then takes the corrected report; nothing scrolls sideways."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.roles import Role
from audit.models import AuditEvent
from cases.models import VisitReport, VisitStatus
from cases.services import visit_request_approve
from tests.accounts.factories import PASSWORD, make_staff
from tests.cases.visit_helpers import requested, two_officers, visit_ready
from tests.e2e.test_portal_walk import sideways_boxes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"
    assert not sideways_boxes(page), (page.url, sideways_boxes(page))


def test_a_field_officer_files_the_visit_report_on_a_phone(live_server, browser, shoot):
    contract = visit_ready()
    officers = two_officers()
    visit = visit_request_approve(
        actor=make_staff(Role.SUPERVISOR),
        request_id=requested(contract).pk,
        officer_ids=[o.pk for o in officers],
    )
    other_visit = visit_request_approve(
        actor=make_staff(Role.SUPERVISOR),
        request_id=requested(visit_ready()).pk,
        officer_ids=[o.pk for o in two_officers()],
    )
    officer = officers[0]
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True, key=random_hex(20))

    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    refused_by_csp: list[str] = []
    page.on("console", lambda m: refused_by_csp.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", officer.email)
        page.fill("#id_password", PASSWORD)
        page.click("#login-submit")
        page.goto(live_server.url + "/staff/visits/")
        page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
        page.fill("#id_token", f"{totp(device.bin_key):06d}")
        page.click("button[type=submit] >> nth=-1")
        page.goto(live_server.url + "/staff/visits/")
        page.wait_for_selector("#visits-upcoming")
        assert page.locator(f'.visit-row[data-visit="{visit.pk}"]').count() == 1
        assert page.locator(f'.visit-row[data-visit="{other_visit.pk}"]').count() == 0  # not mine
        _no_sideways_scroll(page)
        shoot(page, "60-officer-my-visits-375")

        page.click(f'.visit-row[data-visit="{visit.pk}"] a.visit-open')
        page.wait_for_selector("#visit-report-form")
        assert contract.customer.legal_name in page.inner_text("#visit-customer")
        assert page.is_visible("#third-party-rule")
        _no_sideways_scroll(page)
        shoot(page, "61-officer-visit-sheet-375")

        # The neighbour opens the door; the first notes speak of the debt: refused, on the page.
        assert page.is_checked("#id_identity_shown")
        page.check("input[name=met][value=third_party]")
        page.fill("#id_third_party_relation", "邻居")
        page.check("input[name=outcome][value=not_home]")
        page.fill("#id_notes", "已告知邻居其逾期欠款")
        page.click("#visit-report-submit")
        page.wait_for_selector("#disclosure-refused")
        assert "涉及向他人透露欠款" in page.inner_text("#disclosure-refused")
        assert not VisitReport.objects.filter(visit=visit).exists()
        _no_sideways_scroll(page)
        shoot(page, "62-officer-disclosure-refused-375")

        page.check("input[name=met][value=third_party]")
        page.check("input[name=outcome][value=not_home]")
        page.fill("#id_third_party_relation", "邻居")
        page.fill("#id_notes", "邻居说客户白天上班，晚上才回家")
        page.fill("#id_follow_up_action", "改天再电话联系")
        page.click("#visit-report-submit")
        page.wait_for_url(re.compile(r"/staff/visits/$"))
        assert "走访记录已提交" in page.inner_text("main")
        _no_sideways_scroll(page)
        shoot(page, "63-officer-report-filed-375")
    finally:
        context.close()
    assert not refused_by_csp, refused_by_csp

    report = VisitReport.objects.get(visit=visit)
    assert report.filed_by == officer and report.identity_shown and not report.consent_to_enter
    assert report.met == "third_party" and report.third_party_relation == "邻居"
    assert report.outcome == "not_home" and report.notes == "邻居说客户白天上班，晚上才回家"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    assert AuditEvent.objects.filter(action="visit.reported", object_id=str(visit.pk)).exists()
    assert AuditEvent.objects.filter(
        action="pii.viewed", actor_id=officer.pk, data__purpose="field_visit_page"
    ).exists()
