"""Payment providers: where a checkout sends the customer, and how a provider's callback is trusted.

A provider only speaks the provider's protocol (URLs, signatures, field names); every change of
state happens in ``payments.services`` once a callback is verified.

- ``SandboxProvider`` (embedded default): a hosted checkout page inside the site. Its callback is
  signed with HMAC-SHA256 under ``PAYMENT_SANDBOX_SECRET`` (derived from ``SECRET_KEY`` when unset)
  and arrives through the same handler as a real provider's.
- ``AlipayStyleProvider``: Alipay's open platform with RSA2 (SHA256withRSA, PKCS#1 v1.5). Requests are
  signed with the app private key; asynchronous notifications are verified with the Alipay public key.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, ClassVar
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from payments.models import CheckoutProvider, CheckoutSession, CheckoutStatus

SUCCEEDED = CheckoutStatus.SUCCEEDED.value
FAILED = CheckoutStatus.FAILED.value
PENDING = CheckoutStatus.PENDING.value


class InvalidSignature(Exception):
    """A callback that cannot be trusted: missing, wrong or unverifiable signature, or malformed data."""


class ProviderNotConfigured(Exception):
    """The provider lacks the settings it needs (keys, app id)."""


@dataclass(frozen=True)
class CallbackResult:
    """What a verified callback says happened to one checkout session."""

    token: uuid.UUID
    trade_no: str
    amount: Decimal
    status: str  # succeeded | failed | pending (nothing to do yet)
    provider: str = ""
    reason: str = ""


def canonical_string(params: Mapping[str, Any], *, exclude: tuple[str, ...]) -> str:
    """``k=v&k=v`` of the non-empty parameters sorted by name (the string both sides sign)."""
    return "&".join(
        f"{key}={params[key]}" for key in sorted(params) if key not in exclude and params[key] not in (None, "")
    )


def _params_of(source: HttpRequest | Mapping[str, Any]) -> dict[str, str]:
    if isinstance(source, HttpRequest):
        return {key: source.POST.get(key, "") for key in source.POST}
    return {str(key): "" if value is None else str(value) for key, value in source.items()}


def _token_of(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except (ValueError, AttributeError, TypeError) as exc:
        raise InvalidSignature("malformed checkout reference") from exc


def _amount_of(raw: str) -> Decimal:
    try:
        value = Decimal(raw)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise InvalidSignature("malformed amount") from exc
    if not value.is_finite():
        raise InvalidSignature("malformed amount")
    return value


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


class PaymentProvider:
    """The interface every provider implements."""

    name: ClassVar[str]

    def start(self, session: CheckoutSession) -> str:
        """The URL the customer is sent to in order to pay ``session``."""
        raise NotImplementedError

    def verify_callback(self, source: HttpRequest | Mapping[str, Any]) -> CallbackResult:
        """Verify a callback (the request, or its raw parameters); raise ``InvalidSignature``."""
        raise NotImplementedError

    def acknowledgement(self) -> str:
        """The body the provider expects once a callback has been handled."""
        return "success"


# --- sandbox ------------------------------------------------------------------------------------
def sandbox_secret() -> bytes:
    configured = settings.PAYMENT_SANDBOX_SECRET
    if configured:
        return configured.encode()
    # Derived rather than fixed, so that no two installations share a sandbox signing key.
    return hmac.new(settings.SECRET_KEY.encode(), b"fairdue.payments.sandbox", hashlib.sha256).hexdigest().encode()


class SandboxProvider(PaymentProvider):
    name = CheckoutProvider.SANDBOX.value
    SIGNED_FIELDS = ("amount", "status", "token", "trade_no")

    def start(self, session: CheckoutSession) -> str:
        return reverse("payments:sandbox", args=[session.token])

    @staticmethod
    def trade_no_for(session: CheckoutSession) -> str:
        return f"SBX{session.token.hex.upper()}"

    def sign(self, params: Mapping[str, Any]) -> str:
        content = canonical_string({k: params.get(k, "") for k in self.SIGNED_FIELDS}, exclude=())
        return hmac.new(sandbox_secret(), content.encode(), hashlib.sha256).hexdigest()

    def callback_payload(self, session: CheckoutSession, *, paid: bool) -> dict[str, str]:
        """The signed form the sandbox 'bank' posts to the callback endpoint."""
        params = {
            "token": str(session.token),
            "trade_no": self.trade_no_for(session),
            "amount": f"{session.amount:.2f}",
            "status": SUCCEEDED if paid else FAILED,
        }
        params["sign"] = self.sign(params)
        return params

    def verify_callback(self, source: HttpRequest | Mapping[str, Any]) -> CallbackResult:
        params = _params_of(source)
        signature = params.get("sign", "")
        if not signature or not hmac.compare_digest(signature.encode(), self.sign(params).encode()):
            raise InvalidSignature("sandbox signature does not match")
        status = params.get("status", "")
        if status not in (SUCCEEDED, FAILED):
            raise InvalidSignature("unknown status")
        return CallbackResult(
            token=_token_of(params.get("token", "")),
            trade_no=params.get("trade_no", ""),
            amount=_amount_of(params.get("amount", "")),
            status=status,
            provider=self.name,
            reason="" if status == SUCCEEDED else "declined in the sandbox",
        )


# --- Alipay --------------------------------------------------------------------------------------
def _key_bytes(text: str) -> tuple[bytes, bool]:
    """PEM text, or the bare base64 body Alipay's key tool prints. Returns (bytes, is_pem)."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        return text.encode(), True
    try:
        return base64.b64decode("".join(text.split()), validate=True), False
    except (binascii.Error, ValueError) as exc:
        raise ProviderNotConfigured("the key is neither PEM nor base64") from exc


@lru_cache(maxsize=4)
def load_private_key(text: str) -> rsa.RSAPrivateKey:
    data, pem = _key_bytes(text)
    key = serialization.load_pem_private_key(data, None) if pem else serialization.load_der_private_key(data, None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ProviderNotConfigured("RSA2 needs an RSA private key")
    return key


@lru_cache(maxsize=4)
def load_public_key(text: str) -> rsa.RSAPublicKey:
    data, pem = _key_bytes(text)
    key = serialization.load_pem_public_key(data) if pem else serialization.load_der_public_key(data)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ProviderNotConfigured("RSA2 needs an RSA public key")
    return key


def rsa2_sign(content: str, private_key_pem: str) -> str:
    key = load_private_key(private_key_pem)
    return base64.b64encode(key.sign(content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa2_verify(content: str, signature: str, public_key_pem: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        load_public_key(public_key_pem).verify(raw, content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except CryptoInvalidSignature:
        return False
    return True


class AlipayStyleProvider(PaymentProvider):
    """Alipay mobile-website payment (``alipay.trade.wap.pay``) with RSA2 signatures.

    Request signing covers every non-empty parameter except ``sign`` (``sign_type`` included, as
    the gateway checks it); notification verification excludes both ``sign`` and ``sign_type``,
    as Alipay's notification rules say. ``out_trade_no`` is the session token (hex).
    """

    name = CheckoutProvider.ALIPAY.value
    method = "alipay.trade.wap.pay"
    product_code = "QUICK_WAP_WAY"
    REQUEST_EXCLUDED = ("sign",)
    NOTIFY_EXCLUDED = ("sign", "sign_type")
    STATUS = {"TRADE_SUCCESS": SUCCEEDED, "TRADE_FINISHED": SUCCEEDED, "TRADE_CLOSED": FAILED}

    def _setting(self, name: str) -> str:
        value = getattr(settings, name, "")
        if not value:
            raise ProviderNotConfigured(f"{name} is not set")
        return value

    def request_params(self, session: CheckoutSession, *, subject: str) -> dict[str, str]:
        biz_content = {
            "out_trade_no": session.token.hex,
            "total_amount": f"{session.amount:.2f}",
            "subject": subject[:256],
            "product_code": self.product_code,
        }
        now = timezone.localtime(timezone.now(), dt.timezone(dt.timedelta(hours=8)))  # Beijing time
        params = {
            "app_id": self._setting("ALIPAY_APP_ID"),
            "method": self.method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": now.strftime("%Y-%m-%d %H:%M:%S"),
            "version": "1.0",
            "notify_url": _absolute(reverse("payments:callback_alipay")),
            "return_url": _absolute(reverse("payments:status", args=[session.token])),
            "biz_content": json.dumps(biz_content, ensure_ascii=False, separators=(",", ":")),
        }
        params["sign"] = rsa2_sign(
            canonical_string(params, exclude=self.REQUEST_EXCLUDED), self._setting("ALIPAY_APP_PRIVATE_KEY_PEM")
        )
        return params

    def start(self, session: CheckoutSession) -> str:
        params = self.request_params(session, subject=f"Fairdue {session.contract.number}")
        return f"{self._setting('ALIPAY_GATEWAY_URL')}?{urlencode(params)}"

    def verify_callback(self, source: HttpRequest | Mapping[str, Any]) -> CallbackResult:
        params = _params_of(source)
        signature = params.get("sign", "")
        if params.get("sign_type", "RSA2") != "RSA2" or not signature:
            raise InvalidSignature("missing or unsupported signature")
        content = canonical_string(params, exclude=self.NOTIFY_EXCLUDED)
        if not rsa2_verify(content, signature, self._setting("ALIPAY_PUBLIC_KEY_PEM")):
            raise InvalidSignature("RSA2 signature does not verify")
        if params.get("app_id") != self._setting("ALIPAY_APP_ID"):
            raise InvalidSignature("notification for another app")
        trade_status = params.get("trade_status", "")
        return CallbackResult(
            token=_token_of(params.get("out_trade_no", "")),
            trade_no=params.get("trade_no", ""),
            amount=_amount_of(params.get("total_amount", "")),
            status=self.STATUS.get(trade_status, PENDING),
            provider=self.name,
            reason="" if trade_status in ("TRADE_SUCCESS", "TRADE_FINISHED") else trade_status,
        )


PROVIDERS: dict[str, type[PaymentProvider]] = {
    SandboxProvider.name: SandboxProvider,
    AlipayStyleProvider.name: AlipayStyleProvider,
}


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider called ``name`` (default: ``settings.PAYMENT_PROVIDER``)."""
    key = name or settings.PAYMENT_PROVIDER
    try:
        return PROVIDERS[key]()
    except KeyError as exc:
        raise ProviderNotConfigured(f"unknown payment provider {key!r}") from exc
