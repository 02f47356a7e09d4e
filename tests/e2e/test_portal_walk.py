"""The customer portal walked in a real browser: contact preferences take effect, and no
customer page scrolls sideways on a 375 px phone."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import ContactPreference
from contracts.models import Contract
from notices.contact import ProposedDetails, contact_judge
from notices.models import Notice
from portal.demo import DEMO_PASSWORD, load_demo_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Demo customers: in arrears, charged fees, on-site service suspended, several contracts.
WALKED_CUSTOMERS = ("13800138002", "13800138006", "13800138009", "13800138004")


def login(page, base: str, phone: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", phone)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/me/$"))


SCROLLING_BOXES = """() => Array.from(document.querySelectorAll('body *')).filter(el => {
    const style = getComputedStyle(el);
    return ['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
}).map(el => (el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + [...el.classList].join('.')))"""


def sideways_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def sideways_boxes(page) -> list[str]:
    """Boxes inside the page that scroll sideways (a wide table in a scrolling wrapper hides its
    last columns just as a wide page does)."""
    return list(page.evaluate(SCROLLING_BOXES))


def test_contact_preferences_saved_in_the_browser_bind_the_compliance_engine(live_server, page, shoot):
    load_demo_data(today=timezone.localdate())
    contract = Contract.objects.filter(customer__user__phone="+8613800138002").first()
    assert contract is not None
    login(page, live_server.url, "13800138002")
    page.goto(live_server.url + "/me/preferences/")
    page.check("input[name=opt_outs][value=call]")
    page.fill("#id_inconvenient_times", "12:00-13:30")
    shoot(page, "30-preferences")
    page.click("form.card button[type=submit]")
    page.wait_for_selector(".alert-success")
    shoot(page, "31-preferences-saved")

    preference = ContactPreference.objects.get(profile=contract.customer)
    assert "call" in preference.opt_outs
    assert preference.inconvenient_times == ["12:00-13:30"]
    # The choices made on the page decide what the engine allows.
    next_day = timezone.localdate() + dt.timedelta(days=1)
    lunch = dt.datetime.combine(next_day, dt.time(12, 30), tzinfo=SHANGHAI)
    afternoon = dt.datetime.combine(next_day, dt.time(15, 0), tzinfo=SHANGHAI)

    def judged(channel: str, at: dt.datetime) -> bool:
        proposed = ProposedDetails(channel=channel, at=at, purpose="collection", opt_out_notice=True)
        return contact_judge(profile=contract.customer, contract=contract, proposed=proposed).allowed

    assert not judged("call", afternoon)
    assert not judged("sms", lunch)
    # What the customer did not object to stays possible (unless the day's limits say otherwise).
    assert judged("sms", afternoon) or Notice.objects.filter(contract=contract).exists()

    # The saved choices are shown again when the page is reopened.
    page.goto(live_server.url + "/me/preferences/")
    assert page.is_checked("input[name=opt_outs][value=call]")
    assert page.input_value("#id_inconvenient_times") == "12:00-13:30"


def customer_pages(page, base: str) -> list[str]:
    """Every page a customer reaches from the dashboard, found by following its links."""
    page.goto(base + "/me/")
    hrefs = page.eval_on_selector_all("a[href^='/me/']", "links => links.map(a => a.getAttribute('href'))")
    pages = {"/me/", "/me/messages/", "/me/preferences/", "/me/visits/", "/me/appeals/", "/me/appeals/new/"}
    for href in hrefs:
        pages.add(href.split("#")[0])
    for contract_page in [p for p in list(pages) if re.fullmatch(r"/me/contracts/\d+/", p)]:
        pages.update({contract_page + "pay/", contract_page + "plan/"})
        page.goto(base + contract_page)
        more = page.eval_on_selector_all("a[href^='/me/']", "links => links.map(a => a.getAttribute('href'))")
        pages.update(h.split("#")[0] for h in more)
    page.goto(base + "/me/messages/")
    more = page.eval_on_selector_all("a[href^='/me/messages/']", "links => links.map(a => a.getAttribute('href'))")
    pages.update(h.split("#")[0] for h in more)
    return sorted(p for p in pages if not p.endswith((".pdf", "/download/")) and "logout" not in p)


def test_no_customer_page_scrolls_sideways_on_a_375_px_phone(live_server, browser, shoot):
    load_demo_data(today=timezone.localdate())
    wide: dict[str, str] = {}
    walked = 0
    for phone in WALKED_CUSTOMERS:
        context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(live_server.url + "/accounts/login/")
        if sideways_overflow(page) > 0:
            wide["/accounts/login/"] = f"{sideways_overflow(page)}px"
        login(page, live_server.url, phone)
        for path in customer_pages(page, live_server.url):
            response = page.goto(live_server.url + path)
            assert response is not None and response.status < 400, (phone, path)
            walked += 1
            overflow, boxes = sideways_overflow(page), sideways_boxes(page)
            if overflow > 0 or boxes:
                wide[f"{phone} {path}"] = f"{overflow}px {boxes}"
                shoot(page, f"375-{phone}-{path.strip('/').replace('/', '-') or 'home'}")
        context.close()
    assert walked >= 20, walked
    assert not wide, f"pages wider than 375 px (CSS px too wide): {wide}"


def test_a_customer_in_arrears_pays_from_the_dashboard_and_reads_why_each_charge_was_made(live_server, page, shoot):
    load_demo_data(today=timezone.localdate())
    contract = Contract.objects.filter(customer__user__phone="+8613800138002").first()
    assert contract is not None
    login(page, live_server.url, "13800138002")
    overdue = page.inner_text("#overdue-total")
    assert overdue.startswith("¥") and overdue != "¥0.00"
    shoot(page, "40-dashboard-pay")
    page.click("#pay-overdue")  # the first screen's own way to pay
    page.wait_for_selector("#pay-submit")
    assert page.inner_text("#pay-overdue-amount") == overdue
    page.click("#pay-submit")
    page.wait_for_selector("#sandbox-pay")
    page.click("#sandbox-pay")
    page.wait_for_load_state("networkidle")
    shoot(page, "41-paid-from-dashboard")
    contract.refresh_from_db()
    assert contract.status == "current"

    # A customer charged penalty interest and fees reads each one explained, with its amount.
    charged = Contract.objects.filter(customer__user__phone="+8613800138006", charges__isnull=False).distinct().first()
    assert charged is not None
    other = page.context.browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    phone = other.new_page()
    login(phone, live_server.url, "13800138006")
    phone.goto(live_server.url + f"/me/contracts/{charged.pk}/")
    items = phone.locator("#charges-explained li")
    assert items.count() == charged.charges.count()
    for text in items.all_inner_texts():
        assert re.search(r"¥?\d[\d,]*\.\d{2}", text), text
    shoot(phone, "42-charges-explained")
    other.close()
