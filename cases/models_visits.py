"""The field visit's report (上门走访记录), filed from a phone by one of the two officers.
``cases.models`` re-exports it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AddressVerification(models.TextChoices):
    """How the address a visit goes to was verified (a visit goes only to a verified address)."""

    CUSTOMER_CONFIRMED = "customer_confirmed", _("Confirmed by the customer")
    ID_DOCUMENT = "id_document", _("On the customer's identity document")
    SIGNED_CONTRACT = "signed_contract", _("In the signed contract, confirmed since")
    SERVICE_RECORD = "service_record", _("From a recent on-site service or delivery record")


class MetWith(models.TextChoices):
    CUSTOMER = "customer", _("The customer")
    THIRD_PARTY = "third_party", _("Someone else (a third party)")
    NOBODY = "nobody", _("Nobody")


class VisitOutcome(models.TextChoices):
    PAID = "paid", _("Paid")
    PROMISE = "promise", _("Promise to pay")
    PLAN = "plan", _("Repayment plan agreed")
    REFUSED = "refused", _("Refused")
    NOT_HOME = "not_home", _("Not at home")
    MOVED = "moved", _("Moved away")


# When the officers did not meet the customer, the only outcomes are about finding them.
OUTCOMES_WITHOUT_CUSTOMER = (VisitOutcome.NOT_HOME, VisitOutcome.MOVED)


class VisitReport(models.Model):
    """What happened at a visit. With a third party the report says only that the customer
    was not met (and where they may be): nothing about the debt is disclosed or written."""

    visit = models.OneToOneField("cases.FieldVisit", on_delete=models.PROTECT, related_name="report")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField(_("filed at"))
    arrived_at = models.DateTimeField(_("arrived at"))
    identity_shown = models.BooleanField(_("officers showed their identity"))
    consent_to_enter = models.BooleanField(_("consent to enter was given"))
    met = models.CharField(_("met"), max_length=12, choices=MetWith.choices)
    third_party_relation = models.CharField(_("who the third party was"), max_length=60, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=VisitOutcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_action = models.CharField(_("follow-up"), max_length=300, blank=True)
    promise = models.ForeignKey(
        "contracts.PromiseToPay", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attempt = models.ForeignKey(
        "notices.ContactAttempt", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("visit report")
        verbose_name_plural = _("visit reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(met="customer") | models.Q(outcome__in=["not_home", "moved"]),
                name="visit_report_outcome_needs_customer",
            )
        ]

    def __str__(self) -> str:
        return f"report of visit {self.visit_id}: {self.outcome}"

    @property
    def about_the_debt(self) -> bool:
        """Whether the report may speak of the debt (only when the customer was met)."""
        return self.met == MetWith.CUSTOMER
