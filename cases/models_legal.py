"""The end of the arrears lifecycle: third-party guarantees and their claims (第三方保障) and the
legal route (lawyer's letter, referral with its evidence bundle, the court case's progress).
``cases.models`` re-exports them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.fields import money_field
from contracts.models import Contract


class GuaranteeKind(models.TextChoices):
    GUARANTOR = "guarantor", _("Guarantor")
    INSURER = "insurer", _("Credit insurer")


class Guarantee(models.Model):
    """A third party that answers for the contract when the customer does not pay: a guarantor
    company or a credit-insurance policy, up to ``covered_amount`` (empty: the whole debt)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="guarantees")
    kind = models.CharField(_("kind"), max_length=12, choices=GuaranteeKind.choices)
    provider = models.CharField(_("guarantor or insurer"), max_length=200)
    reference = models.CharField(_("guarantee or policy number"), max_length=100)
    covered_amount = models.DecimalField(_("amount covered"), max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("third-party guarantee")
        verbose_name_plural = _("third-party guarantees")
        ordering = ["contract", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "reference"], name="guarantee_reference_unique")]
        permissions = [("manage_legal_route", "Can run the legal route and guarantee claims")]

    def __str__(self) -> str:
        return f"{self.provider} {self.reference}"


class ClaimStatus(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    SUBMITTED = "submitted", _("Submitted to the guarantor")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid out")
    WITHDRAWN = "withdrawn", _("Withdrawn")


CLAIM_TRANSITIONS: dict[str, set[str]] = {
    ClaimStatus.PREPARED: {ClaimStatus.SUBMITTED, ClaimStatus.WITHDRAWN},
    ClaimStatus.SUBMITTED: {ClaimStatus.ACCEPTED, ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN},
    ClaimStatus.ACCEPTED: {ClaimStatus.PAID},
    ClaimStatus.REJECTED: set(),
    ClaimStatus.PAID: set(),
    ClaimStatus.WITHDRAWN: set(),
}


class GuaranteeClaim(models.Model):
    """A claim on a guarantee for a charged-off contract. The payout is posted to the contract's
    ledger as a third-party payment (channel ``guarantee``) through ``payment_post``."""

    guarantee = models.ForeignKey(Guarantee, on_delete=models.PROTECT, related_name="claims")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="guarantee_claims")
    status = models.CharField(_("status"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.PREPARED)
    amount_claimed = money_field(_("amount claimed"))
    amount_paid = money_field(_("amount paid out"))
    payment = models.ForeignKey("contracts.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    provider_reference = models.CharField(_("the guarantor's claim number"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    prepared_at = models.DateTimeField(_("prepared at"))
    status_changed_at = models.DateTimeField(_("status changed at"))

    class Meta:
        verbose_name = _("guarantee claim")
        verbose_name_plural = _("guarantee claims")
        ordering = ["-prepared_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["guarantee"],
                condition=Q(status__in=["prepared", "submitted", "accepted"]),
                name="one_open_claim_per_guarantee",
            ),
            models.CheckConstraint(condition=Q(amount_claimed__gt=0), name="claim_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"claim {self.pk} {self.status}"

    def can(self, to: str) -> bool:
        return to in CLAIM_TRANSITIONS[self.status]
