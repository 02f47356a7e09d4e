import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CheckoutChoice(models.TextChoices):
    OVERDUE = "overdue", _("Overdue and due now")
    PAYOFF = "payoff", _("Full payoff")
    CUSTOM = "custom", _("Another amount")


class CheckoutProvider(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox (test payments)")
    ALIPAY = "alipay", _("Alipay")


class CheckoutStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


# A signed success from the provider means money moved, so it is accepted even after the
# session expired or an earlier attempt failed; a succeeded session is final (refunds are
# their own flow, never a status change here).
CHECKOUT_TRANSITIONS: dict[str, set[str]] = {
    CheckoutStatus.PENDING: {CheckoutStatus.SUCCEEDED, CheckoutStatus.FAILED, CheckoutStatus.EXPIRED},
    CheckoutStatus.FAILED: {CheckoutStatus.SUCCEEDED},
    CheckoutStatus.EXPIRED: {CheckoutStatus.SUCCEEDED, CheckoutStatus.FAILED},
    CheckoutStatus.SUCCEEDED: set(),
}


class CheckoutSession(models.Model):
    """One attempt by a customer to pay an amount on a contract through a payment provider."""

    token = models.UUIDField(_("public reference"), default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="checkout_sessions")
    customer = models.ForeignKey("accounts.CustomerProfile", on_delete=models.PROTECT, related_name="checkout_sessions")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    choice = models.CharField(_("what is paid"), max_length=10, choices=CheckoutChoice.choices)
    provider = models.CharField(_("payment provider"), max_length=20, choices=CheckoutProvider.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=CheckoutStatus.choices, default=CheckoutStatus.PENDING
    )
    provider_trade_no = models.CharField(_("provider trade number"), max_length=64, blank=True)
    payment = models.ForeignKey(
        "contracts.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="checkout_sessions"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    # What was still owed to settle the contract right after this payment was posted (the
    # receipt states it; later payments or reversals do not rewrite a receipt).
    balance_after = models.DecimalField(
        _("remaining balance after the payment"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("checkout session")
        verbose_name_plural = _("checkout sessions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="checkout_amount_positive"),
            models.UniqueConstraint(
                fields=["provider", "provider_trade_no"],
                condition=~Q(provider_trade_no=""),
                name="checkout_trade_no_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | Q(payment__isnull=False), name="checkout_succeeded_has_payment"
            ),
        ]

    def __str__(self) -> str:
        return f"checkout {self.token} {self.amount} {self.status}"

    @property
    def receipt_number(self) -> str:
        """The customer-facing reference of a succeeded payment: the business date it was
        received (Asia/Shanghai) and the start of the session's public reference."""
        day = self.payment.business_date if self.payment else timezone.localdate(self.created_at)
        return f"R{day:%Y%m%d}-{self.token.hex[:8].upper()}"

    def _can(self, target: str) -> bool:
        return target in CHECKOUT_TRANSITIONS[self.status]

    def can_succeed(self) -> bool:
        return self._can(CheckoutStatus.SUCCEEDED)

    def can_fail(self) -> bool:
        return self._can(CheckoutStatus.FAILED)

    def can_expire(self) -> bool:
        return self._can(CheckoutStatus.EXPIRED)
