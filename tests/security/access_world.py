"""The world the access matrix walks: two Chinese customers (the owner A of every object the
URLs address, and B), a US customer U with a validation notice, every staff role, two agencies
(one holding A's account), staff without two-factor, and two API tokens (every scope, none).

Objects are made through the services where the matrix relies on their rules (placement,
requests, cases); records that are only addressed by id are created directly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role
from appeals.services import case_file
from cases.models import FieldVisit, Guarantee, GuaranteeClaim, LegalCase
from cases.services import saved_view_save, visit_request_create, waiver_request_create
from contracts.imports.jobs import import_job_create
from contracts.models import Contract, Installment
from contracts.services import payment_post
from core.dates import business_today
from notices.models import Notice
from notices.services.validation import validation_notice_issue, validation_response_record
from payments.models import CheckoutSession
from tests.accounts.factories import make_customer, make_staff
from tests.api.helpers import token_client
from tests.cases.factories import agency_user, make_agency, overdue_contract, place
from tests.cases.visit_helpers import failed_calls, visit_slot
from tests.conftest import login, login_verified_staff
from tests.contracts.evidence_files import minimal_pdf
from tests.notices.validation_helpers import us_debt

# Who asks. "customer" is the owner of the object a row addresses; "other_customer" is someone else.
PRINCIPALS = (
    "anonymous",
    "customer",
    "other_customer",
    "agent",
    "supervisor",
    "field_officer",
    "agency_placed",
    "agency_unplaced",
    "compliance",
    "admin",
    "staff_no_2fa",
    "token_all",
    "token_none",
)
STAFF = ("agent", "supervisor", "field_officer", "agency_placed", "agency_unplaced", "compliance", "admin")


def _notice(contract: Contract) -> Notice:
    now = timezone.now()
    notice = Notice.objects.create(
        idempotency_key=f"matrix-{contract.pk}",
        customer=contract.customer,
        contract=contract,
        purpose="overdue_reminder",
        channel="letter",
        locale="zh-hans",
        recipient=contract.customer.postal_address,
        body="您的合同已逾期，请尽快还款。",
        status="sent",
        scheduled_for=now,
        next_attempt_at=now,
        sent_at=now,
    )
    notice.document.save(f"matrix-{notice.pk}.pdf", ContentFile(minimal_pdf()))
    return notice


@dataclass
class World:
    ids: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    us_clients: dict[str, Client] = field(default_factory=dict)


def build_world() -> World:
    w = World()
    owner = make_customer()
    other = make_customer()
    contract = overdue_contract(customer=owner, started_days_ago=80)
    overdue_contract(customer=other, started_days_ago=80)
    staff = {
        role: make_staff(role)
        for role in (Role.AGENT, Role.SUPERVISOR, Role.FIELD_OFFICER, Role.COMPLIANCE_OFFICER, Role.ADMIN)
    }
    placed, unplaced = make_agency(), make_agency()
    placement = place(contract, placed, by=staff[Role.SUPERVISOR])
    users = {
        "agent": staff[Role.AGENT],
        "supervisor": staff[Role.SUPERVISOR],
        "field_officer": staff[Role.FIELD_OFFICER],
        "compliance": staff[Role.COMPLIANCE_OFFICER],
        "admin": staff[Role.ADMIN],
        "agency_placed": agency_user(placed),
        "agency_unplaced": agency_user(unplaced),
        "staff_no_2fa": make_staff(Role.ADMIN),
    }

    # Requests and records about A's account (before the dispute, which pauses collection).
    failed_calls(contract, 3, by=users["agent"])
    visit_request = visit_request_create(
        actor=users["agent"],
        contract_id=contract.pk,
        proposed_for=visit_slot(),
        reason="多次电话联系未接通，需上门核实情况",
        address_verification="customer_confirmed",
    )
    charged = Installment.objects.filter(contract=contract, fee_charged__gt=0).order_by("seq").first()
    assert charged is not None, "the owner's account needs a late fee for the waiver row"
    waiver = waiver_request_create(
        actor=users["agent"],
        contract_id=contract.pk,
        installment_id=charged.pk,
        kind="reverse_late_fee",
        amount=None,
        reason="客户住院，提供了证明",
    )
    visit = FieldVisit.objects.create(
        customer=owner, contract=contract, scheduled_for=visit_slot(days_ahead=5), address=owner.postal_address
    )
    visit.officers.set([users["field_officer"]])  # the agent goes on visits too, but not on this one
    guarantee = Guarantee.objects.create(
        contract=contract, kind="guarantor", provider="某融资担保有限公司", reference=f"G-{contract.pk}"
    )
    claim = GuaranteeClaim.objects.create(
        guarantee=guarantee,
        contract=contract,
        amount_claimed="500.00",
        prepared_by=users["supervisor"],
        prepared_at=timezone.now(),
        status_changed_at=timezone.now(),
    )
    legal_case = LegalCase.objects.create(
        contract=contract,
        status="referred",
        law_firm="北京某某律师事务所",
        letter_on=business_today() - dt.timedelta(days=20),
        grace_until=business_today() - dt.timedelta(days=5),
        referred_on=business_today(),
        amount_claimed="1000.00",
        opened_by=users["supervisor"],
        opened_at=timezone.now(),
        status_changed_at=timezone.now(),
    )
    payment, *_ = payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank_transfer",
        external_reference=f"matrix-{contract.pk}",
        amount="10.00",
        received_at=timezone.now() - dt.timedelta(hours=1),
    )
    checkout = CheckoutSession.objects.create(
        contract=contract, customer=owner, amount="100.00", currency="CNY", choice="overdue", provider="sandbox"
    )
    saved_view = saved_view_save(actor=users["supervisor"], name="我的视图", filters={"bucket": "31-60"})
    case = case_file(
        actor=owner.user,
        customer=owner,
        kind="dispute",
        category="amount_wrong",
        description="金额不对",
        filed_via="portal",
        contract_id=contract.pk,
        evidence=[SimpleUploadedFile("e.pdf", minimal_pdf(), content_type="application/pdf")],
    )

    us = us_debt()
    record = validation_notice_issue(actor=None, contract_id=us.pk, business_date=business_today())
    response = validation_response_record(
        actor=None, validation_notice_id=record.pk, dispute_reasons=["not_mine"], received_on=business_today()
    )

    api_all, api_none = token_client(), token_client([])
    from accounts.services.api_access import webhook_endpoint_create

    webhook, _secret = webhook_endpoint_create(
        actor=None, client=api_all.token.client, url="https://hooks.example.test/fairdue", events=["payment.posted"]
    )

    job = import_job_create(
        actor=None,
        api_client=api_all.token.client,
        kind="customers",
        dataset=tablib.Dataset(headers=["customer_number"]),
        dry_run=True,
    )
    w.ids = {
        "contract": contract.pk,
        "contract_number": contract.number,
        "owner_name": owner.legal_name,
        "customer_pk": owner.pk,
        "customer_number": owner.customer_number,
        "notice": _notice(contract).pk,
        "visit": visit.pk,
        "visit_request": visit_request.pk,
        "guarantee": guarantee.pk,
        "claim": claim.pk,
        "legal_case": legal_case.pk,
        "waiver": waiver.pk,
        "placement": placement.pk,
        "saved_view": saved_view.pk,
        "case": case.pk,
        "case_reference": case.reference,
        "evidence": case.evidence.get().pk,
        "payment": payment.pk,
        "token": checkout.token,
        "import_job": job.pk,
        "webhook": webhook.pk,
        "validation": record.pk,
        "validation_response": response.pk,
        "us_contract": us.pk,
        "staff_user": users["agent"].pk,
        "contract_ct": ContentType.objects.get_for_model(Contract).pk,
    }

    clients: dict[str, Client] = {"anonymous": Client()}
    for name, profile in (("customer", owner), ("other_customer", other)):
        clients[name] = Client()
        login(clients[name], profile.user)
    for name, user in users.items():
        clients[name] = Client()
        if name == "staff_no_2fa":
            login(clients[name], user)
        else:
            login_verified_staff(clients[name], user)
    clients["token_all"], clients["token_none"] = api_all, api_none
    w.clients, w.users = clients, users
    # Rows about U's validation notice: U is the owner, A the other customer.
    w.us_clients = {"customer": Client(), "other_customer": clients["customer"]}
    login(w.us_clients["customer"], us.customer.user)
    return w


def token_principal(name: str) -> bool:
    return name.startswith("token_")


def api_client(client: Client) -> bool:
    return isinstance(client, APIClient)
