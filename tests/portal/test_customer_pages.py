"""Customer pages: isolation between customers, fixed query counts, preferences."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import ContactPreference
from audit.models import AuditEvent
from contracts.services import delinquency_sweep_range
from notices.models import Notice
from tests.accounts.factories import make_customer
from tests.conftest import login
from tests.contracts.evidence_files import minimal_pdf
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db


def _overdue(customer=None, term=12):
    contract = make_contract(customer=customer, term=term, start_date=dt.date(2026, 1, 1))
    delinquency_sweep_range(business_date=dt.date(2026, 4, 1), first_id=contract.pk, last_id=contract.pk)
    return contract


def customer_client(profile) -> Client:
    client = Client()
    login(client, profile.user)
    return client


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern.name, prefix + str(pattern.pattern), pattern


CUSTOMER_NAMESPACES = {"portal", "payments", "cases_api"}


def _another_customers_objects():
    """Objects of customer B, keyed by the URL names that address them."""
    other = make_customer()
    contract = _overdue(other)
    notice = Notice.objects.create(
        idempotency_key=f"test-{contract.pk}",
        customer=other,
        contract=contract,
        purpose="overdue_reminder",
        channel="in_app",
        locale="zh-hans",
        body="x",
        status="delivered",
        scheduled_for=dt.datetime.now(dt.UTC),
        next_attempt_at=dt.datetime.now(dt.UTC),
        sent_at=dt.datetime.now(dt.UTC),
    )
    values = {"contract": contract.pk, "notice": notice.pk}
    from django.core.files.uploadedfile import SimpleUploadedFile

    from appeals.services import case_file

    case = case_file(
        actor=other.user,
        customer=other,
        kind="dispute",
        category="amount_wrong",
        description="x",
        filed_via="portal",
        contract_id=contract.pk,
        evidence=[SimpleUploadedFile("e.pdf", minimal_pdf(), content_type="application/pdf")],
    )
    values["case"] = case.pk
    values["evidence"] = case.evidence.get().pk
    from cases.models import FieldVisit

    values["visit"] = FieldVisit.objects.create(
        customer=other, contract=contract, scheduled_for=dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), address="x"
    ).pk
    try:
        from payments.models import CheckoutSession

        session = CheckoutSession.objects.create(
            contract=contract,
            customer=other,
            amount=contract.installments.first().principal_due,
            currency="CNY",
            choice="overdue",
            provider="sandbox",
        )
        values["token"] = session.token
    except ImportError:  # pragma: no cover - payments not installed
        pass
    return values


PARAM_SOURCES = {
    ("portal", "contract"): {"pk": "contract"},
    ("portal", "pay"): {"pk": "contract"},
    ("portal", "plan_request"): {"pk": "contract"},
    ("portal", "validation_notice"): {"pk": "contract"},
    ("portal", "validation_notice_pdf"): {"pk": "contract"},
    ("portal", "message"): {"pk": "notice"},
    ("portal", "message_letter"): {"pk": "notice"},
    ("portal", "appeal"): {"pk": "case"},
    ("portal", "appeal_evidence"): {"pk": "evidence"},
    ("cases_api", "detail"): {"pk": "case"},
    ("portal", "visit_call_instead"): {"pk": "visit"},
}


def test_every_customer_url_answers_404_for_another_customers_ids():
    me = make_customer()
    _overdue(me)
    client = customer_client(me)
    values = _another_customers_objects()
    checked = 0
    for namespace, name, route, pattern in _walk(get_resolver()):
        if namespace not in CUSTOMER_NAMESPACES or not pattern.pattern.converters:
            continue
        params = pattern.pattern.converters.keys()
        sources = PARAM_SOURCES.get((namespace, name), {p: p for p in params})
        kwargs = {}
        for param in params:
            source = sources.get(param, param)
            assert source in values, f"no test object for {namespace}:{name} <{param}>: add it to PARAM_SOURCES"
            kwargs[param] = values[source]
        url = reverse(f"{namespace}:{name}", kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), f"{method.upper()} {url} answered {response.status_code}"
        checked += 1
    assert checked >= 5


def _portfolio(me, *, contracts: int, term: int) -> list:
    """Overdue contracts with charges (penalty, late fees) and a partial payment each."""
    from contracts.services import payment_post

    made = []
    for n in range(contracts):
        contract = make_contract(customer=me, term=term, start_date=dt.date(2026, 1, 1))
        payment_post(
            actor=None,
            contract_id=contract.pk,
            channel="bank_transfer",
            external_reference=f"part-{contract.pk}-{n}",
            amount="100.00",
            received_at=dt.datetime(2026, 2, 5, 4, tzinfo=dt.UTC),
        )
        delinquency_sweep_range(business_date=dt.date(2026, 6, 1), first_id=contract.pk, last_id=contract.pk)
        made.append(contract)
    return made


@pytest.mark.parametrize("contracts,term", [(1, 3), (5, 36)])
def test_dashboard_query_count_is_fixed(django_assert_max_num_queries, contracts, term):
    me = make_customer()
    made = _portfolio(me, contracts=contracts, term=term)
    assert all(c.charges.exists() and c.payments.exists() for c in made)
    client = customer_client(me)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "overdue-total" in body
    assert all(c.number in body for c in made)


@pytest.mark.parametrize("term,plans", [(3, 0), (36, 2)])
def test_contract_page_query_count_is_fixed(django_assert_max_num_queries, term, plans):
    from contracts.services import plan_cancel, plan_propose

    me = make_customer()
    contract = _portfolio(me, contracts=2, term=term)[0]
    for n in range(plans):
        plan = plan_propose(actor=None, contract_id=contract.pk, months=6, reason="x", on=dt.date(2026, 6, 2))
        if n < plans - 1:
            plan_cancel(actor=None, plan_id=plan.pk, reason="x")
    client = customer_client(me)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("portal:contract", kwargs={"pk": contract.pk}))
    body = response.content.decode()
    assert response.status_code == 200
    assert contract.terms.text_zh in body  # the accepted terms, verbatim
    assert "0.05%/" in body or "0.05%" in body  # charges explained
    assert body.count("2026-06-02") == plans  # every plan listed, with the day it was requested


def test_preferences_change_is_audited_and_legally_required_channels_cannot_be_refused():
    me = make_customer()
    client = customer_client(me)
    response = client.post(
        reverse("portal:preferences"),
        {
            "preferred_channel": "email",
            "opt_outs": ["sms", "call"],
            "inconvenient_times": "12:00-13:30",
            "language": "zh-hans",
        },
    )
    assert response.status_code == 302
    pref = ContactPreference.objects.get(profile=me)
    assert pref.preferred_channel == "email" and pref.opt_outs == ["call", "sms"]
    assert pref.inconvenient_times == ["12:00-13:30"]
    assert AuditEvent.objects.filter(action="contact_preference.updated", subject_user_id=me.user_id).exists()
    bad = client.post(
        reverse("portal:preferences"),
        {"preferred_channel": "sms", "opt_outs": ["sms"], "inconvenient_times": "", "language": "zh-hans"},
    )
    assert bad.status_code == 200
    assert ContactPreference.objects.get(profile=me).preferred_channel == "email"


def test_plan_request_with_a_renamed_executable_is_refused_and_creates_nothing(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    me = make_customer()
    contract = _overdue(me)
    client = customer_client(me)
    fake = SimpleUploadedFile("wages.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = client.post(
        reverse("portal:plan_request", kwargs={"pk": contract.pk}), {"months": 6, "reason": "x", "evidence": fake}
    )
    assert response.status_code == 200
    assert "PDF, JPEG" in response.content.decode() or "PDF、JPEG" in response.content.decode()
    assert not contract.plans.exists()
    pdf = SimpleUploadedFile("wages.pdf", minimal_pdf(), content_type="application/pdf")
    response = client.post(
        reverse("portal:plan_request", kwargs={"pk": contract.pk}),
        {"months": 6, "reason": "income fell", "evidence": pdf},
    )
    assert response.status_code == 302
    plan = contract.plans.get()
    assert plan.status == "proposed" and plan.months == 6 and plan.evidence.name.endswith(".pdf")


def test_scheduled_visits_show_officers_and_badges_and_a_call_can_be_requested_instead():
    from accounts.roles import Role
    from cases.models import FieldVisit, VisitStatus
    from tests.accounts.factories import make_staff

    me = make_customer()
    contract = _overdue(me)
    officers = [make_staff(Role.FIELD_OFFICER), make_staff(Role.FIELD_OFFICER)]
    visit = FieldVisit.objects.create(
        customer=me, contract=contract, scheduled_for=dt.datetime(2099, 12, 1, 2, tzinfo=dt.UTC), address="上海"
    )
    visit.officers.set(officers)
    client = customer_client(me)
    page = client.get(reverse("portal:visits")).content.decode()
    for officer in officers:
        assert officer.full_name in page and officer.staff_profile.badge_number in page
    response = client.post(reverse("portal:visit_call_instead", kwargs={"pk": visit.pk}))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CALL_REQUESTED
    assert AuditEvent.objects.filter(action="visit.call_requested", object_id=str(visit.pk)).exists()
