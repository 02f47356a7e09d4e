"""Regulation F validation notices: form B-1's content in the PDF (English and Spanish), the
validation period's end date, and an itemization that reconciles with the ledger."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from audit.models import AuditEvent
from contracts.itemization import debt_itemization
from contracts.models import ChargeEntry, ItemizationBasis
from contracts.selectors import contract_balance
from core.errors import ApplicationError
from notices.models import Notice, NoticeStatus, Purpose, ValidationNotice
from notices.services import notice_deliver
from notices.services.validation import validation_notice_issue
from notices.validation import assumed_receipt, mask_account_number, validation_period_end
from notices.validation_pdf import render_validation_pdf
from notices.validation_texts import notice_content
from tests.accounts.factories import make_customer
from tests.contracts.factories import make_contract
from tests.contracts.ledger_helpers import at, pay, sweep
from tests.notices.validation_helpers import LAST_STATEMENT, TODAY, us_customer, us_debt, us_product

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def embedded_fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    found = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor.get_object():
                    found.add(str(font["/BaseFont"]))
    return found


# --------------------------------------------------------------- the validation period


def test_receipt_is_five_days_after_sending_without_weekends_and_holidays():
    # Fri Nov 20 2026: Mon 23, Tue 24, Wed 25, (Thanksgiving Thu 26), Fri 27, Mon 30.
    assert assumed_receipt(dt.date(2026, 11, 20)) == dt.date(2026, 11, 30)
    assert validation_period_end(dt.date(2026, 11, 20)) == dt.date(2026, 12, 30)
    # A plain week: Mon Mar 16 -> Mon Mar 23; the period ends 30 days later.
    assert assumed_receipt(dt.date(2026, 3, 16)) == dt.date(2026, 3, 23)
    assert validation_period_end(dt.date(2026, 3, 16)) == dt.date(2026, 4, 22)


def test_account_number_is_masked_to_the_last_four():
    assert mask_account_number("C2026000123") == "*******0123"
    assert mask_account_number("12") == "****12"


# --------------------------------------------------------------- itemization and ledger


def test_itemization_reconciles_with_the_ledger_line_by_line():
    customer = us_customer()
    product = us_product()
    contract = make_contract(customer=customer, product=product, principal="3000.00", term=6, start_date=START)
    twin = make_contract(customer=customer, product=product, principal="3000.00", term=6, start_date=START)
    sweep(contract, dt.date(2026, 3, 9))
    payment = pay(contract, "400.00", dt.date(2026, 3, 10))
    sweep(contract, TODAY)
    sweep(twin, LAST_STATEMENT)  # the same debt, as it stood on the itemization date
    contract.refresh_from_db()

    figures = debt_itemization(contract=contract, basis=ItemizationBasis.LAST_STATEMENT, as_of=TODAY)

    assert figures.basis == ItemizationBasis.LAST_STATEMENT
    assert figures.itemization_date == LAST_STATEMENT
    assert figures.owed_at_itemization == contract_balance(contract=twin, as_of=LAST_STATEMENT).payoff
    assert figures.owed_now == contract_balance(contract=contract, as_of=TODAY).payoff
    assert figures.payments_credits_since == payment.amount
    late_fees_since = sum(
        (
            e.amount
            for e in ChargeEntry.objects.filter(contract=contract, kind="late_fee", from_date__gt=LAST_STATEMENT)
        ),
        Decimal("0"),
    )
    assert figures.fees_since == late_fees_since > 0
    penalty_now = sum((i.penalty_accrued for i in contract.installments.all()), Decimal("0"))
    penalty_then = sum((i.penalty_accrued for i in twin.installments.all()), Decimal("0"))
    assert figures.interest_since == penalty_now - penalty_then > 0
    assert figures.reconciles
    assert (
        figures.owed_at_itemization + figures.interest_since + figures.fees_since - figures.payments_credits_since
        == figures.owed_now
    )


def test_itemization_date_follows_the_product_setting():
    contract = us_debt()
    pay(contract, "10.00", dt.date(2026, 3, 12))
    assert debt_itemization(contract=contract, basis=ItemizationBasis.TRANSACTION, as_of=TODAY).itemization_date == (
        START
    )
    last_payment = debt_itemization(contract=contract, basis=ItemizationBasis.LAST_PAYMENT, as_of=TODAY)
    assert (last_payment.basis, last_payment.itemization_date) == (ItemizationBasis.LAST_PAYMENT, dt.date(2026, 3, 12))
    # Never charged off: the charge-off basis uses the last statement.
    charge_off = debt_itemization(contract=contract, basis=ItemizationBasis.CHARGE_OFF, as_of=TODAY)
    assert (charge_off.basis, charge_off.itemization_date) == (ItemizationBasis.LAST_STATEMENT, LAST_STATEMENT)
    for figures in (last_payment, charge_off):
        assert figures.reconciles


# --------------------------------------------------------------- the notice and its PDF

REQUIRED_EN = [
    "Validation notice",
    "Fairdue Collections is a debt collector.",
    "We are trying to collect a debt that you owe to Acme Consumer Finance.",
    "We will use any information you give us to help collect the debt.",
    "The original creditor was First Prairie Bank.",
    "As of March 1, 2026, you owed:",
    "Between March 1, 2026 and today:",
    "You were charged this amount in interest:",
    "You were charged this amount in fees:",
    "You paid or were credited this amount toward the debt:",
    "Total amount of the debt now:",
    "How can you dispute the debt?",
    "we must stop collection on any amount you dispute",
    "What else can you do?",
    "Write to ask for the name and address of the original creditor",
    "www.cfpb.gov/debt-collection",
    "Póngase en contacto con nosotros para solicitar una copia de este formulario en español.",
    "How do you want to respond?",
    "Mail this form to: Fairdue Collections, Fairdue Collections, PO Box 1000, Springfield, IL 62701",
    "I want to dispute the debt because I think:",
    "This is not my debt.",
    "The amount is wrong.",
    "Other (please describe on reverse or attach additional information).",
    "I want you to send me the name and address of the original creditor.",
    "I enclosed this amount:",
    "Quiero este formulario en español.",
]
REQUIRED_ES = [
    "Aviso de validación",
    "Fairdue Collections es un cobrador de deudas.",
    "Estamos tratando de cobrar una deuda que usted le debe a Acme Consumer Finance.",
    "Al 1 de marzo de 2026, usted debía:",
    "Se le cobró esta cantidad en intereses:",
    "Se le cobró esta cantidad en cargos:",
    "Usted pagó o se le acreditó esta cantidad a la deuda:",
    "Cantidad total de la deuda ahora:",
    "¿Cómo puede disputar la deuda?",
    "Escríbanos para pedir el nombre y la dirección del acreedor original",
    "www.cfpb.gov/debt-collection",
    "¿Cómo desea responder?",
    "Quiero disputar la deuda porque creo que:",
    "Esta no es mi deuda.",
    "La cantidad es incorrecta.",
    "Quiero que me envíen el nombre y la dirección del acreedor original.",
    "Adjunté esta cantidad:",
]


def _amount(value: Decimal) -> str:
    return f"${value:,.2f}"


def test_the_mailed_pdf_has_form_b1_required_fields_for_a_generated_debt():
    contract = us_debt()
    record = validation_notice_issue(actor=None, contract_id=contract.pk, business_date=TODAY, now=at(TODAY, 10))
    assert record.channel == "letter"  # no E-SIGN consent: by mail (12 CFR 1006.42(b))
    row = record.notice
    assert row.purpose == Purpose.VALIDATION_NOTICE and row.status == NoticeStatus.PENDING
    assert notice_deliver(row.pk, now=at(TODAY, 10)) == NoticeStatus.SENT
    row.refresh_from_db()
    record.refresh_from_db()
    assert record.sent_at is not None
    data = row.document.read()
    text = pdf_text(data)
    for phrase in REQUIRED_EN:
        assert phrase in text, phrase
    figures = debt_itemization(contract=contract, basis=ItemizationBasis.LAST_STATEMENT, as_of=TODAY)
    for value in (figures.owed_at_itemization, figures.owed_now, figures.interest_since, figures.fees_since):
        assert _amount(value) in text
    end = validation_period_end(dt.date.today() if record.sent_at is None else record.sent_at.date())
    assert record.validation_period_end >= end
    assert f"Call or write to us by {record.validation_period_end:%B} {record.validation_period_end.day}," in text
    assert record.account_number_masked in text and contract.number not in text
    assert record.consumer_name in text and "Springfield, IL 62701" in text
    assert embedded_fonts(data), "the font must be embedded"
    assert AuditEvent.objects.filter(action="validation_notice.sent", object_id=str(record.pk)).exists()


def test_the_spanish_pdf_has_the_same_fields_in_spanish():
    contract = us_debt()
    record = validation_notice_issue(actor=None, contract_id=contract.pk, business_date=TODAY, locale="es")
    data = render_validation_pdf(
        notice_content(record, "es"), reference=record.reference, issued_at=at(TODAY), footer=""
    )
    text = pdf_text(data)
    for phrase in REQUIRED_ES:
        assert phrase in text, phrase
    assert _amount(record.owed_now) in text
    end = record.validation_period_end
    assert f"Llámenos o escríbanos antes del {end.day} de" in text
    assert embedded_fonts(data)
    # The English copy of the same record says the same figures.
    english = pdf_text(render_validation_pdf(notice_content(record, "en"), reference="x", issued_at=None, footer=""))
    assert _amount(record.owed_now) in english and "Total amount of the debt now:" in english


def test_issue_is_idempotent_and_only_for_regulation_f_customers():
    contract = us_debt()
    first = validation_notice_issue(actor=None, contract_id=contract.pk, business_date=TODAY)
    again = validation_notice_issue(actor=None, contract_id=contract.pk, business_date=TODAY)
    assert again.pk == first.pk
    assert ValidationNotice.objects.filter(contract=contract).count() == 1
    assert Notice.objects.filter(purpose=Purpose.VALIDATION_NOTICE, contract=contract).count() == 1
    cn = make_contract(customer=make_customer(), start_date=START)
    with pytest.raises(ApplicationError) as caught:
        validation_notice_issue(actor=None, contract_id=cn.pk, business_date=TODAY)
    assert caught.value.code == "validation_not_us"
    assert not ValidationNotice.objects.filter(contract=cn).exists()


def test_the_stated_period_never_shrinks_when_the_notice_leaves_later():
    contract = us_debt()
    issued = dt.date(2026, 3, 16)
    record = validation_notice_issue(actor=None, contract_id=contract.pk, business_date=issued, now=at(issued, 10))
    assert (record.assumed_received_on, record.validation_period_end) == (dt.date(2026, 3, 23), dt.date(2026, 4, 22))
    assert notice_deliver(record.notice_id, now=at(TODAY, 10)) == NoticeStatus.SENT  # four days later
    record.refresh_from_db()
    # Sent Fri Mar 20: received Fri Mar 27, the period ends Apr 26, as the letter says.
    assert (record.assumed_received_on, record.validation_period_end) == (dt.date(2026, 3, 27), dt.date(2026, 4, 26))
    assert "by April 26, 2026" in pdf_text(record.notice.document.read())


START = dt.date(2026, 1, 1)
