"""Hostile input: public payloads (XSS, template injection, SQL, CSV formulas, awkward Unicode;
``payloads/``) typed into every free-text field a customer or staff member writes, through the
real pages and the API. Each is stored verbatim (or refused with a clear error, storing
nothing), and shown escaped on every page that displays it, literally in PDFs and emails, and
defused in CSV exports; uploads are typed by their content; amounts and dates at their edges and
hostile JSON bodies get a 4xx answer that changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import ContactChannel, ContactPreference
from accounts.roles import Role
from appeals.models import Case, Evidence
from cases.evidence_files import csv_text
from contracts.models import Payment, RepaymentPlan
from notices.models import Notice
from payments.models import CheckoutSession
from tests.accounts.factories import make_customer, make_staff
from tests.api.helpers import token_client
from tests.cases.factories import overdue_contract
from tests.conftest import login, login_verified_staff
from tests.contracts.evidence_files import minimal_pdf

pytestmark = pytest.mark.django_db

PAYLOAD_DIR = Path(__file__).parent / "payloads"
PAYLOADS = [
    line
    for name in ("xss.txt", "template_injection.txt", "sql.txt", "csv_formula.txt", "unicode.txt")
    for line in (PAYLOAD_DIR / name).read_text(encoding="utf-8").splitlines()
    if line
]
EVALUATED = ("49", "SECRET_KEY", "pbkdf2", "md5$", "<class ")  # what an evaluated template would show


def _customer_client(profile) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    login(client, profile.user)
    return client


def _staff_client(role: Role = Role.SUPERVISOR) -> Client:
    client = Client()
    login_verified_staff(client, make_staff(role))
    return client


def assert_shown_escaped(body: str, payload: str, where: str) -> None:
    """The text is on the page, escaped: never a raw tag, never evaluated."""
    assert escape(payload) in body, f"{where}: {payload[:60]!r} not shown"
    if any(c in payload for c in "<>\"'"):
        assert payload not in body, f"{where}: {payload[:60]!r} shown unescaped"


def test_payload_list_is_vendored_with_its_licence():
    assert len(PAYLOADS) >= 40
    assert (PAYLOAD_DIR / "LICENSE").read_text().startswith("MIT License")
    assert any("<script>" in p for p in PAYLOADS) and any("{{" in p for p in PAYLOADS)


def test_a_dispute_description_is_stored_verbatim_and_shown_escaped_to_customer_and_staff():
    me = make_customer()
    contract = overdue_contract(customer=me)
    client = _customer_client(me)
    staff = _staff_client()
    stored = refused = 0
    for payload in PAYLOADS:
        before = Case.objects.count()
        response = client.post(
            reverse("portal:appeal_new"),
            {"kind": "dispute", "category": "amount_wrong", "contract": contract.pk, "description": payload},
        )
        if len(payload) > 4000:  # over the field's limit: refused with the form's message
            assert response.status_code == 200 and Case.objects.count() == before
            assert "4000" in response.content.decode() or "4,000" in response.content.decode()
            refused += 1
            continue
        assert response.status_code == 302, (payload, response.content.decode()[:500])
        case = Case.objects.latest("pk")
        assert case.description == payload  # verbatim: not stripped of tags, not "sanitised"
        mine = client.get(reverse("portal:appeal", args=[case.pk])).content.decode()
        assert_shown_escaped(mine, payload, "customer's case page")
        theirs = staff.get(reverse("staff:appeal_case", args=[case.pk])).content.decode()
        assert_shown_escaped(theirs, payload, "staff case page")
        for shown in (mine, theirs):
            if "{" in payload:
                assert not any(e in shown and e not in payload for e in EVALUATED[1:]), payload
        stored += 1
    assert stored == len(PAYLOADS) - 1 and refused == 1  # the 4,500-character line is over the limit


def test_staff_reasons_are_shown_escaped_to_the_customer_and_literal_in_the_email():
    me = make_customer()
    ContactPreference.objects.create(profile=me, preferred_channel=ContactChannel.EMAIL, late_contact_consent=True)
    contract = overdue_contract(customer=me)
    client = _customer_client(me)
    staff = _staff_client()
    payloads = [p for p in PAYLOADS if len(p) <= 2000][:24]
    for payload in payloads:
        mail.outbox.clear()
        filed = client.post(
            reverse("portal:appeal_new"),
            {"kind": "dispute", "category": "amount_wrong", "contract": contract.pk, "description": "金额不对"},
        )
        assert filed.status_code == 302
        case = Case.objects.latest("pk")
        url = reverse("staff:appeal_case", args=[case.pk])
        assert staff.post(url, {"action": "acknowledge"}).status_code == 302
        decided = staff.post(url, {"action": "resolve", "outcome": "rejected", "reasons": payload})
        assert decided.status_code == 302, decided.content.decode()[:300]
        case.refresh_from_db()
        assert case.reasons == payload.strip()
        page = client.get(reverse("portal:appeal", args=[case.pk])).content.decode()
        assert_shown_escaped(page, payload.strip(), "customer's case page (our reasons)")
        for notice in Notice.objects.filter(customer=me, channel=ContactChannel.EMAIL, body__contains=payload.strip()):
            assert payload.strip() in notice.body  # plain text, as written
    assert Case.objects.filter(customer=me, reasons__in=[p.strip() for p in payloads]).count() == len(payloads)


def test_plan_request_reasons_and_preferences_are_stored_verbatim_or_refused():
    me = make_customer()
    contract = overdue_contract(customer=me)
    client = _customer_client(me)
    sample = [p for p in PAYLOADS if len(p) <= 2000][:12]
    for payload in sample:
        RepaymentPlan.objects.filter(contract=contract).delete()
        response = client.post(reverse("portal:plan_request", args=[contract.pk]), {"months": 3, "reason": payload})
        assert response.status_code == 302, (payload, response.content.decode()[:300])
        assert RepaymentPlan.objects.get(contract=contract).reason == payload.strip()
    # Too long: refused on the form, which shows the text back escaped; nothing is stored.
    RepaymentPlan.objects.filter(contract=contract).delete()
    too_long = "<script>alert(1)</script>" + "长" * 2000
    refused = client.post(reverse("portal:plan_request", args=[contract.pk]), {"months": 3, "reason": too_long})
    assert refused.status_code == 200 and not RepaymentPlan.objects.filter(contract=contract).exists()
    assert_shown_escaped(refused.content.decode(), too_long, "plan request form")
    # Inconvenient times take ranges only: a payload is refused with the form's message.
    before = ContactPreference.objects.filter(profile=me).values_list("inconvenient_times", flat=True).first()
    for payload in sample[:6]:
        response = client.post(
            reverse("portal:preferences"),
            {"preferred_channel": "sms", "inconvenient_times": payload, "language": "zh-hans"},
        )
        body = response.content.decode()
        assert response.status_code == 200 and "alert-danger" in body, payload
        if any(c in payload for c in "<>"):
            assert payload not in body
    after = ContactPreference.objects.filter(profile=me).values_list("inconvenient_times", flat=True).first()
    assert after == before


def test_staff_waiver_reasons_are_shown_escaped_to_the_approving_supervisor():
    from cases.services import waiver_request_create
    from contracts.models import Installment

    agent = make_staff(Role.AGENT)
    sample = [p for p in PAYLOADS if 5 <= len(p.strip()) <= 2000 and any(c in p for c in "<>{")][:10]
    for payload in sample:
        contract = overdue_contract(started_days_ago=80)
        charged = Installment.objects.filter(contract=contract, fee_charged__gt=0).order_by("seq").first()
        assert charged is not None
        waiver_request_create(
            actor=agent,
            contract_id=contract.pk,
            installment_id=charged.pk,
            kind="reverse_late_fee",
            amount=None,
            reason=payload,
        )
    page = _staff_client().get(reverse("staff:waiver_requests")).content.decode()
    for payload in sample:
        assert_shown_escaped(page, payload.strip(), "waiver requests page")


def test_csv_exports_defuse_formulas_but_keep_numbers():
    text = csv_text(["text", "amount"], [[p, Decimal("-12.50")] for p in PAYLOADS if p[:1] in "=+-@"])
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert rows and all(cell.startswith("'") for cell, _amount in rows)  # a spreadsheet shows text, runs nothing
    assert all(amount == "-12.50" for _cell, amount in rows)  # negative amounts stay numbers


def test_api_free_text_is_stored_verbatim_and_answered_as_json():
    me = make_customer()
    contract = overdue_contract(customer=me)
    api = token_client(["appeals:write"])
    for n, payload in enumerate([p for p in PAYLOADS if len(p) <= 4000][:16]):
        response = api.post(
            "/api/v1/appeals",
            {
                "customer": me.customer_number,
                "contract": contract.number,
                "kind": "complaint",
                "category": "staff_conduct",
                "description": payload,
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"hostile-{n}",
        )
        assert response.status_code == 201, (payload, response.content[:300])
        assert response["Content-Type"].startswith("application/json")
        assert Case.objects.get(reference=response.json()["reference"]).description == payload


# --- uploads ---------------------------------------------------------------------------------
def _upload(name: str, content: bytes, content_type: str = "application/pdf"):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def _zip_bytes() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("statement.pdf", b"0" * 5_000_000)  # a 5 MB file in a few KB: a bomb in small
    return buffer.getvalue()


HOSTILE_UPLOADS = [
    (
        "invoice.pdf",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200,
        "application/pdf",
    ),  # an .exe
    ("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),  # HTML named as a photo
    ("statement.pdf", _zip_bytes(), "application/pdf"),  # an archive named as a PDF
    ("statement.zip", _zip_bytes(), "application/zip"),
    ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
    ("empty.pdf", b"", "application/pdf"),
    ("big.pdf", minimal_pdf() + b"0" * (11 * 1024 * 1024), "application/pdf"),  # over the size limit
]


def _dispute_with(upload):  # type: ignore[no-untyped-def]
    """A customer files a dispute through the page with one evidence file."""
    me = make_customer()
    contract = overdue_contract(customer=me)
    client = _customer_client(me)
    data = {"kind": "dispute", "category": "amount_wrong", "contract": contract.pk, "description": "见附件"}
    return client, client.post(reverse("portal:appeal_new"), {**data, "evidence": upload})


@pytest.mark.parametrize(
    "name,content,content_type", HOSTILE_UPLOADS, ids=[u[0] + str(i) for i, u in enumerate(HOSTILE_UPLOADS)]
)
def test_a_hostile_upload_is_refused_with_a_message_and_nothing_is_filed(name, content, content_type):
    _client, response = _dispute_with(_upload(name, content, content_type))
    assert response.status_code in (200, 400, 413), response.status_code
    assert not Case.objects.exists() and not Evidence.objects.exists()
    if response.status_code == 200:
        assert "invalid-feedback" in response.content.decode() or "alert-danger" in response.content.decode()


def test_an_upload_named_to_climb_out_of_the_upload_folder_is_stored_under_a_safe_name():
    client, response = _dispute_with(_upload("../../../../etc/passwd.pdf", minimal_pdf()))
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert ".." not in evidence.file.name and not evidence.file.name.startswith("/")
    served = client.get(reverse("portal:appeal_evidence", args=[evidence.pk]))
    assert served["X-Content-Type-Options"] == "nosniff"


# --- amounts and dates at their edges ----------------------------------------------------------
BAD_AMOUNTS = ["0", "-1", "0.001", "1e3", "NaN", "Infinity", "-0", "1_000", "1,50", "٣", "", "   ", "1" * 20, "12.345"]


def test_api_payment_amounts_and_dates_at_their_edges_are_refused_and_post_nothing():
    contract = overdue_contract()
    api = token_client(["payments:write"])
    for n, amount in enumerate(BAD_AMOUNTS):
        response = api.post(
            "/api/v1/payments",
            {
                "contract": contract.number,
                "amount": amount,
                "channel": "bank_transfer",
                "reference": f"edge-{n}",
                "received_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"edge-{n}",
        )
        assert response.status_code == 400, (amount, response.status_code, response.content[:200])
        assert "amount" in response.json().get("field_errors", {}) or response.json().get("field") == "amount"
    for n, received_at in enumerate(
        [
            "0000-00-00T00:00:00Z",
            "2026-02-30T10:00:00+08:00",
            "9999-12-31T23:59:59Z",
            "yesterday",
            "2026-02-10T10:00:00",
        ]
    ):
        response = api.post(
            "/api/v1/payments",
            {
                "contract": contract.number,
                "amount": "10.00",
                "channel": "bank_transfer",
                "reference": f"date-{n}",
                "received_at": received_at,
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"date-{n}",
        )
        assert response.status_code == 400, (received_at, response.status_code, response.content[:200])
    assert not Payment.objects.filter(contract=contract).exists()


def test_portal_pay_amounts_at_their_edges_are_refused_with_a_message_and_open_no_checkout(settings):
    settings.RATE_LIMIT_CHECKOUT_PER_ACCOUNT = settings.RATE_LIMIT_CHECKOUT_PER_IP = 1000
    me = make_customer()
    contract = overdue_contract(customer=me)
    client = _customer_client(me)
    for amount in BAD_AMOUNTS:
        response = client.post(
            reverse("payments:start"), {"contract": contract.pk, "choice": "custom", "amount": amount}
        )
        assert response.status_code in (200, 400), (amount, response.status_code)
        assert "invalid-feedback" in response.content.decode() or "alert-danger" in response.content.decode(), amount
    assert not CheckoutSession.objects.filter(contract=contract).exists()


# --- hostile JSON --------------------------------------------------------------------------------
def test_oversized_deeply_nested_and_mistyped_json_bodies_get_a_4xx_in_the_error_format():
    contract = overdue_contract()
    api = token_client(["payments:write", "appeals:write"])
    huge = json.dumps({"contract": contract.number, "amount": "1.00", "note": "x" * (3 * 1024 * 1024)})
    big = api.post("/api/v1/payments", huge, content_type="application/json", HTTP_IDEMPOTENCY_KEY="big")
    assert big.status_code == 413 and "code" in big.json()
    nested = "[" * 100_000 + "]" * 100_000
    deep = api.post("/api/v1/payments", nested, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deep")
    assert deep.status_code == 400 and "code" in deep.json()
    mistyped = api.post(
        "/api/v1/payments", "amount=1", content_type="application/x-www-form-urlencoded", HTTP_IDEMPOTENCY_KEY="form"
    )
    assert mistyped.status_code in (400, 415) and "code" in mistyped.json()
    listing = api.post("/api/v1/payments", "[1, 2, 3]", content_type="application/json", HTTP_IDEMPOTENCY_KEY="list")
    assert listing.status_code == 400 and "code" in listing.json()
    twice = api.post(
        "/api/v1/payments",
        '{"amount": "1.00", "amount": "-5"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="dup",
    )
    assert twice.status_code == 400
    assert not Payment.objects.exists()


def test_pdfs_show_hostile_text_literally():
    from pypdf import PdfReader

    from notices.pdf import missing_glyphs, render_document

    sample = [p for p in PAYLOADS if len(p) < 200 and "\u202e" not in p and "\u200b" not in p]
    data = render_document(
        title="<b>标题</b>",
        paragraphs=sample,
        table=[["字段", "内容"], *[["备注", p] for p in sample[:8]]],
        footer="{{7*7}}",
    )
    assert data.startswith(b"%PDF")
    text = "".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)
    flat = unicodedata.normalize("NFC", text.replace(" ", "")).replace("\x00", "")

    def printable(payload: str) -> str:  # without the characters the embedded fonts have no glyph for
        lacking = set(missing_glyphs(payload))
        return unicodedata.normalize("NFC", "".join(c for c in "".join(payload.split()) if c not in lacking))

    # Every payload is printed as the characters it is, markup and template syntax included.
    missing = [p for p in sample if printable(p) not in flat]
    assert not missing, missing[:5]
    assert "<b>标题</b>" in text.replace(" ", "") or "<b>标题</b>" in flat


def test_visit_report_notes_are_stored_verbatim_and_shown_escaped_to_the_officers():
    from cases.models import VisitReport
    from tests.cases.test_field_visit_pages import _visit

    sample = [p for p in PAYLOADS if len(p) <= 1000 and any(c in p for c in "<>{")][:4]
    for payload in sample:
        visit, officers = _visit()
        client = Client()
        login_verified_staff(client, officers[0])
        filed = client.post(
            reverse("staff:visit_report", args=[visit.pk]),
            {
                "identity_shown": "on",
                "consent_to_enter": "on",
                "met": "customer",
                "outcome": "refused",
                "notes": payload,
            },
        )
        assert filed.status_code == 302, filed.content.decode()[:300]
        assert VisitReport.objects.get(visit=visit).notes == payload.strip()
        page = client.get(reverse("staff:visit_detail", args=[visit.pk])).content.decode()
        assert_shown_escaped(page, payload.strip(), "visit page")
