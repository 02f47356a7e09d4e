"""The contract page as a customer in arrears sees it: every charge explained with its amount,
the status that matters (suspension, charge-off), the terms exactly as accepted."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from contracts.models import ChargeKind, ProductKind
from contracts.selectors import contract_charges_explained
from contracts.services import delinquency_sweep_range
from tests.accounts.factories import make_customer
from tests.contracts.factories import make_contract, make_product
from tests.portal.test_customer_pages import _overdue, customer_client

pytestmark = pytest.mark.django_db


def _page(client, contract) -> str:
    response = client.get(reverse("portal:contract", kwargs={"pk": contract.pk}))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_every_penalty_and_fee_is_explained_on_the_page_with_its_amount():
    me = make_customer()
    contract = _overdue(me)
    explained = contract_charges_explained(contract=contract)
    kinds = {item.kind for item in explained}
    assert {ChargeKind.PENALTY, ChargeKind.LATE_FEE} <= kinds, kinds
    body = _page(customer_client(me), contract)
    section = body.split('id="charges-explained"', 1)[1].split("</section>", 1)[0]
    with translation.override("zh-hans"):
        texts = [item.text for item in contract_charges_explained(contract=contract)]
    for text in texts:
        assert text in section
    assert "50.00" in section  # the fixed late fee, amount included
    assert "No penalty interest or fees have been charged." not in body
    assert "尚未产生罚息或费用。" not in body


SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _night(contract, day: dt.date) -> None:
    """One real night for one contract: the sweep, the ladder, and delivery of what is due."""
    from notices.models import Notice, NoticeStatus
    from notices.services import ladder_evaluate, notices_deliver

    delinquency_sweep_range(business_date=day, first_id=contract.pk, last_id=contract.pk)
    now = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(10, 0), tzinfo=SHANGHAI)
    ladder_evaluate(business_date=day, first_id=contract.pk, last_id=contract.pk, now=now)
    pending = Notice.objects.filter(contract=contract, status=NoticeStatus.PENDING).values_list("pk", flat=True)
    notices_deliver(list(pending), now=now)


def test_a_suspended_customer_sees_why_and_the_formal_notice_that_came_before_it():
    me = make_customer()
    service = make_product(kind=ProductKind.SERVICE_SUBSCRIPTION, suspension_notice_after_days=3)
    first_due = dt.date(2026, 3, 1)
    contract = make_contract(
        customer=me, product=service, start_date=first_due - dt.timedelta(days=31), first_due_date=first_due
    )
    day = first_due
    while day <= first_due + dt.timedelta(days=16):
        _night(contract, day)
        day += dt.timedelta(days=1)
    contract.refresh_from_db()
    assert contract.service_state == "suspended"
    client = customer_client(me)
    inbox = html.unescape(client.get(reverse("portal:messages")).content.decode())
    assert "上门服务将自" in inbox  # the in-app formal notice is among the customer's messages
    body = _page(client, contract)
    status = body.split('id="contract-status"', 1)[1].split("</div>", 1)[0]
    status += body.split('id="service-status"', 1)[1].split("</div>", 1)[0]
    assert "上门服务已暂停" in status
    assert contract.service_suspended_since.isoformat() in status
    link = re.search(r'<a href="([^"]+)" id="suspension-notice-link">', body)
    assert link, "the contract page does not link the formal notice"
    notice_page = client.get(link.group(1))
    assert notice_page.status_code == 200
    assert "上门服务将自" in html.unescape(notice_page.content.decode())


def test_a_charged_off_contract_reads_as_still_owed_and_offers_no_plan_the_service_would_refuse():
    from contracts.services import plan_propose
    from core.errors import ApplicationError

    me = make_customer()
    contract = make_contract(customer=me, start_date=dt.date(2026, 1, 1), charge_off_dpd=30)
    delinquency_sweep_range(business_date=dt.date(2026, 4, 1), first_id=contract.pk, last_id=contract.pk)
    contract.refresh_from_db()
    assert contract.status == "charged_off"
    client = customer_client(me)
    body = _page(client, contract)
    status = body.split('id="contract-status"', 1)[1].split("</div>", 1)[0]
    assert "已转呆账（仍需还款）" in status and "已核销" not in body
    assert 'id="plan-request-link"' not in body and 'id="pay-button"' in body
    dashboard = html.unescape(client.get(reverse("portal:dashboard")).content.decode())
    assert "已转呆账（仍需还款）" in dashboard and "已核销" not in dashboard
    with pytest.raises(ApplicationError) as refused:
        plan_propose(actor=me.user, contract_id=contract.pk, months=6, reason="x")
    assert refused.value.code == "plan_not_possible"
    page = client.get(reverse("portal:plan_request", kwargs={"pk": contract.pk}))
    text = html.unescape(page.content.decode())
    assert "该合同无法申请还款计划。" in text
    assert 'id="plan-submit"' not in text


def test_an_overdue_contract_offers_the_plan_request_the_service_accepts():
    me = make_customer()
    contract = _overdue(me)
    body = _page(customer_client(me), contract)
    assert 'id="plan-request-link"' in body


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_terms_are_shown_as_accepted_whatever_the_language_and_a_translation_only_labelled(language):
    from tests.contracts.factories import TERMS_TEXT_EN, TERMS_TEXT_ZH

    me = make_customer()
    contract = _overdue(me)
    client = customer_client(me)
    client.post("/i18n/setlang/", {"language": language, "next": "/me/"})
    body = _page(client, contract)
    accepted = body.split('id="terms-text"', 1)[1].split("</pre>", 1)[0]
    assert TERMS_TEXT_ZH in accepted and TERMS_TEXT_EN not in accepted
    if language == "en":
        courtesy = body.split('id="terms-translation"', 1)[1].split("</pre>", 1)[0]
        assert TERMS_TEXT_EN in courtesy
        assert "Courtesy translation" in body
    else:
        assert 'id="terms-translation"' not in body


def test_the_schedule_becomes_cards_on_a_phone_and_dates_never_break():
    from pathlib import Path

    me = make_customer()
    contract = _overdue(me)
    body = _page(customer_client(me), contract)
    schedule = body.split('id="schedule"', 1)[1].split("</table>", 1)[0]
    assert "table-responsive" not in body.split('id="schedule"', 1)[0][-200:]  # no sideways scrolling box
    rows = re.findall(r"<tr class=.*?</tr>", schedule, re.S)
    assert rows
    for row in rows:
        cells = re.findall(r"<td ([^>]*)>", row)
        assert len(cells) == 9 and all("data-label=" in cell for cell in cells)
        assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}" class="text-nowrap">', row)
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "fairdue.css").read_text()
    phone = css.split("@media (max-width: 575.98px)", 1)[1]
    assert ".schedule thead" in phone and "content: attr(data-label)" in phone
    assert ".schedule-open" in phone and ".schedule-state" in phone
    assert "time { white-space: nowrap; }" in css
