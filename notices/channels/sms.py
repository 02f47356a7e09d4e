"""The SMS channel: a per-number daily limit in front of a pluggable backend.

``settings.SMS_BACKEND`` names the backend: ``FileSmsBackend`` (embedded default, one JSON
file per message under ``var/sms/``) or ``HttpSmsGateway`` (a signed JSON API in the style
of Aliyun SMS or Twilio). The gateway reports the final outcome later through signed
delivery receipts, accepted by ``sms_delivery_receipt`` below.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import os
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.identifiers import normalise_phone
from core.throttle import bucket_take
from notices.channels import ChannelError, DeliveryResult
from notices.models import SmsDailyCount
from notices.sms_receipts import ReceiptRejection, ReceiptStatus, sms_receipt_record, sms_receipt_reject

if TYPE_CHECKING:
    from notices.models import Notice

logger = logging.getLogger(__name__)

DEFAULT_SMS_BACKEND = "notices.channels.sms.FileSmsBackend"
RECEIPT_MAX_AGE = dt.timedelta(minutes=10)
MAX_DETAIL_LENGTH = 200


class SmsBackend(Protocol):
    def send(self, notice: Notice) -> DeliveryResult: ...


def get_sms_backend() -> SmsBackend:
    path = getattr(settings, "SMS_BACKEND", "") or DEFAULT_SMS_BACKEND
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"SMS_BACKEND {path!r} cannot be imported: {exc}") from exc
    return backend_class()


# --- per-number daily limit -----------------------------------------------------------------
class SmsDailyLimitReached(ChannelError):
    code = "sms_daily_limit"

    def __init__(self, *, day: dt.date, limit: int) -> None:
        super().__init__(
            f"{self.code}: this number has already received {limit} SMS on {day.isoformat()} "
            f"(SMS_DAILY_LIMIT_PER_NUMBER); not sent",
            transient=False,
        )
        self.day = day
        self.limit = limit


@transaction.atomic
def sms_daily_quota_take(*, number: str, day: dt.date, limit: int | None = None) -> int:
    """Count one SMS to ``number`` on business day ``day``; refuse beyond the daily limit.

    The limit (``SMS_DAILY_LIMIT_PER_NUMBER``) protects the customer from message floods and
    us from the carriers' anti-spam blocking; it holds for every backend. The row is locked
    and the increment is conditional, so concurrent senders can never pass the limit. A taken
    unit is not given back when the send then fails: a timed-out request may still have been
    delivered. Returns the count including this message.
    """
    limit = settings.SMS_DAILY_LIMIT_PER_NUMBER if limit is None else limit
    try:
        number = normalise_phone(number)
    except ValidationError as exc:
        raise ChannelError("invalid_number: the recipient is not a valid phone number", transient=False) from exc
    counter, _created = SmsDailyCount.objects.select_for_update().get_or_create(number=number, day=day)
    taken = SmsDailyCount.objects.filter(pk=counter.pk, count__lt=limit).update(count=F("count") + 1)
    if not taken:
        raise SmsDailyLimitReached(day=day, limit=limit)
    return counter.count + 1


def client_ref_for(notice: Notice) -> str:
    """The gateway's client message id: stable for a notice (derived from its idempotency
    key), so the gateway and the carrier recognise a resend after a crash."""
    key = getattr(notice, "idempotency_key", "")
    return notice.message_ref if key else f"notice-{notice.pk}"


# --- rates that hold across workers (token buckets in the cache, Redis in production) ---------
def sms_number_wait(number: str) -> float:
    """0.0 if a message to ``number`` may go now (and counts it), else the seconds until one may
    (``SMS_PER_NUMBER_PER_MINUTE``, no bursts): the outbox reschedules rather than waits."""
    per_minute = float(settings.SMS_PER_NUMBER_PER_MINUTE)
    if per_minute <= 0:
        return 0.0
    try:
        number = normalise_phone(number)
    except ValidationError:
        return 0.0  # refused as invalid by the channel
    return bucket_take("sms-number", number, rate=per_minute / 60.0, capacity=1.0)


def sms_gateway_pace() -> None:
    """Wait (outside any transaction) for the gateway's shared budget of ``SMS_GATEWAY_RATE``
    requests per second, with bursts of at most a fifth of a second's worth."""
    rate = float(settings.SMS_GATEWAY_RATE)
    if rate <= 0:
        return
    from notices.services.delivery import pace

    while (wait := bucket_take("sms-gateway", "all", rate=rate, capacity=max(1.0, rate / 5))) > 0:
        pace(wait)


class SmsChannel:
    name = "sms"

    def __init__(self, backend: SmsBackend | None = None, *, paced: bool = False) -> None:
        self.backend = backend if backend is not None else get_sms_backend()
        self.paced = paced

    def send(self, notice: Notice) -> DeliveryResult:
        # Its own short transaction: a unit taken is kept even if the send then fails.
        sms_daily_quota_take(number=notice.recipient, day=timezone.localdate())
        if self.paced and isinstance(self.backend, HttpSmsGateway):
            sms_gateway_pace()
        return self.backend.send(notice)


# --- embedded default: files ------------------------------------------------------------------
class FileSmsBackend:
    """Writes each message to ``VAR_DIR/sms/<local date>/<notice id>-<uuid>.json``."""

    def send(self, notice: Notice) -> DeliveryResult:
        sent_at = timezone.now()
        ref = uuid.uuid4().hex
        folder = Path(settings.VAR_DIR) / "sms" / timezone.localdate(sent_at).isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        message = {
            "to": notice.recipient,
            "body": notice.body,
            "notice_id": notice.pk,
            "client_ref": client_ref_for(notice),
            "sent_at": sent_at.isoformat(),
            "provider_message_id": f"file-{ref}",
        }
        target = folder / f"{notice.pk}-{ref}.json"
        partial = target.with_suffix(".json.partial")
        partial.write_text(json.dumps(message, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(partial, target)  # readers never see half a file
        return DeliveryResult(provider_message_id=f"file-{ref}", status="delivered", detail=str(target))


# --- HTTP gateway -----------------------------------------------------------------------------
def gateway_signature(*, secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over ``timestamp \\n nonce \\n body`` (the raw body bytes)."""
    message = f"{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class _TransientFailure(Exception):
    def __init__(self, detail: str, *, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET without the body; a gateway that
    # redirects is misconfigured, so the 3xx surfaces as an HTTPError instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _error_detail(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read(MAX_DETAIL_LENGTH)
    except (OSError, http.client.HTTPException):
        raw = b""
    finally:
        exc.close()
    text = raw.decode("utf-8", "replace").strip()
    return f"HTTP {exc.code}" + (f": {text}" if text else "")


def _retry_after_seconds(exc: urllib.error.HTTPError) -> float | None:
    value = exc.headers.get("Retry-After", "") if exc.headers else ""
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class HttpSmsGateway:
    """POSTs ``{"to", "body", "client_ref"}`` as signed JSON and returns the gateway's message id.

    Every request carries ``X-Key-Id``, ``X-Timestamp`` (unix seconds), a fresh ``X-Nonce``
    and ``X-Signature`` (see ``gateway_signature``). Timeouts, connection errors, HTTP 429 and
    5xx are retried up to ``retries`` more times with exponential backoff; ``client_ref`` stays
    the same across retries so the gateway can drop a duplicate of a request that did arrive.
    Other 4xx answers are terminal.
    """

    def __init__(
        self,
        *,
        url: str | None = None,
        key_id: str | None = None,
        secret: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = settings.SMS_GATEWAY_URL if url is None else url
        self.key_id = settings.SMS_GATEWAY_KEY_ID if key_id is None else key_id
        self.secret = settings.SMS_GATEWAY_SECRET if secret is None else secret
        self.timeout = float(settings.SMS_GATEWAY_TIMEOUT if timeout is None else timeout)
        self.retries = max(0, int(settings.SMS_GATEWAY_RETRIES if retries is None else retries))
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.sleep = sleep
        if not (self.url and self.key_id and self.secret):
            raise ImproperlyConfigured(
                "HttpSmsGateway needs SMS_GATEWAY_URL, SMS_GATEWAY_KEY_ID and SMS_GATEWAY_SECRET."
            )
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an http(s) URL.")
        self._opener = urllib.request.build_opener(_RefuseRedirects)

    def send(self, notice: Notice) -> DeliveryResult:
        body = json.dumps(
            {"to": notice.recipient, "body": notice.body, "client_ref": client_ref_for(notice)},
            ensure_ascii=False,
        ).encode("utf-8")
        attempts = 0
        while True:
            attempts += 1
            try:
                answer = self._post(body)
            except _TransientFailure as failure:
                if attempts > self.retries:
                    raise ChannelError(
                        f"sms_gateway_unavailable: {failure} (after {attempts} attempts)",
                        transient=True,
                        retry_after=failure.retry_after,
                    ) from failure
                delay = min(self.backoff_max, self.backoff_base * 2 ** (attempts - 1))
                if failure.retry_after is not None:
                    delay = min(self.backoff_max, max(delay, failure.retry_after))
                logger.warning("SMS gateway attempt %s failed (%s); retrying in %.1fs", attempts, failure, delay)
                self.sleep(delay)
            else:
                return self._result(answer)

    def _post(self, body: bytes) -> bytes:
        timestamp = str(int(time.time()))
        nonce = secrets.token_hex(16)
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "X-Key-Id": self.key_id,
                "X-Timestamp": timestamp,
                "X-Nonce": nonce,
                "X-Signature": gateway_signature(secret=self.secret, timestamp=timestamp, nonce=nonce, body=body),
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            detail = _error_detail(exc)
            if exc.code == 429 or exc.code >= 500:
                retry_after = _retry_after_seconds(exc)
                if retry_after is None and exc.code == 429:
                    retry_after = 1.0  # over the gateway's rate: soon, not in minutes
                raise _TransientFailure(detail, retry_after=retry_after) from exc
            raise ChannelError(f"sms_gateway_refused: {detail}", transient=False) from exc
        except TimeoutError as exc:
            raise _TransientFailure(f"no answer within {self.timeout:g}s") from exc
        except urllib.error.URLError as exc:
            raise _TransientFailure(f"cannot reach the gateway: {exc.reason}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise _TransientFailure(f"connection failed: {exc!r}") from exc

    @staticmethod
    def _result(answer: bytes) -> DeliveryResult:
        try:
            data = json.loads(answer)
        except ValueError:
            data = None
        message_id = data.get("message_id") if isinstance(data, dict) else None
        if not isinstance(message_id, str | int) or isinstance(message_id, bool) or not str(message_id):
            # Accepted but unreadable: not retried here; the outbox retries later with the
            # same client_ref, which the gateway deduplicates.
            raise ChannelError("sms_gateway_bad_answer: the answer carries no message_id", transient=True)
        return DeliveryResult(provider_message_id=str(message_id), status="sent")


# --- signed delivery receipts ---------------------------------------------------------------
def receipt_signature(*, secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _parse_receipt(raw: bytes) -> tuple[str, str, dt.datetime, dict[str, Any]]:
    payload = json.loads(raw)
    if not isinstance(payload, dict):
        raise ValueError("the body is not a JSON object")
    message_id = payload.get("message_id")
    if not isinstance(message_id, str) or not message_id or len(message_id) > 100:
        raise ValueError("message_id must be a non-empty string of at most 100 characters")
    status = payload.get("status")
    if status not in ReceiptStatus.values:
        raise ValueError("status must be 'delivered' or 'failed'")
    timestamp = payload.get("timestamp")
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float):
        raise ValueError("timestamp must be unix seconds")
    try:
        moment = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError("timestamp out of range") from exc
    return message_id, status, moment, payload


@csrf_exempt
@require_POST
def sms_delivery_receipt(request: HttpRequest) -> JsonResponse:
    """The gateway's delivery callback, authenticated by an HMAC of the raw body.

    A signed receipt may arrive again within the accepted window (the gateway retries, or
    someone replays it); recording is idempotent per message id and status, so that is
    harmless. Older receipts are refused.
    """
    raw = request.body
    secret = settings.SMS_RECEIPT_SECRET
    signature = request.headers.get("X-Signature", "")
    if not secret or not hmac.compare_digest(receipt_signature(secret=secret, body=raw), signature):
        detail = "" if secret else "SMS_RECEIPT_SECRET is not configured"
        sms_receipt_reject(actor=None, reason=ReceiptRejection.BAD_SIGNATURE, raw_body=raw, detail=detail)
        return JsonResponse({"error": ReceiptRejection.BAD_SIGNATURE.value}, status=403)
    try:
        message_id, status, moment, payload = _parse_receipt(raw)
    except ValueError as exc:
        sms_receipt_reject(actor=None, reason=ReceiptRejection.INVALID_PAYLOAD, raw_body=raw, detail=str(exc))
        return JsonResponse({"error": ReceiptRejection.INVALID_PAYLOAD.value}, status=400)
    if abs(timezone.now() - moment) > RECEIPT_MAX_AGE:
        sms_receipt_reject(
            actor=None, reason=ReceiptRejection.STALE_TIMESTAMP, raw_body=raw, detail=f"timestamp {moment.isoformat()}"
        )
        return JsonResponse({"error": ReceiptRejection.STALE_TIMESTAMP.value}, status=403)
    _receipt, created = sms_receipt_record(actor=None, provider_message_id=message_id, status=status, payload=payload)
    return JsonResponse({"ok": True, "duplicate": not created})
