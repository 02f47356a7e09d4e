"""Case pages and API: filing with evidence, refusals that create nothing, isolation between
customers, the staff queue by deadline, only the allowed actions, resolving through the page,
permissions, fixed query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from appeals.models import Case, CaseEvent, CaseStatus, Evidence
from appeals.services import case_acknowledge, case_appeal, case_file, case_resolve
from audit.models import AuditEvent
from contracts.evidence import evidence_check
from contracts.models import Adjustment, CollectionHold
from contracts.services import delinquency_sweep_range
from core.errors import ApplicationError
from tests.accounts.factories import make_customer, make_staff
from tests.conftest import login, login_verified_staff
from tests.contracts.evidence_files import minimal_pdf
from tests.contracts.factories import UNCAPPED, make_contract

pytestmark = pytest.mark.django_db

PDF = minimal_pdf()


def pdf(name: str = "receipt.pdf", size: int | None = None) -> SimpleUploadedFile:
    content = PDF if size is None else PDF + b"0" * (size - len(PDF))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def overdue(customer=None):
    """A contract whose first installments are overdue, with late fees charged."""
    contract = make_contract(customer=customer, start_date=dt.date(2026, 1, 1), **UNCAPPED)
    delinquency_sweep_range(business_date=dt.date(2026, 4, 1), first_id=contract.pk, last_id=contract.pk)
    contract.refresh_from_db()
    return contract


def file_dispute(contract, *, now=None, evidence=True) -> Case:
    return case_file(
        actor=contract.customer.user,
        customer=contract.customer,
        kind="dispute",
        category="charge_challenged",
        description="The late fee should not apply: I paid on time.",
        filed_via="portal",
        contract_id=contract.pk,
        evidence=[pdf()] if evidence else [],
        now=now,
    )


def file_complaint(customer, *, now=None) -> Case:
    return case_file(
        actor=customer.user,
        customer=customer,
        kind="complaint",
        category="staff_conduct",
        description="The agent was rude on the phone.",
        filed_via="portal",
        now=now,
    )


def customer_client(profile) -> Client:
    client = Client()
    login(client, profile.user)
    return client


def staff_client(role: Role = Role.AGENT):
    user = make_staff(role)
    client = Client()
    login_verified_staff(client, user)
    return client, user


def active_hold(contract) -> bool:
    return CollectionHold.objects.filter(contract=contract, released_on__isnull=True).exists()


# --- customer pages ------------------------------------------------------------------------------
def test_entry_points_on_dashboard_and_contract_page_keep_existing_ids():
    me = make_customer()
    contract = overdue(me)
    client = customer_client(me)
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("portal:appeals") in dashboard
    assert 'id="overdue-total"' in dashboard
    page = client.get(reverse("portal:contract", kwargs={"pk": contract.pk})).content.decode()
    new = reverse("portal:appeal_new")
    for kind in ("dispute", "complaint", "appeal", "hardship"):
        assert f"{new}?kind={kind}&amp;contract={contract.pk}" in page
    assert 'id="pay-button"' in page and 'id="contract-overdue"' in page


def test_customer_files_a_dispute_with_a_pdf_and_collection_pauses():
    me = make_customer()
    contract = overdue(me)
    client = customer_client(me)
    url = reverse("portal:appeal_new")
    form_page = client.get(url, {"kind": "dispute", "contract": contract.pk})
    body = form_page.content.decode()
    assert form_page.status_code == 200
    assert f'<option value="{contract.pk}" selected>' in body
    assert '<option value="dispute" selected>' in body
    assert "<optgroup" in body and 'type="file"' in body and "multiple" in body
    assert not active_hold(contract)

    response = client.post(
        url,
        {
            "kind": "dispute",
            "category": "charge_challenged",
            "contract": contract.pk,
            "description": "I paid before the due date; the late fee is wrong.",
            "disputed_amount": "50.00",
            "evidence": [pdf("bank-receipt.pdf")],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:appeal", kwargs={"pk": case.pk})
    assert case.kind == "dispute" and case.contract == contract and case.filed_via == "portal"
    assert case.disputed_amount == Decimal("50.00") and case.status == CaseStatus.SUBMITTED
    assert active_hold(contract)  # collection pauses at once
    evidence = case.evidence.get()
    assert evidence.content_type == "application/pdf" and evidence.original_name == "bank-receipt.pdf"

    detail = client.get(response["Location"]).content.decode()
    answer_by = timezone.localtime(case.resolve_due_at, timezone=dt.timezone(dt.timedelta(hours=8))).date()
    assert case.reference in detail and answer_by.isoformat() in detail
    assert reverse("portal:appeal_evidence", kwargs={"pk": evidence.pk}) in detail
    assert 'id="appeal-form"' not in detail  # nothing decided yet, nothing to appeal

    download = client.get(reverse("portal:appeal_evidence", kwargs={"pk": evidence.pk}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Security-Policy"] == "sandbox"
    assert b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="evidence.viewed", object_id=str(evidence.pk), actor_id=me.user_id).exists()


def _exe() -> SimpleUploadedFile:
    return SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf")


def _html_as_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "statement.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )


def _pdf_header_then_html() -> SimpleUploadedFile:
    body = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>"
    return SimpleUploadedFile("statement.pdf", body, content_type="application/pdf")


def _html() -> SimpleUploadedFile:
    return SimpleUploadedFile("page.html", b"<!doctype html><html><body>x</body></html>", content_type="text/html")


@pytest.mark.parametrize(
    "make_upload",
    [lambda: pdf(size=6 * 1024 * 1024), _exe, _html_as_pdf, _pdf_header_then_html, _html],
    ids=["6mb-pdf", "exe-named-pdf", "html-named-pdf", "pdf-header-then-html", "html"],
)
def test_bad_evidence_is_refused_with_a_clear_error_and_creates_nothing(make_upload):
    me = make_customer()
    contract = overdue(me)
    client = customer_client(me)
    response = client.post(
        reverse("portal:appeal_new"),
        {
            "kind": "dispute",
            "category": "amount_wrong",
            "contract": contract.pk,
            "description": "The amount is wrong.",
            "evidence": [pdf("fine.pdf"), make_upload()],
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["evidence"]
    with translation.override(response.wsgi_request.LANGUAGE_CODE), pytest.raises(ApplicationError) as expected:
        evidence_check(make_upload())
    assert expected.value.code in ("file_too_large", "file_type_not_allowed", "file_unreadable")
    assert errors == [str(expected.value.message)]
    assert 'id="evidence-error"' in response.content.decode()
    assert not Case.objects.exists() and not Evidence.objects.exists() and not CollectionHold.objects.exists()


def test_more_than_five_files_are_refused_by_the_form():
    me = make_customer()
    contract = overdue(me)
    response = customer_client(me).post(
        reverse("portal:appeal_new"),
        {
            "kind": "dispute",
            "category": "amount_wrong",
            "contract": contract.pk,
            "description": "x",
            "evidence": [pdf(f"{n}.pdf") for n in range(6)],
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["evidence"]
    assert not Case.objects.exists()


def test_a_category_of_another_kind_is_refused_in_the_form():
    me = make_customer()
    response = customer_client(me).post(
        reverse("portal:appeal_new"),
        {"kind": "complaint", "category": "amount_wrong", "description": "x"},
    )
    assert response.status_code == 200 and response.context["form"].errors["category"]
    assert not Case.objects.exists()


def test_another_customers_case_and_evidence_answer_404_on_pages_and_api():
    owner = make_customer()
    case = file_dispute(overdue(owner))
    evidence = case.evidence.get()
    stranger = make_customer()
    file_complaint(stranger)
    client = customer_client(stranger)
    for url in (
        reverse("portal:appeal", kwargs={"pk": case.pk}),
        reverse("portal:appeal_evidence", kwargs={"pk": evidence.pk}),
        reverse("cases_api:detail", kwargs={"pk": case.pk}),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("portal:appeal", kwargs={"pk": case.pk}), {"reason": "x"}).status_code == 404
    listing = client.get(reverse("portal:appeals")).content.decode()
    assert case.reference not in listing
    assert case.reference not in {item["reference"] for item in client.get(reverse("cases_api:list")).json()}
    assert not AuditEvent.objects.filter(action="evidence.viewed").exists()


def test_customer_appeals_a_rejection_from_the_case_page():
    me = make_customer()
    case = file_dispute(overdue(me))
    staff = make_staff(Role.AGENT)
    case_acknowledge(actor=staff, case_id=case.pk)
    case_resolve(
        actor=staff, case_id=case.pk, outcome="rejected", reasons="The payment arrived after the grace period."
    )
    client = customer_client(me)
    url = reverse("portal:appeal", kwargs={"pk": case.pk})
    page = client.get(url).content.decode()
    assert 'id="appeal-form"' in page and "The payment arrived after the grace period." in page
    response = client.post(url, {"reason": "My bank statement shows the payment on time."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.APPEAL_REVIEW
    assert 'id="appeal-form"' not in client.get(url).content.decode()


@pytest.mark.parametrize("cases", [1, 10])
def test_customer_case_list_query_count_is_fixed(django_assert_max_num_queries, cases):
    me = make_customer()
    contract = overdue(me)
    for n in range(cases):
        file_dispute(contract, evidence=False) if n % 2 else file_complaint(me)
    client = customer_client(me)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("portal:appeals"))
    assert response.status_code == 200
    assert response.content.decode().count("data-reference=") == cases


# --- API ----------------------------------------------------------------------------------------
def test_api_files_a_case_with_evidence_and_lists_only_the_customers_own():
    me = make_customer()
    contract = overdue(me)
    other = make_customer()
    others_case = file_complaint(other)
    client = customer_client(me)
    response = client.post(
        reverse("cases_api:list"),
        {
            "kind": "dispute",
            "category": "already_paid",
            "contract": contract.pk,
            "description": "Paid by bank transfer on the due date.",
            "evidence": [pdf("a.pdf"), pdf("b.pdf")],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(reference=body["reference"])
    assert body["status"] == "submitted" and body["contract"] == contract.number
    assert body["acknowledge_due_at"] and body["resolve_due_at"] and body["outcome"] is None
    assert case.customer == me and case.filed_via == "api" and case.evidence.count() == 2
    assert active_hold(contract)

    listing = client.get(reverse("cases_api:list"))
    assert listing.status_code == 200
    assert [item["reference"] for item in listing.json()] == [case.reference]
    assert others_case.reference not in listing.content.decode()
    detail = client.get(reverse("cases_api:detail", kwargs={"pk": case.pk})).json()
    assert detail["reference"] == case.reference and len(detail["evidence"]) == 2
    assert [event["kind"] for event in detail["timeline"]] == ["submitted"]


def test_api_errors_are_coded_400s_and_create_nothing():
    me = make_customer()
    contract = overdue(me)
    client = customer_client(me)
    wrong_category = client.post(
        reverse("cases_api:list"),
        {"kind": "complaint", "category": "amount_wrong", "description": "x"},
        content_type="application/json",
    )
    assert wrong_category.status_code == 400 and wrong_category.json()["code"] == "invalid_category"
    renamed_exe = client.post(
        reverse("cases_api:list"),
        {
            "kind": "dispute",
            "category": "amount_wrong",
            "contract": contract.pk,
            "description": "x",
            "evidence": [_exe()],
        },
    )
    assert renamed_exe.status_code == 400 and renamed_exe.json()["code"] == "file_type_not_allowed"
    others = overdue(make_customer())
    foreign = client.post(
        reverse("cases_api:list"),
        {"kind": "dispute", "category": "amount_wrong", "contract": others.pk, "description": "x"},
        content_type="application/json",
    )
    assert foreign.status_code == 404 and foreign.json()["code"] == "contract_not_found"
    assert not Case.objects.exists()


def test_api_is_for_logged_in_customers_only():
    anonymous = Client()
    assert anonymous.get(reverse("cases_api:list")).status_code == 403
    assert anonymous.post(reverse("cases_api:list"), {}).status_code == 403
    client, _user = staff_client(Role.AGENT)
    assert client.get(reverse("cases_api:list")).status_code == 403
    assert Client().put(reverse("cases_api:list")).status_code == 405


# --- staff pages --------------------------------------------------------------------------------
def test_staff_queue_is_ordered_by_the_deadline_that_runs_now():
    staff_user = make_staff(Role.AGENT)
    now = timezone.now()
    mid = file_dispute(overdue(), now=now - dt.timedelta(days=5))
    fresh = file_complaint(make_customer(), now=now)
    old = file_dispute(overdue(), now=now - dt.timedelta(days=40))
    for case in (mid, old):
        case_acknowledge(actor=staff_user, case_id=case.pk)
    for case in (mid, fresh, old):
        case.refresh_from_db()
    # The fresh case's own resolution deadline is the latest; its acknowledgement is due first.
    assert fresh.resolve_due_at > mid.resolve_due_at > old.resolve_due_at
    assert old.resolve_due_at < fresh.acknowledge_due_at < mid.resolve_due_at

    client, _user = staff_client(Role.AGENT)
    body = client.get(reverse("staff:appeal_queue")).content.decode()
    positions = [body.index(f'data-reference="{case.reference}"') for case in (old, fresh, mid)]
    assert positions == sorted(positions)
    assert 'data-sla="breached"' in body

    breached = client.get(reverse("staff:appeal_queue"), {"breached": "1"}).content.decode()
    assert old.reference in breached and fresh.reference not in breached and mid.reference not in breached
    complaints = client.get(reverse("staff:appeal_queue"), {"kind": "complaint"}).content.decode()
    assert fresh.reference in complaints and old.reference not in complaints
    mine = client.get(reverse("staff:appeal_queue"), {"mine": "1"}).content.decode()
    assert "data-reference=" not in mine  # assigned to the other agent


@pytest.mark.parametrize("cases", [1, 10])
def test_staff_queue_query_count_is_fixed(django_assert_max_num_queries, cases):
    contract = overdue()
    for n in range(cases):
        file_dispute(contract, evidence=False) if n % 2 else file_complaint(make_customer())
    client, _user = staff_client(Role.AGENT)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("staff:appeal_queue"))
    assert response.status_code == 200
    assert response.content.decode().count("data-reference=") == cases


@pytest.mark.parametrize("role", [Role.FIELD_OFFICER, Role.AGENCY])
def test_staff_without_handle_case_get_403(role):
    case = file_dispute(overdue())
    client, user = staff_client(role)
    assert not user.has_perm("appeals.handle_case")
    assert client.get(reverse("staff:appeal_queue")).status_code == 403
    assert client.get(reverse("staff:appeal_case", kwargs={"pk": case.pk})).status_code == 403
    assert (
        client.post(reverse("staff:appeal_case", kwargs={"pk": case.pk}), {"action": "acknowledge"}).status_code == 403
    )
    evidence_url = reverse("staff:appeal_case_evidence", kwargs={"pk": case.evidence.get().pk})
    assert client.get(evidence_url).status_code == 403
    assert client.get(reverse("staff:appeal_sla_report")).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


ACTION_IDS = (
    "action-acknowledge",
    "action-investigate",
    "resolve-form",
    "action-approve",
    "action-decide-appeal",
    "action-close",
)


def shown_actions(body: str) -> set[str]:
    return {action for action in ACTION_IDS if f'id="{action}"' in body}


def test_case_page_shows_only_the_allowed_actions_and_resolving_through_it_works():
    contract = overdue()
    first = contract.installments.get(seq=1)
    assert first.fee_charged == Decimal("50.00")
    case = file_dispute(contract)
    client, agent = staff_client(Role.AGENT)
    url = reverse("staff:appeal_case", kwargs={"pk": case.pk})

    page = client.get(url).content.decode()
    assert shown_actions(page) == {"action-acknowledge"}
    assert case.customer.masked_name in page and case.customer.legal_name not in page
    assert f'data-installment="{first.pk}"' in page  # ledger context with installment ids
    evidence = case.evidence.get()
    assert reverse("staff:appeal_case_evidence", kwargs={"pk": evidence.pk}) in page

    # An action the state does not allow is refused by the service, with its message.
    refused = client.post(url, {"action": "close"})
    assert refused.status_code == 200
    assert [message.level_tag for message in refused.context["messages"]] == ["error"]
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    assert client.post(url, {"action": "acknowledge"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACKNOWLEDGED and case.assigned_to == agent
    page = client.get(url).content.decode()
    assert shown_actions(page) == {"action-investigate", "resolve-form"}
    assert f'name="reverse_fee_{first.pk}"' in page

    # A service error is shown on the page and changes nothing.
    rejected_with_remedy = client.post(
        url,
        {
            "action": "resolve",
            "outcome": "rejected",
            "reasons": "No.",
            f"reverse_fee_{first.pk}": "on",
        },
    )
    assert rejected_with_remedy.status_code == 200
    assert rejected_with_remedy.context["forms"]["resolve"].non_field_errors()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACKNOWLEDGED and not Adjustment.objects.exists()

    response = client.post(
        url,
        {
            "action": "resolve",
            "outcome": "upheld",
            "reasons": "The fee was charged in error.",
            f"reverse_fee_{first.pk}": "on",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    first.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.outcome == "upheld"
    assert case.remedy == {"reverse_late_fees": [first.pk]}
    assert first.fee_charged == Decimal("0.00")
    assert Adjustment.objects.filter(installment=first, kind="reverse_late_fee").exists()
    assert shown_actions(client.get(url).content.decode()) == {"action-close"}

    assert client.post(url, {"action": "close"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert shown_actions(client.get(url).content.decode()) == set()


def test_a_large_remedy_is_approved_on_the_page_by_someone_else(settings):
    settings.APPEALS_SECOND_APPROVAL_ABOVE = "100.00"
    contract = overdue()
    first = contract.installments.get(seq=1)
    case = file_dispute(contract)
    agent_client, _agent = staff_client(Role.AGENT)
    url = reverse("staff:appeal_case", kwargs={"pk": case.pk})
    agent_client.post(url, {"action": "acknowledge"})
    response = agent_client.post(
        url,
        {
            "action": "resolve",
            "outcome": "partially_upheld",
            "reasons": "Part of the principal written down.",
            f"write_down_{first.pk}": "200.00",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.remedy["pending"] and case.status == CaseStatus.ACKNOWLEDGED
    assert shown_actions(agent_client.get(url).content.decode()) == set()  # waits for someone else

    supervisor_client, supervisor = staff_client(Role.SUPERVISOR)
    page = supervisor_client.get(url).content.decode()
    assert shown_actions(page) == {"action-approve"}
    assert supervisor_client.post(url, {"action": "approve"}).status_code == 302
    case.refresh_from_db()
    first.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.second_approver == supervisor
    assert first.principal_waived == Decimal("200.00")


def test_appeal_is_decided_on_the_page_by_another_reviewer():
    case = file_dispute(overdue())
    agent_client, _agent = staff_client(Role.AGENT)
    url = reverse("staff:appeal_case", kwargs={"pk": case.pk})
    agent_client.post(url, {"action": "acknowledge"})
    agent_client.post(url, {"action": "investigate", "note": "Checking the bank file."})
    agent_client.post(url, {"action": "resolve", "outcome": "rejected", "reasons": "Paid late."})
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    case_appeal(actor=case.customer.user, case_id=case.pk, reason="It was on time.")
    assert shown_actions(agent_client.get(url).content.decode()) == set()
    supervisor_client, _supervisor = staff_client(Role.SUPERVISOR)
    assert shown_actions(supervisor_client.get(url).content.decode()) == {"action-decide-appeal"}
    response = supervisor_client.post(
        url, {"action": "decide_appeal", "outcome": "rejected", "reasons": "The first decision stands."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.FINAL and case.appeal_outcome == "rejected"
    assert CaseEvent.objects.filter(case=case, kind="investigating", text="Checking the bank file.").exists()


def test_staff_evidence_viewer_serves_inline_with_nosniff_and_is_audited():
    case = file_dispute(overdue())
    evidence = case.evidence.get()
    client, agent = staff_client(Role.AGENT)
    response = client.get(reverse("staff:appeal_case_evidence", kwargs={"pk": evidence.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    # Shown in a sandbox: no scripts, no same-origin access, whatever the file holds.
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content) == PDF
    event = AuditEvent.objects.get(action="evidence.viewed", actor_id=agent.pk)
    assert event.object_id == str(evidence.pk) and event.subject_user_id == case.customer.user_id


def test_staff_files_a_case_for_a_customer_by_phone():
    customer = make_customer()
    contract = overdue(customer)
    client, agent = staff_client(Role.AGENT)
    url = reverse("staff:appeal_file_for_customer", kwargs={"customer_pk": customer.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "filed_via": "phone",
            "kind": "hardship",
            "category": "income_loss",
            "contract": contract.pk,
            "description": "Lost job in March; asks for a plan.",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("staff:appeal_case", kwargs={"pk": case.pk})
    assert case.filed_via == "phone" and case.filed_by == agent and case.customer == customer
    assert active_hold(contract)


def test_sla_report_needs_its_permission():
    staff_user = make_staff(Role.AGENT)
    resolved = file_complaint(make_customer())
    case_acknowledge(actor=staff_user, case_id=resolved.pk)
    case_resolve(actor=staff_user, case_id=resolved.pk, outcome="upheld", reasons="Agent coached.")
    file_dispute(overdue())
    supervisor_client, _supervisor = staff_client(Role.SUPERVISOR)
    response = supervisor_client.get(reverse("staff:appeal_sla_report"))
    assert response.status_code == 200
    rows = {row.kind: row for row in response.context["rows"]}
    assert rows["complaint"].filed == 1 and rows["complaint"].resolved == 1 and rows["complaint"].resolved_on_time == 1
    assert rows["complaint"].median_days_to_resolve is not None
    assert rows["dispute"].open == 1 and rows["dispute"].resolved == 0
    agent_client, _agent = staff_client(Role.AGENT)
    assert agent_client.get(reverse("staff:appeal_sla_report")).status_code == 403
