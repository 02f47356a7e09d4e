"""Staff import of customers, contracts and repayment history (CSV and XLSX)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import CustomerProfile
from accounts.roles import Role
from audit.models import AuditEvent
from contracts.imports import contracts_import, dataset_from_upload
from contracts.models import Contract, Installment, Payment
from contracts.services import terms_publish
from core.errors import ApplicationError, ForbiddenError
from tests.accounts.factories import make_customer, make_staff, national_id
from tests.conftest import login_verified_staff
from tests.contracts.factories import TERMS_TEXT_EN, TERMS_TEXT_ZH, make_contract, make_product

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CUSTOMER_HEADERS = ["legal_name", "email", "phone", "national_id", "postal_address"]
CONTRACT_HEADERS = [
    "customer_number",
    "product_code",
    "terms_version",
    "principal",
    "term",
    "start_date",
    "first_due_date",
    "contract_number",
]
PAYMENT_HEADERS = ["contract_number", "channel", "reference", "amount", "received_at"]


def csv_bytes(headers: list[str], rows: list[list[object]], *, bom: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def xlsx_bytes(headers: list[str], rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_import(actor, kind: str, content: bytes, filename: str, *, dry_run: bool = False):
    dataset = dataset_from_upload(content=content, filename=filename)
    return contracts_import(actor=actor, kind=kind, dataset=dataset, dry_run=dry_run)


def errors_of(report) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in report.errors}


@pytest.fixture
def admin_user(db):
    return make_staff(Role.ADMIN)


@pytest.fixture
def loan_product(db):
    product = make_product(code="home-loan")
    terms_publish(actor=None, product=product, text_zh=TERMS_TEXT_ZH, text_en=TERMS_TEXT_EN)
    terms_publish(actor=None, product=product, text_zh=TERMS_TEXT_ZH + "（第二版）", text_en=TERMS_TEXT_EN)
    return product


def completed_events():
    return AuditEvent.objects.filter(action="import.completed")


# --- customers ------------------------------------------------------------------------------------
def test_customers_csv_import_creates_customers_through_the_service(admin_user):
    content = csv_bytes(
        CUSTOMER_HEADERS,
        [
            ["王小明", "wxm@example.test", "13900000101", national_id(501), "上海市黄浦区1号"],
            ["李华", "", "139 0000 0102", national_id(502), ""],
        ],
    )
    report = run_import(admin_user, "customers", content, "customers.csv")

    assert report.committed and report.errors == [] and report.created_count == 2
    first = CustomerProfile.objects.get(user__email="wxm@example.test")
    second = CustomerProfile.objects.get(phone="+8613900000102")
    assert first.legal_name == "王小明" and first.national_id_plain() == national_id(501)
    assert national_id(501) not in first.national_id_encrypted
    assert not first.user.has_usable_password()
    assert second.user.email is None
    created = AuditEvent.objects.filter(action="customer.created", actor_id=admin_user.pk)
    assert set(created.values_list("object_id", flat=True)) == {str(first.pk), str(second.pk)}
    event = completed_events().get()
    assert event.actor_id == admin_user.pk
    assert event.data == {"kind": "customers", "rows": 2, "created": 2, "unchanged": 0}
    assert [r.reference for r in report.rows] == [first.customer_number, second.customer_number]


def test_customers_xlsx_import_with_numeric_phone_cells(admin_user):
    content = xlsx_bytes(
        [*CUSTOMER_HEADERS, "language"],
        [["赵六", "zl@example.test", 13900000103, national_id(503), "北京市", "en"]],
    )
    report = run_import(admin_user, "customers", content, "customers.xlsx")

    assert report.committed, report.errors
    profile = CustomerProfile.objects.get(user__email="zl@example.test")
    assert profile.phone == "+8613900000103" and profile.language == "en"
    assert AuditEvent.objects.filter(action="customer.created", object_id=str(profile.pk)).exists()


def test_one_bad_national_id_imports_nothing_and_names_row_and_column(admin_user):
    bad_id = national_id(504)[:-1] + ("0" if national_id(504)[-1] != "0" else "1")
    content = csv_bytes(
        CUSTOMER_HEADERS,
        [
            ["好客户", "good@example.test", "13900000104", national_id(505), ""],
            ["坏客户", "bad@example.test", "13900000105", bad_id, ""],
        ],
    )
    before = CustomerProfile.objects.count()
    with translation.override("en"):
        report = run_import(admin_user, "customers", content, "customers.csv")

    assert not report.committed and report.rows == []
    assert errors_of(report) == {(3, "national_id")}
    assert "resident ID" in report.errors[0].message
    assert CustomerProfile.objects.count() == before
    assert not AuditEvent.objects.filter(action="customer.created", actor_id=admin_user.pk).exists()
    assert not completed_events().exists()


def test_every_bad_row_is_reported_not_just_the_first(admin_user):
    make_customer(email="taken@example.test")
    content = csv_bytes(
        CUSTOMER_HEADERS,
        [
            ["", "a@example.test", "", "", ""],
            ["乙", "taken@example.test", "", "", ""],
            ["丙", "not-an-email", "", "", ""],
            ["丁", "", "12345", "", ""],
            ["戊", "", "", "", ""],
            ["己", "dup@example.test", "", "", ""],
            ["庚", "dup@example.test", "", "", ""],
        ],
    )
    report = run_import(admin_user, "customers", content, "customers.csv")

    assert errors_of(report) == {
        (2, "legal_name"),
        (3, "email"),
        (4, "email"),
        (5, "phone"),
        (6, "email"),
        (7, "email"),
        (8, "email"),
    }
    assert not CustomerProfile.objects.filter(user__email="a@example.test").exists()


def test_missing_and_unknown_columns_are_header_errors(admin_user):
    content = csv_bytes(["email", "nickname"], [["x@example.test", "x"]])
    report = run_import(admin_user, "customers", content, "customers.csv")
    assert errors_of(report) == {(1, "legal_name"), (1, "nickname")}


def test_row_numbers_match_the_spreadsheet_even_after_blank_lines(admin_user):
    content = "legal_name,email\n甲,a@example.test\n\n乙,not-an-email\n".encode()
    report = run_import(admin_user, "customers", content, "customers.csv")
    assert errors_of(report) == {(4, "email")}


def test_a_value_under_no_header_is_an_error(admin_user):
    content = xlsx_bytes(["legal_name", "email"], [["甲", "a@example.test", "stray"]])
    report = run_import(admin_user, "customers", content, "customers.xlsx")
    assert [(e.row, e.code) for e in report.errors] == [(2, "column_unnamed")]


def test_dry_run_shows_the_rows_and_saves_nothing(admin_user):
    content = csv_bytes(CUSTOMER_HEADERS, [["预览", "preview@example.test", "", national_id(506), ""]])
    report = run_import(admin_user, "customers", content, "customers.csv", dry_run=True)

    assert report.ok and not report.committed and report.created_count == 1
    assert report.rows[0].values[0] == "预览"
    assert national_id(506) not in report.rows[0].values  # shown masked
    assert not CustomerProfile.objects.filter(user__email="preview@example.test").exists()
    assert not AuditEvent.objects.filter(action__in=["customer.created", "import.completed"]).exists()


def test_the_service_refuses_an_actor_without_the_permission():
    agent = make_staff(Role.AGENT)
    content = csv_bytes(CUSTOMER_HEADERS, [["甲", "agent-import@example.test", "", "", ""]])
    with pytest.raises(ForbiddenError):
        run_import(agent, "customers", content, "customers.csv")
    assert not CustomerProfile.objects.filter(user__email="agent-import@example.test").exists()


# --- contracts ------------------------------------------------------------------------------------
def test_contracts_csv_import_uses_latest_terms_unless_a_version_is_given(admin_user, loan_product):
    one, two = make_customer(), make_customer()
    content = csv_bytes(
        CONTRACT_HEADERS,
        [
            [one.customer_number, "home-loan", "", "12000.00", "12", "2026-01-10", "2026-02-15", "IMP-0001"],
            [two.customer_number, "home-loan", "1", "6000", "6", "2026-03-01", "", ""],
        ],
    )
    report = run_import(admin_user, "contracts", content, "contracts.csv")

    assert report.committed, report.errors
    first = Contract.objects.get(number="IMP-0001")
    assert first.customer == one and first.terms.version == 2 and first.principal == Decimal("12000.00")
    assert first.first_due_date == dt.date(2026, 2, 15) and first.installments.count() == 12
    second = Contract.objects.get(customer=two)
    assert second.terms.version == 1 and second.first_due_date == dt.date(2026, 4, 1)
    assert Installment.objects.filter(contract=second).count() == 6
    assert AuditEvent.objects.filter(action="contract.created", actor_id=admin_user.pk).count() == 2
    assert completed_events().get().data["created"] == 2


def test_contracts_xlsx_import_reads_date_and_number_cells(admin_user, loan_product):
    customer = make_customer()
    content = xlsx_bytes(
        CONTRACT_HEADERS,
        [[customer.customer_number, "home-loan", 2, 8000.5, 12, dt.datetime(2026, 1, 5), dt.date(2026, 2, 5), "X-1"]],
    )
    report = run_import(admin_user, "contracts", content, "contracts.xlsx")

    assert report.committed, report.errors
    contract = Contract.objects.get(number="X-1")
    assert contract.principal == Decimal("8000.50") and contract.start_date == dt.date(2026, 1, 5)
    assert AuditEvent.objects.filter(action="contract.created", object_id=str(contract.pk)).exists()


def test_unknown_product_imports_no_contract_at_all(admin_user, loan_product):
    customer = make_customer()
    content = csv_bytes(
        CONTRACT_HEADERS,
        [
            [customer.customer_number, "home-loan", "", "5000", "12", "2026-01-01", "", "OK-1"],
            [customer.customer_number, "no-such-product", "", "5000", "12", "2026-01-01", "", "BAD-1"],
            ["C99999999", "home-loan", "", "5000", "12", "2026-01-01", "", "BAD-2"],
            [customer.customer_number, "home-loan", "7", "5000", "99", "01/01/2026", "", "BAD-3"],
        ],
    )
    report = run_import(admin_user, "contracts", content, "contracts.csv")

    assert (3, "product_code") in errors_of(report)
    assert (4, "customer_number") in errors_of(report)
    assert (5, "terms_version") in errors_of(report)
    assert not Contract.objects.filter(number__in=["OK-1", "BAD-1", "BAD-2", "BAD-3"]).exists()
    assert not completed_events().exists()


# --- payments -------------------------------------------------------------------------------------
def test_payments_csv_import_posts_each_payment(admin_user):
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    content = csv_bytes(
        PAYMENT_HEADERS,
        [
            [contract.number, "bank", "B-1", "500.00", "2026-02-01T10:00:00+08:00"],
            [contract.number, "bank", "B-2", "300", "2026-03-01T09:30:00Z"],
        ],
    )
    report = run_import(admin_user, "payments", content, "payments.csv")

    assert report.committed, report.errors
    payments = Payment.objects.filter(contract=contract).order_by("received_at")
    assert [p.external_reference for p in payments] == ["B-1", "B-2"]
    assert payments[0].amount == Decimal("500.00") and payments[0].posted_by == admin_user
    assert payments[0].allocations.exists()  # allocated by the ledger, not just stored
    assert AuditEvent.objects.filter(action="payment.posted", actor_id=admin_user.pk).count() == 2
    assert completed_events().get().data == {"kind": "payments", "rows": 2, "created": 2, "unchanged": 0}
    assert not AuditEvent.objects.filter(action__startswith="sweep").exists()


def test_payments_xlsx_import_takes_naive_times_as_beijing_time(admin_user):
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    content = xlsx_bytes(
        PAYMENT_HEADERS,
        [
            [contract.number, "alipay", "A-1", 250.5, dt.datetime(2026, 2, 1, 23, 30)],
            [contract.number, "alipay", "A-2", 100, "2026-02-03 08:00:00"],
        ],
    )
    report = run_import(admin_user, "payments", content, "payments.xlsx")

    assert report.committed, report.errors
    first = Payment.objects.get(external_reference="A-1")
    assert first.amount == Decimal("250.50")
    assert first.received_at == dt.datetime(2026, 2, 1, 23, 30, tzinfo=SHANGHAI)
    assert first.business_date == dt.date(2026, 2, 1)  # not the UTC day before or after
    second = Payment.objects.get(external_reference="A-2")
    assert second.received_at == dt.datetime(2026, 2, 3, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("build", "filename", "bad_amount"),
    [(csv_bytes, "payments.csv", "12.345"), (xlsx_bytes, "payments.xlsx", 12.345)],
)
def test_an_amount_with_three_decimals_imports_nothing(admin_user, build, filename, bad_amount):
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    content = build(
        PAYMENT_HEADERS,
        [
            [contract.number, "bank", "P-0", "100.00", "2026-02-01T09:00:00+08:00"],
            [contract.number, "bank", "P-1", bad_amount, "2026-02-01T10:00:00"],
        ],
    )
    report = run_import(admin_user, "payments", content, filename)

    assert errors_of(report) == {(3, "amount")}
    assert report.errors[0].code == "amount_precision"
    assert not Payment.objects.filter(contract=contract).exists()


def test_bad_payment_rows_are_reported_with_their_columns(admin_user):
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    content = csv_bytes(
        PAYMENT_HEADERS,
        [
            [contract.number, "bank", "R-1", "100.00", "2026-01-20T10:00:00+08:00"],
            [contract.number, "bank", "R-3", "10.00", "2025-12-01T10:00:00+08:00"],
            ["NO-SUCH", "bank", "R-4", "10.00", "2026-01-21T10:00:00+08:00"],
            [contract.number, "bank", "R-5", "10.00", "not a time"],
            [contract.number, "bank", "R-6", "10.00", "2099-01-01T10:00:00+08:00"],
        ],
    )
    report = run_import(admin_user, "payments", content, "payments.csv")
    assert errors_of(report) == {(3, "received_at"), (4, "contract_number"), (5, "received_at"), (6, "received_at")}
    assert not Payment.objects.filter(contract=contract).exists()


def test_a_row_the_ledger_refuses_rolls_back_the_rows_before_it(admin_user):
    contract = make_contract(start_date=dt.date(2026, 1, 1), principal="1000.00", term=2)
    content = csv_bytes(
        PAYMENT_HEADERS,
        [
            [contract.number, "bank", "R-1", "100.00", "2026-01-20T10:00:00+08:00"],
            [contract.number, "bank", "R-2", "999999.00", "2026-01-21T10:00:00+08:00"],
        ],
    )
    report = run_import(admin_user, "payments", content, "payments.csv")

    assert errors_of(report) == {(3, "amount")}
    assert report.errors[0].code == "amount_exceeds_payoff"
    assert not Payment.objects.filter(contract=contract).exists()
    assert not AuditEvent.objects.filter(action__in=["payment.posted", "import.completed"]).exists()
    contract.refresh_from_db()
    assert contract.principal_outstanding == Decimal("1000.00")


def test_duplicate_payment_reference_rows_are_idempotent(admin_user):
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    row = [contract.number, "bank", "DUP-1", "200.00", "2026-02-02T10:00:00+08:00"]
    content = csv_bytes(PAYMENT_HEADERS, [row, row])

    report = run_import(admin_user, "payments", content, "payments.csv")
    assert report.committed and report.created_count == 1 and report.unchanged_count == 1
    assert Payment.objects.filter(external_reference="DUP-1").count() == 1

    again = run_import(admin_user, "payments", content, "payments.csv")
    assert again.committed and again.created_count == 0 and again.unchanged_count == 2
    assert Payment.objects.filter(external_reference="DUP-1").count() == 1
    assert AuditEvent.objects.filter(action="payment.posted").count() == 1
    assert [e.data["created"] for e in completed_events()] == [1, 0]


def test_a_reused_reference_with_another_amount_is_an_error(admin_user):
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    content = csv_bytes(
        PAYMENT_HEADERS,
        [
            [contract.number, "bank", "DUP-2", "200.00", "2026-02-02T10:00:00+08:00"],
            [contract.number, "bank", "DUP-2", "250.00", "2026-02-03T10:00:00+08:00"],
        ],
    )
    report = run_import(admin_user, "payments", content, "payments.csv")
    assert errors_of(report) == {(3, "reference")}
    assert not Payment.objects.filter(external_reference="DUP-2").exists()


# --- files ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "filename", "code"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "customers.csv", "not_csv"),
        ("legal_name,email\n张三,z@example.test\n".encode("gb18030"), "customers.csv", "not_csv"),
        (b"legal_name,email\nx,y\n", "customers.xlsx", "not_xlsx"),
        (b"PK\x03\x04not really a zip", "customers.xlsx", "not_xlsx"),
        (b"legal_name\nx\n", "customers.txt", "file_type"),
    ],
)
def test_files_are_judged_by_content(content, filename, code):
    with pytest.raises(ApplicationError) as excinfo:
        dataset_from_upload(content=content, filename=filename)
    assert excinfo.value.code == code


def test_a_workbook_renamed_csv_is_refused():
    workbook = xlsx_bytes(CUSTOMER_HEADERS, [["甲", "a@example.test", "", "", ""]])
    with pytest.raises(ApplicationError) as excinfo:
        dataset_from_upload(content=workbook, filename="customers.csv")
    assert excinfo.value.code == "not_csv"


# --- the staff page -------------------------------------------------------------------------------
@pytest.fixture
def admin_client(client, admin_user):
    login_verified_staff(client, admin_user)
    client.user = admin_user
    return client


def upload(content: bytes, filename: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(filename, content, content_type="application/octet-stream")


def test_the_page_works_for_an_admin_with_two_factor(admin_client):
    response = admin_client.get("/staff/import/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="file"' in body and 'value="preview"' in body and "/staff/import/template/payments.csv" in body


def test_templates_have_the_expected_headers(admin_client):
    response = admin_client.get("/staff/import/template/contracts.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.strip() == ",".join(CONTRACT_HEADERS)
    assert admin_client.get("/staff/import/template/nothing.csv").status_code == 404


def test_preview_then_import_through_the_page(admin_client):
    content = csv_bytes(CUSTOMER_HEADERS, [["页面", "page@example.test", "", national_id(507), ""]])
    preview = admin_client.post(
        "/staff/import/", {"kind": "customers", "step": "preview", "file": upload(content, "c.csv")}
    )
    assert preview.status_code == 200
    body = preview.content.decode()
    assert 'id="import-rows"' in body and "页面" in body and national_id(507) not in body
    assert not CustomerProfile.objects.filter(user__email="page@example.test").exists()
    token = re.search(r'name="preview_token" value="([^"]+)"', body).group(1)

    response = admin_client.post(
        "/staff/import/",
        {"kind": "customers", "step": "import", "preview_token": token, "file": upload(content, "c.csv")},
    )
    assert response.status_code == 302 and response["Location"] == "/staff/import/"
    assert CustomerProfile.objects.filter(user__email="page@example.test").exists()
    assert completed_events().get().actor_id == admin_client.user.pk


def test_import_without_a_clean_preview_of_the_same_file_is_refused(admin_client):
    content = csv_bytes(CUSTOMER_HEADERS, [["未预览", "nopreview@example.test", "", "", ""]])
    other = csv_bytes(CUSTOMER_HEADERS, [["另一个", "other@example.test", "", "", ""]])
    preview = admin_client.post(
        "/staff/import/", {"kind": "customers", "step": "preview", "file": upload(other, "o.csv")}
    )
    token = re.search(r'name="preview_token" value="([^"]+)"', preview.content.decode()).group(1)

    for data in ({}, {"preview_token": token}, {"preview_token": "forged"}):
        response = admin_client.post(
            "/staff/import/", {"kind": "customers", "step": "import", "file": upload(content, "c.csv"), **data}
        )
        assert response.status_code == 200
    assert not CustomerProfile.objects.filter(user__email__in=["nopreview@example.test", "other@example.test"]).exists()


def test_the_page_shows_row_errors(admin_client):
    content = csv_bytes(CUSTOMER_HEADERS, [["甲", "bad-email", "", "", ""]])
    response = admin_client.post(
        "/staff/import/", {"kind": "customers", "step": "preview", "file": upload(content, "c.csv")}
    )
    body = response.content.decode()
    assert 'id="import-errors"' in body and "<td>2</td>" in body and "<code>email</code>" in body
    assert 'value="import"' not in body


def test_non_csv_content_renamed_csv_is_refused_by_the_page(admin_client):
    fake = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"
    response = admin_client.post(
        "/staff/import/", {"kind": "customers", "step": "preview", "file": upload(fake, "c.csv")}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert response.context["report"] is None


def test_files_over_five_megabytes_are_refused(admin_client):
    content = csv_bytes(CUSTOMER_HEADERS, []) + b"x" * (5 * 1024 * 1024)
    response = admin_client.post(
        "/staff/import/", {"kind": "customers", "step": "preview", "file": upload(content, "c.csv")}
    )
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_staff_without_the_permission_get_403(client):
    agent = make_staff(Role.AGENT)
    login_verified_staff(client, agent)
    content = csv_bytes(CUSTOMER_HEADERS, [["甲", "forbidden@example.test", "", "", ""]])
    assert client.get("/staff/import/").status_code == 403
    assert client.get("/staff/import/template/customers.csv").status_code == 403
    response = client.post("/staff/import/", {"kind": "customers", "step": "preview", "file": upload(content, "c.csv")})
    assert response.status_code == 403
    assert not CustomerProfile.objects.filter(user__email="forbidden@example.test").exists()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/staff/import/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
