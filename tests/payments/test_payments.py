"""Customer payments: checkout start, sandbox and Alipay-style providers, callbacks, receipts."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from contracts.models import AllocationLine, Payment
from contracts.selectors import contract_balance
from contracts.services import delinquency_sweep_range
from core.errors import ApplicationError
from payments.models import CheckoutSession, CheckoutStatus
from payments.providers import (
    AlipayStyleProvider,
    CallbackResult,
    InvalidSignature,
    SandboxProvider,
    canonical_string,
    load_public_key,
)
from payments.services import checkout_complete, checkout_start
from tests.accounts.factories import make_customer
from tests.conftest import login
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

D = Decimal
APP_ID = "2021000000000001"


def yen(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def overdue_contract(customer=None):
    """A 12-month loan that started about four months ago, swept through yesterday: overdue."""
    today = timezone.localdate()
    contract = make_contract(customer=customer or make_customer(), start_date=today - dt.timedelta(days=120))
    delinquency_sweep_range(business_date=today - dt.timedelta(days=1), first_id=contract.pk, last_id=contract.pk)
    contract.refresh_from_db()
    return contract


def customer_client(profile) -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    login(client, profile.user)
    return client


def start_session(contract, choice="overdue", amount=None) -> CheckoutSession:
    user = contract.customer.user
    return checkout_start(actor=user, user=user, contract_id=contract.pk, choice=choice, amount=amount)


@pytest.fixture(autouse=True)
def sandbox_provider(settings):
    settings.PAYMENT_PROVIDER = "sandbox"
    settings.PAYMENT_SANDBOX_SECRET = ""


@pytest.fixture
def overdue():
    contract = overdue_contract()
    return contract, customer_client(contract.customer)


# --- sandbox, end to end through the views ----------------------------------------------------------
def test_sandbox_payment_end_to_end(overdue):
    contract, client = overdue
    before = contract_balance(contract=contract)
    assert before.pay_now > D("1000.00")  # three installments overdue

    response = client.post("/pay/start/", {"contract": contract.pk, "choice": "overdue"})
    assert response.status_code == 302
    session = CheckoutSession.objects.get(contract=contract)
    assert session.amount == before.pay_now and session.status == CheckoutStatus.PENDING
    assert session.provider == "sandbox" and session.customer == contract.customer
    assert response["Location"] == f"/pay/sandbox/{session.token}/"

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert yen(session.amount) in body and 'value="pay"' in body and 'value="fail"' in body

    assert 'data-status="pending"' in client.get(f"/pay/status/{session.token}/").content.decode()

    response = client.post(f"/pay/sandbox/{session.token}/", {"outcome": "pay"})
    assert response.status_code == 302 and response["Location"] == f"/pay/status/{session.token}/"

    session.refresh_from_db()
    assert session.status == CheckoutStatus.SUCCEEDED and session.completed_at is not None
    payment = session.payment
    assert payment.amount == before.pay_now
    assert (payment.channel, payment.external_reference) == ("sandbox", session.provider_trade_no)
    contract.refresh_from_db()
    after = contract_balance(contract=contract)
    assert after.pay_now == D("0.00")
    assert after.payoff == before.payoff - before.pay_now
    assert AuditEvent.objects.filter(action="payment.checkout_succeeded", object_id=str(session.pk)).count() == 1

    status_page = client.get(f"/pay/status/{session.token}/").content.decode()
    assert 'data-status="succeeded"' in status_page and f"/pay/receipt/{session.token}/" in status_page

    receipt = client.get(f"/pay/receipt/{session.token}/")
    assert receipt.status_code == 200
    text = receipt.content.decode()
    assert contract.number in text and yen(payment.amount) in text
    lines = AllocationLine.objects.filter(payment=payment, from_credit=False)
    assert lines.count() >= 3
    assert sum((line.amount for line in lines), D("0")) == payment.amount
    for line in lines:
        assert yen(line.amount) in text
    assert f"/pay/receipt/{session.token}.pdf" in text

    pdf = client.get(f"/pay/receipt/{session.token}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_sandbox_fail_button_fails_the_session_and_posts_nothing(overdue):
    contract, client = overdue
    before = contract_balance(contract=contract)
    client.post("/pay/start/", {"contract": contract.pk, "choice": "payoff"})
    session = CheckoutSession.objects.get(contract=contract)
    assert session.amount == before.payoff

    response = client.post(f"/pay/sandbox/{session.token}/", {"outcome": "fail"})

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == CheckoutStatus.FAILED and session.payment is None and session.failure_reason
    assert not Payment.objects.filter(contract=contract).exists()
    assert AuditEvent.objects.filter(action="payment.checkout_failed", object_id=str(session.pk)).exists()
    page = client.get(f"/pay/status/{session.token}/").content.decode()
    assert 'data-status="failed"' in page
    # no receipt for a failed payment, and the sandbox page is closed
    assert client.get(f"/pay/receipt/{session.token}.pdf").status_code == 404
    assert client.get(f"/pay/receipt/{session.token}/")["Location"] == f"/pay/status/{session.token}/"
    assert client.get(f"/pay/sandbox/{session.token}/").status_code == 302


# --- callbacks ---------------------------------------------------------------------------------------
def test_duplicate_callback_posts_exactly_one_payment():
    contract = overdue_contract()
    session = start_session(contract)
    payload = SandboxProvider().callback_payload(session, paid=True)
    bank = Client()

    first = bank.post("/pay/callback/sandbox/", payload)
    second = bank.post("/pay/callback/sandbox/", payload)

    assert (first.status_code, first.content) == (200, b"success")
    assert (second.status_code, second.content) == (200, b"success")
    assert Payment.objects.filter(contract=contract).count() == 1
    session.refresh_from_db()
    assert session.status == CheckoutStatus.SUCCEEDED
    assert AuditEvent.objects.filter(action="payment.posted", data__reference=session.provider_trade_no).count() == 1


def test_callbacks_accept_post_only():
    assert Client().get("/pay/callback/sandbox/").status_code == 405
    assert Client().get("/pay/callback/alipay/").status_code == 405


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: p.update(amount="1.00"), id="amount-changed"),
        pytest.param(lambda p: p.update(sign="0" * 64), id="wrong-signature"),
        pytest.param(lambda p: p.pop("sign"), id="no-signature"),
        pytest.param(lambda p: p.update(sign=SandboxProvider().sign(p) + "00"), id="signature-too-long"),
    ],
)
def test_callback_with_a_bad_signature_changes_nothing_and_is_audited(tamper):
    contract = overdue_contract()
    session = start_session(contract)
    payload = SandboxProvider().callback_payload(session, paid=True)
    tamper(payload)

    response = Client(REMOTE_ADDR="203.0.113.9").post("/pay/callback/sandbox/", payload)

    assert response.status_code in (400, 403)
    session.refresh_from_db()
    assert session.status == CheckoutStatus.PENDING and session.payment is None
    assert not Payment.objects.filter(contract=contract).exists()
    event = AuditEvent.objects.get(action="payment.callback_rejected")
    assert event.data["provider"] == "sandbox" and event.data["remote_ip"] == "203.0.113.9"


def test_a_correctly_signed_callback_with_another_amount_is_refused_and_audited():
    contract = overdue_contract()
    session = start_session(contract)
    provider = SandboxProvider()
    payload = provider.callback_payload(session, paid=True)
    payload["amount"] = f"{session.amount - D('0.01'):.2f}"
    payload["sign"] = provider.sign(payload)

    response = Client().post("/pay/callback/sandbox/", payload)

    assert response.status_code == 400
    session.refresh_from_db()
    assert session.status == CheckoutStatus.PENDING
    assert not Payment.objects.filter(contract=contract).exists()
    event = AuditEvent.objects.get(action="payment.callback_refused", object_id=str(session.pk))
    assert event.data["code"] == "amount_mismatch" and event.data["amount"] == f"{session.amount - D('0.01'):.2f}"


def test_checkout_complete_refuses_an_amount_mismatch_directly():
    session = start_session(overdue_contract())
    result = CallbackResult(
        token=session.token, trade_no="T1", amount=session.amount + 1, status="succeeded", provider="sandbox"
    )
    with pytest.raises(ApplicationError) as exc:
        checkout_complete(result=result)
    assert exc.value.code == "amount_mismatch"
    assert AuditEvent.objects.filter(action="payment.callback_refused").exists()


def test_a_callback_of_another_provider_cannot_complete_a_session():
    session = start_session(overdue_contract())
    result = CallbackResult(
        token=session.token, trade_no="T1", amount=session.amount, status="succeeded", provider="alipay"
    )
    with pytest.raises(ApplicationError) as exc:
        checkout_complete(result=result)
    assert exc.value.code == "provider_mismatch"
    session.refresh_from_db()
    assert session.status == CheckoutStatus.PENDING


def test_a_failure_after_success_changes_nothing():
    contract = overdue_contract()
    session = start_session(contract)
    provider = SandboxProvider()
    Client().post("/pay/callback/sandbox/", provider.callback_payload(session, paid=True))
    Client().post("/pay/callback/sandbox/", provider.callback_payload(session, paid=False))
    session.refresh_from_db()
    assert session.status == CheckoutStatus.SUCCEEDED and session.payment is not None


def test_the_sandbox_secret_is_derived_from_the_secret_key_when_unset(settings):
    session = start_session(overdue_contract())
    derived = SandboxProvider().callback_payload(session, paid=True)["sign"]
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert SandboxProvider().callback_payload(session, paid=True)["sign"] != derived
    settings.PAYMENT_SANDBOX_SECRET = "configured"
    payload = SandboxProvider().callback_payload(session, paid=True)
    assert SandboxProvider().verify_callback(payload).status == "succeeded"


# --- choices and amounts -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be greater than zero."),
        ("-5", "The amount must be greater than zero."),
        ("abc", "Enter an amount such as 1234.50."),
        ("", "Enter an amount such as 1234.50."),
        ("12.345", "Amounts have at most two decimal places."),
        ("0.50", "The smallest amount you can pay is ¥1.00."),
        ("above-payoff", "The most you can pay on this contract is"),
    ],
)
def test_custom_amount_bounds_give_clear_errors_and_create_nothing(overdue, amount, message):
    contract, client = overdue
    payoff = contract_balance(contract=contract).payoff
    if amount == "above-payoff":
        amount = f"{payoff + D('0.01'):.2f}"
        message = f"{message} {yen(payoff)}"

    response = client.post("/pay/start/", {"contract": contract.pk, "choice": "custom", "amount": amount})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CheckoutSession.objects.exists()
    assert not AuditEvent.objects.filter(action="payment.checkout_started").exists()


def test_custom_amounts_at_the_bounds_are_accepted(overdue):
    contract, client = overdue
    payoff = contract_balance(contract=contract).payoff
    for amount in ("1.00", f"{payoff:.2f}", "1,000.50"):
        response = client.post("/pay/start/", {"contract": contract.pk, "choice": "custom", "amount": amount})
        assert response.status_code == 302, response.content.decode()
    assert sorted(CheckoutSession.objects.values_list("amount", flat=True)) == sorted([D("1.00"), D("1000.50"), payoff])


def test_the_minimum_is_the_whole_amount_due_when_that_is_smaller():
    contract = overdue_contract()
    pay_now = contract_balance(contract=contract).pay_now
    user = contract.customer.user
    # leave 0.40 due: the smallest custom amount is then 0.40, not 1.00
    partial = start_session(contract, "custom", f"{pay_now - D('0.40'):.2f}")
    checkout_complete(
        result=CallbackResult(
            token=partial.token, trade_no="SBX-PART", amount=partial.amount, status="succeeded", provider="sandbox"
        )
    )
    contract.refresh_from_db()
    assert contract_balance(contract=contract).pay_now == D("0.40")
    with pytest.raises(ApplicationError) as exc:
        checkout_start(actor=user, user=user, contract_id=contract.pk, choice="custom", amount="0.39")
    assert exc.value.code == "amount_below_minimum"
    assert checkout_start(actor=user, user=user, contract_id=contract.pk, choice="custom", amount="0.40").amount == D(
        "0.40"
    )


def test_paying_what_is_overdue_is_refused_when_nothing_is_due():
    today = timezone.localdate()
    contract = make_contract(start_date=today - dt.timedelta(days=5))
    client = customer_client(contract.customer)

    response = client.post("/pay/start/", {"contract": contract.pk, "choice": "overdue"})

    assert response.status_code == 400
    assert "Nothing is overdue or due today on this contract." in response.content.decode()
    assert not CheckoutSession.objects.exists()
    # paying ahead is still possible
    assert client.post("/pay/start/", {"contract": contract.pk, "choice": "custom", "amount": "100"}).status_code == 302


def test_the_start_page_offers_the_choices(overdue):
    contract, client = overdue
    balance = contract_balance(contract=contract)
    page = client.get(f"/pay/start/?contract={contract.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert yen(balance.pay_now) in body and yen(balance.payoff) in body


# --- access ---------------------------------------------------------------------------------------------
def test_another_customers_contract_and_checkout_answer_not_found(overdue):
    contract, owner_client = overdue
    owner_client.post("/pay/start/", {"contract": contract.pk, "choice": "overdue"})
    session = CheckoutSession.objects.get()
    owner_client.post(f"/pay/sandbox/{session.token}/", {"outcome": "pay"})
    session.refresh_from_db()
    assert session.status == CheckoutStatus.SUCCEEDED

    stranger = customer_client(make_customer())
    assert stranger.post("/pay/start/", {"contract": contract.pk, "choice": "overdue"}).status_code == 404
    assert stranger.get(f"/pay/start/?contract={contract.pk}").status_code == 404
    for url in (
        f"/pay/receipt/{session.token}/",
        f"/pay/receipt/{session.token}.pdf",
        f"/pay/status/{session.token}/",
        f"/pay/sandbox/{session.token}/",
    ):
        assert stranger.get(url).status_code == 404, url
    assert CheckoutSession.objects.count() == 1


def test_payment_pages_need_a_logged_in_customer():
    response = Client().post("/pay/start/", {"contract": 1, "choice": "overdue"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Alipay-style provider -------------------------------------------------------------------------------
def _key_pair() -> tuple[rsa.RSAPrivateKey, str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return key, private_pem, public_pem


@pytest.fixture(scope="module")
def rsa_keys():
    app_key, app_private_pem, app_public_pem = _key_pair()
    platform_key, _, platform_public_pem = _key_pair()
    return {
        "app_key": app_key,
        "app_private_pem": app_private_pem,
        "app_public_pem": app_public_pem,
        "platform_key": platform_key,
        "platform_public_pem": platform_public_pem,
    }


@pytest.fixture
def alipay(settings, rsa_keys):
    settings.PAYMENT_PROVIDER = "alipay"
    settings.ALIPAY_APP_ID = APP_ID
    settings.ALIPAY_GATEWAY_URL = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
    settings.ALIPAY_APP_PRIVATE_KEY_PEM = rsa_keys["app_private_pem"]
    settings.ALIPAY_PUBLIC_KEY_PEM = rsa_keys["platform_public_pem"]
    return rsa_keys


def rsa2(key: rsa.RSAPrivateKey, content: str) -> str:
    return base64.b64encode(key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def notification(session, key, *, trade_status="TRADE_SUCCESS", trade_no="2026112522001400001234567890"):
    """An asynchronous notification as Alipay sends it, signed with the platform's private key."""
    params = {
        "notify_time": "2026-11-25 10:00:00",
        "notify_type": "trade_status_sync",
        "notify_id": "ac05099524730693a8b330c5ecf72da9786",
        "app_id": APP_ID,
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "trade_no": trade_no,
        "out_trade_no": session.token.hex,
        "total_amount": f"{session.amount:.2f}",
        "receipt_amount": f"{session.amount:.2f}",
        "buyer_pay_amount": f"{session.amount:.2f}",
        "trade_status": trade_status,
        "subject": f"Fairdue {session.contract.number}",
        "gmt_payment": "2026-11-25 09:59:58",
        "fund_bill_list": json.dumps([{"amount": f"{session.amount:.2f}", "fundChannel": "ALIPAYACCOUNT"}]),
    }
    params["sign"] = rsa2(key, canonical_string(params, exclude=("sign", "sign_type")))
    return params


def test_alipay_request_is_signed_with_the_app_key(alipay):
    contract = overdue_contract()
    client = customer_client(contract.customer)

    response = client.post("/pay/start/", {"contract": contract.pk, "choice": "overdue"})

    assert response.status_code == 302
    session = CheckoutSession.objects.get()
    assert session.provider == "alipay"
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
    params = dict(parse_qsl(url.query, keep_blank_values=True))
    assert params["app_id"] == APP_ID and params["sign_type"] == "RSA2" and params["charset"] == "utf-8"
    assert params["notify_url"].endswith("/pay/callback/alipay/")
    assert params["return_url"].endswith(f"/pay/status/{session.token}/")
    biz = json.loads(params["biz_content"])
    assert biz["out_trade_no"] == session.token.hex and biz["total_amount"] == f"{session.amount:.2f}"
    signature = base64.b64decode(params.pop("sign"))
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if v)
    public_key = load_public_key(alipay["app_public_pem"])
    public_key.verify(signature, content.encode(), padding.PKCS1v15(), hashes.SHA256())  # raises if wrong


def test_alipay_notification_correctly_signed_completes_the_checkout(alipay):
    contract = overdue_contract()
    session = start_session(contract)
    params = notification(session, alipay["platform_key"])

    first = Client().post("/pay/callback/alipay/", params)
    again = Client().post("/pay/callback/alipay/", params)  # Alipay retries until it reads "success"

    assert (first.status_code, first.content) == (200, b"success")
    assert (again.status_code, again.content) == (200, b"success")
    session.refresh_from_db()
    assert session.status == CheckoutStatus.SUCCEEDED
    assert session.provider_trade_no == params["trade_no"]
    payment = Payment.objects.get(contract=contract)
    assert payment.channel == "alipay" and payment.external_reference == params["trade_no"]
    assert payment.amount == session.amount


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: p.update(total_amount="0.01"), id="amount"),
        pytest.param(lambda p: p.update(trade_status="TRADE_FINISHED", out_trade_no="0" * 32), id="other-session"),
        pytest.param(lambda p: p.update(sign="bm90IGEgc2lnbmF0dXJl"), id="garbage-signature"),
        pytest.param(lambda p: p.update(sign="%%%"), id="not-base64"),
        pytest.param(lambda p: p.update(sign_type="RSA"), id="sign-type"),
    ],
)
def test_alipay_tampered_notification_is_rejected(alipay, tamper):
    contract = overdue_contract()
    session = start_session(contract)
    params = notification(session, alipay["platform_key"])
    tamper(params)

    response = Client().post("/pay/callback/alipay/", params)

    assert response.status_code == 403 and response.content == b"fail"
    session.refresh_from_db()
    assert session.status == CheckoutStatus.PENDING
    assert not Payment.objects.exists()
    event = AuditEvent.objects.get(action="payment.callback_rejected")
    assert event.data["provider"] == "alipay" and event.data["remote_ip"] == "127.0.0.1"


def test_alipay_notification_signed_with_another_key_is_rejected(alipay):
    session = start_session(overdue_contract())
    params = notification(session, alipay["app_key"])  # our own key, not Alipay's
    with pytest.raises(InvalidSignature):
        AlipayStyleProvider().verify_callback(params)


def test_alipay_notification_for_another_app_is_rejected(alipay):
    session = start_session(overdue_contract())
    params = notification(session, alipay["platform_key"])
    params["app_id"] = "2021999999999999"
    params["sign"] = rsa2(alipay["platform_key"], canonical_string(params, exclude=("sign", "sign_type")))
    with pytest.raises(InvalidSignature):
        AlipayStyleProvider().verify_callback(params)


def test_alipay_trade_closed_fails_the_checkout_and_waiting_changes_nothing(alipay):
    contract = overdue_contract()
    waiting = start_session(contract)
    closed = start_session(contract)

    key = alipay["platform_key"]
    for session, trade_status in ((waiting, "WAIT_BUYER_PAY"), (closed, "TRADE_CLOSED")):
        params = notification(session, key, trade_status=trade_status, trade_no=f"T-{trade_status}")
        assert Client().post("/pay/callback/alipay/", params).content == b"success"

    waiting.refresh_from_db()
    closed.refresh_from_db()
    assert waiting.status == CheckoutStatus.PENDING
    assert closed.status == CheckoutStatus.FAILED and closed.failure_reason == "TRADE_CLOSED"
    assert not Payment.objects.exists()


def test_alipay_keys_may_be_given_as_bare_base64(alipay, settings):
    session = start_session(overdue_contract())
    params = notification(session, alipay["platform_key"])
    pem = alipay["platform_public_pem"]
    settings.ALIPAY_PUBLIC_KEY_PEM = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    assert AlipayStyleProvider().verify_callback(params).status == "succeeded"


@pytest.mark.django_db
def test_stale_pending_checkouts_expire_but_a_late_success_still_posts():
    import datetime as dt

    from django.utils import timezone

    from payments.models import CheckoutSession, CheckoutStatus
    from payments.services import checkout_expire_stale

    contract = make_contract(start_date=dt.date(2026, 1, 1))
    session = CheckoutSession.objects.create(
        contract=contract,
        customer=contract.customer,
        amount="100.00",
        currency="CNY",
        choice="custom",
        provider="sandbox",
    )
    assert checkout_expire_stale(now=timezone.now()) == 0
    assert checkout_expire_stale(now=timezone.now() + dt.timedelta(minutes=31)) == 1
    session.refresh_from_db()
    assert session.status == CheckoutStatus.EXPIRED and session.can_succeed()


# --- one pay page, minimum in the contract's currency -------------------------------------------------
def test_the_contract_pay_button_leads_to_the_one_pay_page(overdue):
    contract, client = overdue
    response = client.get(f"/me/contracts/{contract.pk}/pay/")
    assert response.status_code == 302 and response["Location"] == f"/pay/start/?contract={contract.pk}"
    other = overdue_contract()
    assert client.get(f"/me/contracts/{other.pk}/pay/").status_code == 404


def test_the_minimum_is_shown_and_checked_in_the_contracts_currency():
    contract = overdue_contract(customer=make_customer())
    contract.currency = "USD"
    contract.save(update_fields=["currency"])
    client = customer_client(contract.customer)
    page = client.get(f"/pay/start/?contract={contract.pk}").content.decode()
    assert "At least $1.00" in page and "¥1.00" not in page
    assert "Fees, Penalty interest, Interest, Principal" in page  # the contract's own allocation order
    response = client.post("/pay/start/", {"contract": contract.pk, "choice": "custom", "amount": "0.50"})
    assert response.status_code == 400
    assert "$1.00" in response.content.decode()
    assert not CheckoutSession.objects.filter(contract=contract).exists()
