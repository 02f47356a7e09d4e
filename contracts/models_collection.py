"""Repayment plans, promises to pay, sweep runs and collection holds: the collection side of a
contract (``contracts.models`` re-exports them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import PLAN_TRANSITIONS, HoldReason, PlanStatus, PromiseStatus
from .fields import money_field


class RepaymentPlan(models.Model):
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.PROPOSED)
    months = models.PositiveSmallIntegerField(_("months"))
    first_due_date = models.DateField(_("first due date"))
    waive_penalty = models.BooleanField(_("waive penalty interest"), default=False)
    waive_fees = models.BooleanField(_("waive fees"), default=False)
    waiver_amount = money_field(_("amount waived"))
    requires_approval = models.BooleanField(default=False)
    reason = models.TextField(_("reason"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="plan-evidence/%Y/%m/", blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_on = models.DateField()
    activated_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    snapshot = models.JSONField(default=dict, help_text=_("Amounts restructured, per component."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("repayment plan")
        verbose_name_plural = _("repayment plans")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=Q(status__in=["proposed", "active"]), name="one_open_plan_per_contract"
            )
        ]

    def __str__(self) -> str:
        return f"plan {self.pk} {self.status}"

    def can_activate(self) -> bool:
        return PlanStatus.ACTIVE in PLAN_TRANSITIONS[self.status] and (
            not self.requires_approval or self.approved_by_id is not None
        )

    def can_cancel(self) -> bool:
        return PlanStatus.CANCELLED in PLAN_TRANSITIONS[self.status]


class PromiseToPay(models.Model):
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="promises")
    amount = money_field(_("amount"))
    promised_date = models.DateField(_("promised date"))
    status = models.CharField(max_length=10, choices=PromiseStatus.choices, default=PromiseStatus.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_on = models.DateField()
    paid_towards = money_field(_("paid towards the promise"))
    resolved_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        ordering = ["promised_date"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="promise_amount_positive")]

    def __str__(self) -> str:
        return f"PTP {self.amount} by {self.promised_date}"


class SweepRun(models.Model):
    business_date = models.DateField()
    first_contract_id = models.BigIntegerField()
    last_contract_id = models.BigIntegerField()
    contracts_advanced = models.PositiveIntegerField(default=0)
    days_advanced = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["first_contract_id", "last_contract_id", "business_date"])]

    def __str__(self) -> str:
        return f"sweep {self.business_date} [{self.first_contract_id}, {self.last_contract_id}]"


class CollectionHold(models.Model):
    """Collection paused on a contract (no collection notices, calls, visits or suspension)."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(_("reason"), max_length=20, choices=HoldReason.choices)
    source = models.CharField(_("source"), max_length=100, blank=True, help_text=_("e.g. appeals.case:42"))
    placed_on = models.DateTimeField(_("placed at"))
    released_on = models.DateTimeField(_("released at"), null=True, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("collection hold")
        verbose_name_plural = _("collection holds")
        indexes = [models.Index(fields=["contract", "released_on"])]

    def __str__(self) -> str:
        return f"hold {self.reason} on {self.contract_id}"

    @property
    def active(self) -> bool:
        return self.released_on is None
