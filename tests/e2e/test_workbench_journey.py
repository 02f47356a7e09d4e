"""An agent on a phone signs in with TOTP, opens the top item of the work queue, logs a call in
which the customer promises to pay; the customer then sees the promise in the portal."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.roles import Role
from cases.models import CallLog
from contracts.models import PromiseStatus, PromiseToPay
from tests.accounts.factories import PASSWORD, make_customer, make_staff
from tests.cases.factories import overdue_contract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _sign_in(page, base: str, identifier: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", identifier)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")


def test_agent_logs_a_promise_from_the_top_of_the_queue_and_the_customer_sees_it(live_server, browser, page, shoot):
    # Calls are allowed only in the customer's daytime: the test lives tomorrow at 10:00
    # Shanghai time (a later moment, so the browser's cookies stay valid), with the clock running.
    tomorrow = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(tomorrow, dt.time(10), SHANGHAI), tick=True):
        customer = make_customer(legal_name="王小明")
        top = overdue_contract(customer=customer, started_days_ago=130)
        overdue_contract(started_days_ago=45)
        agent = make_staff(Role.AGENT)
        device = TOTPDevice.objects.create(user=agent, name="phone", confirmed=True, key=random_hex(20))

        _sign_in(page, live_server.url, agent.email)
        page.goto(live_server.url + "/staff/queue/")
        page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
        page.fill("#id_token", f"{totp(device.bin_key):06d}")
        page.click("button[type=submit] >> nth=-1")
        page.goto(live_server.url + "/staff/queue/")
        page.wait_for_selector("#queue-table")
        shoot(page, "40-agent-queue-phone")
        first = page.locator(".queue-row").first
        assert first.get_attribute("data-contract") == str(top.pk)
        first.locator("a.queue-open").click()
        page.wait_for_selector(f"#account-{top.pk}")
        assert customer.legal_name not in page.inner_text("main")  # masked until unmasked with a reason

        page.click(f"#action-call-{top.pk} summary")
        prefix = f"call{top.pk}"
        page.select_option(f"#id_{prefix}-outcome", "promise")
        page.fill(f"#id_{prefix}-promise_amount", "600.00")
        promised = tomorrow + dt.timedelta(days=4)
        page.fill(f"#id_{prefix}-promise_date", promised.isoformat())
        page.fill(f"#id_{prefix}-note", "客户称周五发工资后还款")
        shoot(page, "41-agent-logs-promise")
        page.click(f"#action-call-{top.pk} button[type=submit]")
        page.wait_for_selector(f"#open-promise-{top.pk}")
        assert "通话已记录" in page.inner_text("main")
        shoot(page, "42-agent-promise-recorded")

        promise = PromiseToPay.objects.get(contract=top)
        assert promise.status == PromiseStatus.OPEN and promise.recorded_by == agent
        assert CallLog.objects.get(contract=top).outcome == "promise"

        portal = browser.new_context(viewport={"width": 412, "height": 915}, locale="zh-CN")
        me = portal.new_page()
        me.set_default_timeout(20_000)
        _sign_in(me, live_server.url, customer.user.email)
        me.wait_for_url(re.compile(r"/me/$"))
        text = me.inner_text(f"#promise-{promise.pk}")
        assert "¥600.00" in text and promised.isoformat() in text
        shoot(me, "43-customer-sees-promise")
        portal.close()


def test_no_workbench_page_scrolls_sideways_on_a_375_px_phone(live_server, browser, shoot):
    from cases.services import visit_request_create, waiver_request_create
    from contracts.models import Installment
    from tests.cases.factories import make_agency, place
    from tests.e2e.test_portal_walk import sideways_boxes, sideways_overflow

    tomorrow = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(tomorrow, dt.time(10), SHANGHAI), tick=True):
        supervisor = make_staff(Role.SUPERVISOR)
        agent = make_staff(Role.AGENT)
        contracts = [overdue_contract(started_days_ago=days) for days in (130, 70, 45)]
        place(contracts[2], make_agency(), by=supervisor)
        inst = Installment.objects.filter(contract=contracts[0], fee_charged__gt=0).first()
        assert inst is not None
        waiver_request_create(
            actor=agent,
            contract_id=contracts[0].pk,
            installment_id=inst.pk,
            kind="reverse_late_fee",
            amount=None,
            reason="客户住院期间逾期，已提供证明材料",
        )
        visit_request_create(
            actor=agent,
            contract_id=contracts[1].pk,
            proposed_for=dt.datetime.combine(tomorrow + dt.timedelta(days=2), dt.time(10), SHANGHAI),
            reason="多次联系未果，需上门核实",
        )
        device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True, key=random_hex(20))
        context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(20_000)
        _sign_in(page, live_server.url, supervisor.email)
        page.goto(live_server.url + "/staff/")
        page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
        page.fill("#id_token", f"{totp(device.bin_key):06d}")
        page.click("button[type=submit] >> nth=-1")
        page.wait_for_url(re.compile(r"/staff/$"))
        wide: dict[str, str] = {}
        paths = [
            "/staff/",
            "/staff/queue/?scope=all",
            f"/staff/customers/{contracts[0].customer_id}/",
            f"/staff/customers/{contracts[2].customer_id}/",
            "/staff/agencies/",
            "/staff/waivers/",
            "/staff/visit-requests/",
        ]
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            overflow, boxes = sideways_overflow(page), sideways_boxes(page)
            if overflow > 0 or boxes:
                wide[path] = f"{overflow}px {boxes}"
                shoot(page, "375-staff-" + (path.strip("/").replace("/", "-").replace("?", "-") or "home"))
        context.close()
        assert not wide, f"workbench pages wider than 375 px: {wide}"
