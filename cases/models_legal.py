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


class LegalStatus(models.TextChoices):
    LETTER_SENT = "letter_sent", _("Lawyer's letter sent (final grace period)")
    REFERRED = "referred", _("Referred for litigation")
    FILED = "filed", _("Filed at court")
    JUDGMENT = "judgment", _("Judgment given")
    ENFORCEMENT = "enforcement", _("Enforcement")
    CLOSED = "closed", _("Closed")


LEGAL_TRANSITIONS: dict[str, set[str]] = {
    LegalStatus.LETTER_SENT: {LegalStatus.REFERRED, LegalStatus.CLOSED},
    LegalStatus.REFERRED: {LegalStatus.FILED, LegalStatus.CLOSED},
    LegalStatus.FILED: {LegalStatus.JUDGMENT, LegalStatus.CLOSED},
    LegalStatus.JUDGMENT: {LegalStatus.ENFORCEMENT, LegalStatus.CLOSED},
    LegalStatus.ENFORCEMENT: {LegalStatus.CLOSED},
    LegalStatus.CLOSED: set(),
}


class JudgmentOutcome(models.TextChoices):
    FOR_LENDER = "for_lender", _("For the lender")
    IN_PART = "in_part", _("For the lender in part")
    MEDIATED = "mediated", _("Settled by court mediation (调解)")
    FOR_CUSTOMER = "for_customer", _("For the customer (claim dismissed)")


class LegalCloseReason(models.TextChoices):
    PAID = "paid", _("Paid in full")
    SETTLED = "settled", _("Settled or on an agreed plan")
    SATISFIED = "satisfied", _("Judgment satisfied")
    DISMISSED = "dismissed", _("Claim dismissed")
    WITHDRAWN = "withdrawn", _("Withdrawn by the lender")
    UNCOLLECTIBLE = "uncollectible", _("Enforcement ended without recovery")


class LegalCase(models.Model):
    """The legal route of one contract: a lawyer's letter with a final grace period, the referral
    for litigation once it passed (with its evidence bundle), and the court case's progress
    (filed, judgment, enforcement) to its close. One open case per contract."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="legal_cases")
    referral = models.OneToOneField(
        "cases.LegalReferral", null=True, blank=True, on_delete=models.PROTECT, related_name="legal_case"
    )
    status = models.CharField(_("status"), max_length=12, choices=LegalStatus.choices, default=LegalStatus.LETTER_SENT)
    law_firm = models.CharField(_("law firm"), max_length=200)
    letter = models.ForeignKey("notices.Notice", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    letter_on = models.DateField(_("lawyer's letter dated"))
    grace_until = models.DateField(_("final grace period ends"))
    amount_claimed = models.DecimalField(_("amount claimed"), max_digits=14, decimal_places=2, null=True, blank=True)
    referred_on = models.DateField(_("referred on"), null=True, blank=True)
    court = models.CharField(_("court"), max_length=200, blank=True)
    court_case_number = models.CharField(_("court case number"), max_length=100, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    judgment_on = models.DateField(_("judgment on"), null=True, blank=True)
    judgment_outcome = models.CharField(_("judgment"), max_length=14, choices=JudgmentOutcome.choices, blank=True)
    judgment_amount = models.DecimalField(_("amount awarded"), max_digits=14, decimal_places=2, null=True, blank=True)
    enforcement_on = models.DateField(_("enforcement applied for on"), null=True, blank=True)
    enforcement_case_number = models.CharField(_("enforcement case number"), max_length=100, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("why it closed"), max_length=14, choices=LegalCloseReason.choices, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    status_changed_at = models.DateTimeField(_("status changed at"))

    class Meta:
        verbose_name = _("legal case")
        verbose_name_plural = _("legal cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=~Q(status="closed"), name="one_open_legal_case_per_contract"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.status}"

    @property
    def reference(self) -> str:
        return f"LC-{self.pk:06d}"

    def can(self, to: str) -> bool:
        return to in LEGAL_TRANSITIONS[self.status]


class LegalStep(models.Model):
    """One step of a legal case as it happened (the audit log holds the same, signed)."""

    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("status"), max_length=12, choices=LegalStatus.choices)
    on_date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("legal case step")
        verbose_name_plural = _("legal case steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.status} {self.on_date}"


class LegalBundle(models.Model):
    """A referral bundle as handed over: its manifest's SHA-256 and the signed checkpoint its
    inclusion proofs are against, so the copy a court holds can be matched to this record."""

    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="bundles")
    manifest_sha256 = models.CharField(_("manifest SHA-256"), max_length=64)
    tree_size = models.PositiveBigIntegerField(_("signed checkpoint (events in the log)"))
    events = models.PositiveIntegerField(_("audit events proven"))
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    made_at = models.DateTimeField(_("made at"))

    class Meta:
        verbose_name = _("referral bundle")
        verbose_name_plural = _("referral bundles")
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"bundle {self.manifest_sha256[:12]}"
