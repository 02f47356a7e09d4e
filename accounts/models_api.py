"""Systems that use the API: clients, their scoped tokens (hashed at rest), the answers kept
for idempotent writes, and outbound webhooks (endpoints and the delivery outbox).

They live in ``accounts`` so that every service above (contracts, notices, appeals, payments)
can write a webhook event in its own transaction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    CONTRACTS_READ = "contracts:read", _("Read customers, contracts, balances and payments")
    CONTRACTS_WRITE = "contracts:write", _("Create customers and contracts, import")
    PAYMENTS_WRITE = "payments:write", _("Post and reverse payments, import payment history")
    ELIGIBILITY_READ = "eligibility:read", _("Ask whether on-site service may be dispatched")
    APPEALS_WRITE = "appeals:write", _("File and read disputes, complaints and appeals")
    EVENTS_READ = "events:read", _("Read delinquency events and notices; manage webhooks")


# A scope that writes also reads what it writes.
SCOPE_IMPLIED_BY: dict[str, tuple[str, ...]] = {
    ApiScope.CONTRACTS_READ: (ApiScope.CONTRACTS_WRITE, ApiScope.PAYMENTS_WRITE),
}


class WebhookEventType(models.TextChoices):
    CONTRACT_DELINQUENT = "contract.delinquent", _("Contract became delinquent")
    CONTRACT_CURED = "contract.cured", _("Contract cured")
    PAYMENT_POSTED = "payment.posted", _("Payment posted")
    PAYMENT_REVERSED = "payment.reversed", _("Payment reversed")
    DISPUTE_OPENED = "dispute.opened", _("Dispute opened")
    DISPUTE_RESOLVED = "dispute.resolved", _("Dispute resolved")
    SERVICE_SUSPENDED = "service.suspended", _("On-site service suspended")
    SERVICE_RESTORED = "service.restored", _("On-site service restored")


class ApiClient(models.Model):
    """A system of the lender (loan core, payment channel, field-service dispatch)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]
        # Staff may use an operation with their portal session when they hold its scope's permission.
        permissions = [
            ("api_contracts_read", _("API: read customers, contracts, balances and payments")),
            ("api_contracts_write", _("API: create customers and contracts, import")),
            ("api_payments_write", _("API: post and reverse payments")),
            ("api_eligibility_read", _("API: service eligibility")),
            ("api_appeals_write", _("API: file and read cases")),
            ("api_events_read", _("API: delinquency events, notices, webhooks")),
        ]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token of a client. Only its SHA-256 is stored; the prefix finds the row."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.client} · {self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        granted = set(self.scopes or [])
        return scope in granted or any(s in granted for s in SCOPE_IMPLIED_BY.get(scope, ()))


class IdempotentRequest(models.Model):
    """The answer given to a write sent with an ``Idempotency-Key``: a repeat gets it again."""

    owner = models.CharField(max_length=40)  # "client:<id>" or "user:<id>"
    key = models.CharField(max_length=255)
    operation = models.CharField(max_length=100)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotent_request_owner_key")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class WebhookEndpoint(models.Model):
    """A URL of a client that receives the events it subscribed to, signed with its secret."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret_encrypted = models.TextField(editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["client", "url"]

    def __str__(self) -> str:
        return f"{self.client} → {self.url}"

    @property
    def secret(self) -> str:
        from .crypto import decrypt_text

        return decrypt_text(self.secret_encrypted)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Dead-lettered")


class WebhookDelivery(models.Model):
    """The outbox: one row per endpoint and event, written in the event's own transaction."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event_type = models.CharField(_("event"), max_length=40, choices=WebhookEventType.choices)
    payload = models.JSONField()
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_endpoint_event"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_due", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"
