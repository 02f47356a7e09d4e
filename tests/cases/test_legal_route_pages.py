"""The legal-route pages, for staff with the legal route: open a case from the contract (the
lawyer's letter goes out), refer it after the grace period, record the filing, judgment and
close, download the bundle (recorded and audited); bad input answers 400 with the error and
changes nothing; cases are listed in a fixed number of queries; nobody else reaches them."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from cases.models import LegalBundle, LegalCase, LegalStatus
from cases.services import legal_case_close, legal_case_file, legal_case_open, legal_case_refer
from core.dates import business_today
from notices.models import NoticeStatus
from notices.services import notice_deliver
from tests.accounts.factories import make_staff
from tests.cases.factories import overdue_contract
from tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _morning():
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(business_today(), dt.time(10))), tick=False):
        yield


def _client(user) -> Client:
    client = Client()
    login_verified_staff(client, user)
    return client


def _at(day: dt.date):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(10))), tick=False)


def test_a_case_from_the_letter_to_the_close_through_the_pages():
    contract = overdue_contract()
    supervisor = make_staff(Role.SUPERVISOR)
    client = _client(supervisor)
    page = client.get(reverse("staff:contract_detail", args=[contract.pk]))
    assert reverse("staff:contract_legal", args=[contract.pk]) in page.content.decode()
    url = reverse("staff:contract_legal", args=[contract.pk])
    bad = client.post(url, {"law_firm": "某律师事务所", "grace_days": "3"})
    assert bad.status_code == 400 and not LegalCase.objects.exists()
    assert "7" in bad.content.decode() and "60" in bad.content.decode()
    opened = client.post(url, {"law_firm": "北京某某律师事务所", "grace_days": "15", "note": "长期失联"})
    case = LegalCase.objects.get()
    assert opened.status_code == 302 and opened["Location"] == reverse("staff:legal_case_detail", args=[case.pk])
    detail = client.get(opened["Location"]).content.decode()
    assert case.grace_until.strftime("%Y-%m-%d") in detail and 'id="bundle-download"' not in detail
    refer = reverse("staff:legal_case_action", args=[case.pk, "refer"])
    early = client.post(refer, {"refer-note": ""})
    assert early.status_code == 400 and "letter" in early.content.decode().lower()
    assert notice_deliver(case.letter_id, now=timezone.now()) in (NoticeStatus.SENT, NoticeStatus.DELIVERED)
    later = case.grace_until + dt.timedelta(days=1)
    with _at(later):
        client = _client(supervisor)  # weeks later: a new session
        assert client.post(refer, {"refer-note": "宽限期已过"}).status_code == 302
    with _at(later + dt.timedelta(days=10)):
        client = _client(supervisor)
        filed = client.post(
            reverse("staff:legal_case_action", args=[case.pk, "file"]),
            {
                "file-court": "北京市朝阳区人民法院",
                "file-court_case_number": "(2026)京0105民初1234号",
                "file-filed_on": (later + dt.timedelta(days=2)).isoformat(),
            },
        )
        assert filed.status_code == 302
        wrong = client.post(
            reverse("staff:legal_case_action", args=[case.pk, "judgment"]),
            {"judgment-judgment_on": later.isoformat(), "judgment-outcome": "for_lender", "judgment-amount": "1,00"},
        )
        assert wrong.status_code == 400
        case.refresh_from_db()
        assert case.status == LegalStatus.FILED and case.judgment_on is None
        bundle = client.get(reverse("staff:legal_bundle", args=[case.pk]))
        assert bundle.status_code == 200 and bundle["Content-Type"] == "application/zip"
        assert bundle["Cache-Control"] == "no-store"
        with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
            assert {"verify.py", "manifest.json", "audit/inclusion_proof.json"} <= set(archive.namelist())
        record = LegalBundle.objects.get(case=case)
        assert record.manifest_sha256 in client.get(reverse("staff:legal_case_detail", args=[case.pk])).content.decode()
        closed = client.post(
            reverse("staff:legal_case_action", args=[case.pk, "close"]),
            {
                "close-reason": "withdrawn",
                "close-closed_on": business_today().isoformat(),
                "close-note": "与客户和解撤诉",
            },
        )
        assert closed.status_code == 302
    case.refresh_from_db()
    assert case.status == LegalStatus.CLOSED and case.close_reason == "withdrawn"
    assert AuditEvent.objects.filter(action="pii.viewed", object_id=str(case.pk)).count() == 1


def test_legal_cases_are_listed_by_status_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    supervisor = make_staff(Role.SUPERVISOR)
    client = _client(supervisor)
    legal_case_open(actor=supervisor, contract_id=overdue_contract().pk, law_firm="甲律师事务所")
    with django_assert_max_num_queries(9) as one:
        assert client.get(reverse("staff:legal_cases")).status_code == 200
    for n in range(3):
        legal_case_open(actor=supervisor, contract_id=overdue_contract().pk, law_firm=f"乙律师事务所{n}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("staff:legal_cases"), {"status": "letter_sent"})
    assert page.content.decode().count('class="legal-row"') == 4


@pytest.mark.parametrize("role", [Role.AGENT, Role.FIELD_OFFICER, Role.COMPLIANCE_OFFICER, Role.AGENCY])
def test_only_the_legal_route_reaches_the_legal_pages(role):
    supervisor = make_staff(Role.SUPERVISOR)
    contract = overdue_contract()
    case = legal_case_open(actor=supervisor, contract_id=contract.pk, law_firm="甲律师事务所")
    client = _client(make_staff(role))
    for url in (
        reverse("staff:legal_cases"),
        reverse("staff:legal_case_detail", args=[case.pk]),
        reverse("staff:legal_bundle", args=[case.pk]),
        reverse("staff:contract_legal", args=[contract.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("staff:legal_case_action", args=[case.pk, "close"]), {}).status_code == 403


def _customer_page(contract) -> tuple[Client, str]:
    """The contract's customer, signed in, and their contract page."""
    customer = Client()
    customer.force_login(contract.customer.user)
    return customer, reverse("portal:contract", args=[contract.pk])


def _open_case(contract, legal, law_firm: str = "北京某某律师事务所", grace_days: int = 20) -> LegalCase:
    return legal_case_open(actor=legal, contract_id=contract.pk, law_firm=law_firm, grace_days=grace_days)


def test_the_customer_sees_the_legal_action_on_the_contract_page_as_it_moves_on(django_assert_max_num_queries):
    contract = overdue_contract()
    customer, page = _customer_page(contract)
    assert 'id="legal-case"' not in customer.get(page).content.decode()  # no case, nothing said
    legal = make_staff(Role.SUPERVISOR)
    case = _open_case(contract, legal)
    # The case shows once its letter has gone out, not before.
    assert 'id="legal-case"' not in customer.get(page).content.decode()
    notice_deliver(case.letter_id, now=timezone.now())
    body = customer.get(page).content.decode()
    grace = case.grace_until.isoformat()
    assert 'id="legal-case"' in body and case.reference in body and "alert-danger" in body
    assert f"北京某某律师事务所 已于 {case.letter_on.isoformat()} 向您发出律师函。" in body
    assert f"最后还款期限为 {grace}；期满后，该笔欠款可能被移交法律程序。" in body
    assert "届满" not in body
    with _at(case.grace_until + dt.timedelta(days=1)):
        filed_on = business_today()
        legal_case_refer(actor=legal, case_id=case.pk)
        legal_case_file(
            actor=legal,
            case_id=case.pk,
            court="北京市朝阳区人民法院",
            court_case_number="(2027)京0105民初123号",
            filed_on=filed_on,
        )
        login(customer, contract.customer.user)  # three weeks on: the idle session has expired
        customer.get(page)
        with django_assert_max_num_queries(7):  # the contract page's six, and the case
            body = customer.get(page).content.decode()
    assert f"最后还款期限已于 {grace} 届满。" in body and "期满后" not in body
    assert f"该笔欠款已于 {filed_on.isoformat()} 移交法律程序。" in body
    assert f"已于 {filed_on.isoformat()} 向北京市朝阳区人民法院提起诉讼（案号 (2027)京0105民初123号）。" in body
    other = Client()
    other.force_login(overdue_contract().customer.user)
    assert other.get(page).status_code == 404


def test_a_legal_action_withdrawn_within_its_grace_period_reads_as_ended():
    contract = overdue_contract()
    customer, page = _customer_page(contract)
    legal = make_staff(Role.SUPERVISOR)
    case = _open_case(contract, legal)
    notice_deliver(case.letter_id, now=timezone.now())
    legal_case_close(
        actor=legal, case_id=case.pk, reason="withdrawn", closed_on=business_today(), note="客户已提交还款计划，撤回"
    )
    body = customer.get(page).content.decode()
    assert 'id="legal-case"' in body and "alert-secondary" in body and "alert-danger" not in body
    assert f"法律程序已于 {business_today().isoformat()} 结束：" in body
    # Closed before its final period ran out: neither "ends" (nothing follows) nor "ended".
    assert "期满后" not in body and "届满" not in body


def test_a_second_legal_action_shows_once_its_own_letter_has_gone_out():
    contract = overdue_contract()
    customer, page = _customer_page(contract)
    legal = make_staff(Role.SUPERVISOR)
    first = _open_case(contract, legal)
    notice_deliver(first.letter_id, now=timezone.now())
    legal_case_close(
        actor=legal, case_id=first.pk, reason="withdrawn", closed_on=business_today(), note="客户申请缓期，撤回"
    )
    second = _open_case(contract, legal, law_firm="上海某某律师事务所", grace_days=30)
    body = customer.get(page).content.decode()
    assert second.reference not in body and "上海某某律师事务所" not in body  # its letter has not gone out
    notice_deliver(second.letter_id, now=timezone.now())
    body = customer.get(page).content.decode()
    assert second.reference in body and "上海某某律师事务所" in body and first.reference not in body
    assert "alert-danger" in body
