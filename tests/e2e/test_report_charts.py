"""A supervisor opens every report page in real Chromium on a 375 px phone: each chart is
drawn by the vendored Chart.js under the Content-Security-Policy, nothing overflows the
screen, the date filter changes the period shown and the CSV link downloads the chart's data."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.roles import Role
from tests.accounts.factories import PASSWORD, make_staff
from tests.cases import report_portfolio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "portfolio": ["buckets", "roll_rates", "cure_rate"],
    "collection": ["kept_rates", "recovered_by_channel", "recovered_by_step"],
    "conduct": ["cases", "sla", "blocked", "agencies"],
    "risk": ["bands", "auc"],
}


def test_report_pages_draw_their_charts_on_a_phone(live_server, page, shoot):
    contracts = report_portfolio.build()
    report_portfolio.promises_and_plans(contracts)
    report_portfolio.payments(contracts)
    supervisor = make_staff(Role.SUPERVISOR)
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True, key=random_hex(20))
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", supervisor.email)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.goto(live_server.url + "/staff/")
    page.wait_for_url(re.compile(r"/accounts/2fa/verify/"))
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.click("button[type=submit] >> nth=-1")
    page.wait_for_url(re.compile(r"/staff/"))

    for name, keys in PAGES.items():
        page.goto(live_server.url + f"/staff/reports/{name}/?from=2026-01-01&to=2026-03-31")
        for key in keys:
            figure = page.locator(f"#fig-{key}")
            figure.wait_for()
            page.wait_for_function(f"document.querySelector('#fig-{key}').dataset.drawn !== undefined")
            box = page.locator(f"#chart-{key}").bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 200, (name, key, box)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (name, width)
        shoot(page, f"40-report-{name}-375")

    # The date filter: February only.
    page.goto(live_server.url + "/staff/reports/portfolio/")
    page.fill("#f-from", "2026-02-01")
    page.fill("#f-to", "2026-02-28")
    page.click("#report-period button")
    page.wait_for_url(re.compile(r"from=2026-02-01&to=2026-02-28"))
    labels = page.evaluate("JSON.parse(document.getElementById('data-buckets').textContent).labels")
    assert labels == ["2026-01-29", "2026-02-28"]

    with page.expect_download() as download:
        page.locator("#fig-buckets a[download]").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.splitlines()[0].startswith(",M0,M1") or "M0" in text.splitlines()[0]
