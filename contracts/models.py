"""Products, accepted terms, contracts, the installment ledger, payments and plans.

Ledger amounts are Decimal with two places. The per-installment figures (paid, accrued,
charged, waived) are a projection that ``contracts.ledger`` computes from the contract's
inputs (schedule, payments, adjustments, plans) day by day; they are never edited by hand.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomerProfile

from .choices import PLAN_TRANSITIONS as PLAN_TRANSITIONS  # callers import these from here
from .choices import SERVICE_TRANSITIONS as SERVICE_TRANSITIONS  # not used here; callers import it from here

# The choices and transition tables live in ``contracts.choices``; ``contracts.models`` keeps
# offering them, so migrations and callers import them from here as before.
from .choices import (
    AdjustmentKind,
    ChargeKind,
    Component,
    ContractStatus,
    CostRegime,
    DebtType,
    ItemizationBasis,
    LateFeeKind,
    PaymentStatus,
    ProductKind,
    ScheduleMethodChoice,
    ServiceState,
    UsState,
)
from .choices import HoldReason as HoldReason
from .choices import PlanStatus as PlanStatus
from .choices import PromiseStatus as PromiseStatus
from .fields import money_field as money_field
from .limitation_models import LimitationPeriod as LimitationPeriod  # the limitation table, kept apart for size
from .models_rates import LoanPrimeRate as LoanPrimeRate
from .models_rates import StateRateCap as StateRateCap
from .models_schedule import ScheduleTerms

DEFAULT_ALLOCATION_ORDER = [Component.FEE, Component.PENALTY, Component.INTEREST, Component.PRINCIPAL]


def default_allocation_order() -> list[str]:
    return [str(c) for c in DEFAULT_ALLOCATION_ORDER]


class Product(ScheduleTerms):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    # One name per language (never one bilingual string): Chinese, the default, and English.
    name = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ProductKind.choices)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    schedule_method = models.CharField(_("schedule method"), max_length=20, choices=ScheduleMethodChoice.choices)
    annual_interest_rate = models.DecimalField(
        _("annual interest rate"),
        max_digits=7,
        decimal_places=6,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Nominal yearly rate, e.g. 0.18 for 18%. Monthly rate = annual rate / 12."),
    )
    min_term = models.PositiveSmallIntegerField(_("minimum term (installments)"), default=1)
    max_term = models.PositiveSmallIntegerField(_("maximum term (installments)"), default=36)
    grace_days = models.PositiveSmallIntegerField(
        _("grace days"),
        default=3,
        help_text=_("Days after a due date before penalty interest and the late fee apply (宽限期)."),
    )
    penalty_daily_rate = models.DecimalField(
        _("penalty interest per day"),
        max_digits=9,
        decimal_places=7,
        default=Decimal("0.0005"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.01"))],
        help_text=_("Daily rate on overdue principal only (罚息); never on interest, penalty or fees; no compounding."),
    )
    late_fee_kind = models.CharField(
        _("late fee"), max_length=10, choices=LateFeeKind.choices, default=LateFeeKind.FIXED
    )
    late_fee_value = models.DecimalField(
        _("late fee amount or rate"),
        max_digits=14,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "Fixed amount, or a rate such as 0.05 (5%) of the overdue installment. "
            "Charged once per installment when its grace period ends."
        ),
    )
    late_fee_cap = money_field(
        _("late fee cap per installment"),
        default=Decimal("50.00"),
        help_text=_("Upper limit of one installment's late fee (违约金上限)."),
    )
    cost_regime = models.CharField(
        _("cost-of-credit regime"),
        max_length=20,
        choices=CostRegime.choices,
        default=CostRegime.LICENSED_LENDER,
        help_text=_(
            "Which law measures the cost of credit: a licensed lender (bank, consumer-finance company: "
            "comprehensive annualised cost within 24%, IRR method), private lending (four times the one-year LPR "
            "in force when the contract is signed), or a US product (the state caps selected below; none assumed)."
        ),
    )
    state_caps: models.ManyToManyField[StateRateCap, Any] = models.ManyToManyField(
        "StateRateCap",
        blank=True,
        related_name="products",
        verbose_name=_("US state rate caps that apply"),
        help_text=_(
            "US products only: the lowest of the selected caps applies; with none, no statutory cap is assumed."
        ),
    )
    cost_cap_annual_rate = models.DecimalField(
        _("annual cost-of-credit cap"),
        max_digits=7,
        decimal_places=6,
        default=Decimal("0.24"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_(
            "The product's own yearly limit, never above its regime's (a licensed lender: 24%; private lending: four "
            "times the one-year LPR at signing). Penalty interest and fees on an overdue installment stop "
            "where they reach its overdue amount x days overdue x this rate / 365."
        ),
    )
    allocation_order = models.JSONField(
        _("allocation order"),
        default=default_allocation_order,
        help_text=_("Order in which a payment pays the components of each installment, oldest installment first."),
    )
    suspension_notice_after_days = models.PositiveSmallIntegerField(
        _("formal notice after (days past due)"),
        default=3,
        help_text=_("Days past due after which the formal notice of service suspension is given."),
    )
    suspension_notice_days = models.PositiveSmallIntegerField(
        _("notice period before suspension (days)"),
        default=7,
        help_text=_("Days between the formal notice and the suspension of on-site service."),
    )
    charge_off_dpd = models.PositiveSmallIntegerField(_("charge off at (days past due)"), default=180)
    plan_min_months = models.PositiveSmallIntegerField(_("repayment plan: minimum months"), default=2)
    plan_max_months = models.PositiveSmallIntegerField(_("repayment plan: maximum months"), default=12)
    plan_break_days = models.PositiveSmallIntegerField(
        _("repayment plan broken after (days late)"),
        default=15,
    )
    # Regulation F validation notices (US customers): the itemization date and the parties named.
    itemization_basis = models.CharField(
        _("itemization date (validation notice)"),
        max_length=20,
        choices=ItemizationBasis.choices,
        default=ItemizationBasis.LAST_STATEMENT,
        help_text=_("Reference date of the itemization in a US validation notice (12 CFR 1006.34(b)(3))."),
    )
    creditor_name = models.CharField(
        _("creditor to whom the debt is owed"), max_length=150, blank=True, help_text=_("Empty: the collector.")
    )
    original_creditor_name = models.CharField(_("original creditor, if different"), max_length=150, blank=True)
    original_creditor_address = models.TextField(_("original creditor's address"), blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(min_term__lte=models.F("max_term")), name="product_term_range"),
            models.CheckConstraint(
                condition=Q(plan_min_months__lte=models.F("plan_max_months")), name="product_plan_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def name_for(self, language: str | None) -> str:
        """The product's name in ``language`` (English if there is one, else the Chinese name)."""
        return self.name_en if (language or "").startswith("en") and self.name_en else self.name

    @property
    def display_name(self) -> str:
        """The name in the language active now (the page's, or a notice's locale)."""
        return self.name_for(get_language())

    @property
    def has_onsite_service(self) -> bool:
        return self.kind == ProductKind.SERVICE_SUBSCRIPTION


class TermsVersion(models.Model):
    """The exact terms a customer accepts: text shown verbatim and the parameters in force."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="terms_versions")
    version = models.PositiveIntegerField(_("version"))
    text_zh = models.TextField(_("terms (Chinese)"))
    text_en = models.TextField(_("terms (English)"), blank=True)
    parameters = models.JSONField(_("parameters"), default=dict)
    content_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("terms version")
        verbose_name_plural = _("terms versions")
        constraints = [models.UniqueConstraint(fields=["product", "version"], name="terms_version_unique")]
        ordering = ["product", "-version"]

    def __str__(self) -> str:
        return f"{self.product.code} v{self.version}"

    @property
    def accepted_text(self) -> str:
        """The text the customer accepted, whatever language the page is shown in: the Chinese
        text is the contract (the English one, if any, is a courtesy translation of it)."""
        return self.text_zh

    def courtesy_translation(self, language: str) -> str:
        """A translation to show beside the accepted text, labelled as such, or "" if none."""
        return self.text_en if language == "en" else ""


class Contract(models.Model):
    number = models.CharField(_("contract number"), max_length=40, unique=True)
    customer = models.ForeignKey(CustomerProfile, on_delete=models.PROTECT, related_name="contracts")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="contracts")
    terms = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="contracts")
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    principal = money_field(_("principal"))
    annual_rate = models.DecimalField(_("annual interest rate"), max_digits=7, decimal_places=6)
    term = models.PositiveSmallIntegerField(_("term (months)"))
    schedule_method = models.CharField(_("schedule method"), max_length=20, choices=ScheduleMethodChoice.choices)
    start_date = models.DateField(_("start date"))
    first_due_date = models.DateField(_("first due date"))
    signed_at = models.DateTimeField(_("terms accepted at"))

    # Terms in force for this contract (copied from the accepted terms version).
    grace_days = models.PositiveSmallIntegerField(_("grace days"))
    penalty_daily_rate = models.DecimalField(_("penalty interest per day"), max_digits=9, decimal_places=7)
    late_fee_kind = models.CharField(_("late fee"), max_length=10, choices=LateFeeKind.choices)
    late_fee_value = models.DecimalField(_("late fee amount or rate"), max_digits=14, decimal_places=4)
    late_fee_cap = money_field(_("late fee cap per installment"))
    cost_cap_annual_rate = models.DecimalField(_("annual cost-of-credit cap"), max_digits=7, decimal_places=6)
    # Where the cap came from, fixed at signing (``contracts.cost_cap.regime_cap``).
    cost_regime = models.CharField(
        _("cost-of-credit regime"),
        max_length=20,
        choices=CostRegime.choices,
        default=CostRegime.LICENSED_LENDER,
        db_default=CostRegime.LICENSED_LENDER,
    )
    cost_cap_lpr = models.DecimalField(
        _("one-year LPR at signing"), max_digits=7, decimal_places=6, null=True, blank=True
    )
    cost_cap_lpr_published_on = models.DateField(_("LPR published on"), null=True, blank=True)
    cost_cap_states = models.CharField(
        _("US state caps applied"), max_length=200, blank=True, default="", db_default=""
    )
    allocation_order = models.JSONField(_("allocation order"), default=default_allocation_order)
    suspension_notice_after_days = models.PositiveSmallIntegerField(_("formal notice after (days past due)"))
    suspension_notice_days = models.PositiveSmallIntegerField(_("notice period before suspension (days)"))
    charge_off_dpd = models.PositiveSmallIntegerField(_("charge off at (days past due)"))
    plan_break_days = models.PositiveSmallIntegerField(_("repayment plan broken after (days late)"))

    # Delinquency state, maintained by the sweep.
    status = models.CharField(
        _("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.CURRENT
    )
    days_past_due = models.PositiveIntegerField(_("days past due"), default=0)
    bucket = models.CharField(_("bucket"), max_length=8, default="M0")
    delinquency_episode = models.PositiveIntegerField(_("delinquency episode"), default=0)
    delinquent_since = models.DateField(_("overdue since"), null=True, blank=True)
    accrued_through = models.DateField(_("charges accrued through"), null=True, blank=True)
    principal_days = models.DecimalField(
        _("principal-days"),
        max_digits=24,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Sum over days of the principal outstanding (the whole loan's cost of credit over time)."),
    )
    credit_balance = money_field(_("credit balance"))
    principal_outstanding = money_field(_("principal outstanding"))
    next_due_date = models.DateField(_("next due date"), null=True, blank=True)

    # On-site service (逾期拒绝上门), maintained by services following the suspension clause.
    service_state = models.CharField(
        _("on-site service"), max_length=20, choices=ServiceState.choices, default=ServiceState.ALLOWED
    )
    service_notice_date = models.DateField(_("suspension notice given on"), null=True, blank=True)
    service_effective_date = models.DateField(_("suspension effective on"), null=True, blank=True)
    service_suspended_since = models.DateField(_("suspended since"), null=True, blank=True)
    service_reason = models.CharField(_("service state reason"), max_length=200, blank=True)

    # Limitation of actions (12 CFR 1006.26(b)); see ``contracts.limitation``. Database defaults,
    # so set-based inserts (the benchmark portfolio) need not name them.
    governing_state = models.CharField(
        _("governing state"),
        max_length=2,
        choices=UsState.choices,
        null=True,
        blank=True,
        help_text=_("US state whose law governs the contract; empty for contracts under Chinese law."),
    )
    limitation_debt_type = models.CharField(
        _("debt type for the limitation period"),
        max_length=20,
        choices=DebtType.choices,
        default=DebtType.WRITTEN_CONTRACT,
        db_default=DebtType.WRITTEN_CONTRACT,
    )
    time_barred_flag = models.BooleanField(
        _("treated as time-barred"),
        default=False,
        db_default=False,
        help_text=_("Set by staff when the debt may be time-barred although no limitation period is known."),
    )
    time_barred_flag_reason = models.CharField(
        _("reason for the time-barred flag"), max_length=300, blank=True, default="", db_default=""
    )

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["id"]
        indexes = [
            # No index holds a column the nightly sweep writes on every contract (accrued_through,
            # principal_days): those updates then stay on the row's page (HOT) without index writes.
            models.Index(fields=["status"]),
            models.Index(fields=["customer", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="contract_principal_positive"),
            models.CheckConstraint(condition=Q(credit_balance__gte=0), name="contract_credit_not_negative"),
        ]
        permissions = [
            ("import_contracts", _("Can import customers, contracts and repayment history")),
            ("approve_waiver", _("Can approve penalty and fee waivers")),
            ("flag_time_barred", _("Can mark a debt as time-barred")),
        ]

    def __str__(self) -> str:
        return self.number


class Installment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="installments")
    plan = models.ForeignKey(
        "RepaymentPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="installments"
    )
    seq = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    principal_due = money_field(_("principal due"))
    interest_due = money_field(_("interest due"))
    # Projection maintained by the ledger engine.
    principal_paid = money_field(_("principal paid"))
    interest_paid = money_field(_("interest paid"))
    penalty_accrued = money_field(_("penalty interest charged"))
    penalty_paid = money_field(_("penalty interest paid"))
    penalty_waived = money_field(_("penalty interest waived"))
    fee_charged = money_field(_("fees charged"))
    fee_paid = money_field(_("fees paid"))
    fee_waived = money_field(_("fees waived"))
    interest_waived = money_field(_("interest waived"))
    principal_waived = money_field(_("principal written down"))
    late_fee_assessed = models.BooleanField(default=False)
    # The per-installment cost cap (``contracts.ledger.installment_cap``) and what counts against it.
    overdue_amount_days = models.DecimalField(
        _("overdue amount-days"),
        max_digits=24,
        decimal_places=2,
        default=Decimal("0.00"),
        db_default=Decimal("0.00"),
        help_text=_("Sum over the days after the due date of the overdue principal and interest."),
    )
    late_charges = money_field(
        _("penalty and fees charged for lateness"),
        db_default=Decimal("0.00"),
        help_text=_("Penalty interest and late fees this installment's lateness was charged (before waivers)."),
    )
    superseded_on = models.DateField(_("moved into a repayment plan on"), null=True, blank=True)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["contract", "due_date", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "seq"], condition=Q(plan__isnull=True), name="installment_seq_unique"
            ),
            models.UniqueConstraint(
                fields=["plan", "seq"], condition=Q(plan__isnull=False), name="plan_installment_seq_unique"
            ),
        ]
        indexes = [models.Index(fields=["contract", "due_date"])]

    def __str__(self) -> str:
        return f"{self.contract_id}#{self.seq} {self.due_date}"


class Payment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    channel = models.CharField(_("channel"), max_length=30)
    external_reference = models.CharField(_("external reference"), max_length=100)
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    received_at = models.DateTimeField(_("received at"))
    business_date = models.DateField(_("business date"))
    status = models.CharField(_("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.POSTED)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversal_reason = models.CharField(_("reversal reason"), max_length=200, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["business_date", "received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_reference"], name="payment_reference_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_reference} {self.amount}"


class AllocationLine(models.Model):
    """Where money from a payment went. Rebuilt whenever the ledger is replayed."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="allocations")
    installment = models.ForeignKey(
        Installment, null=True, blank=True, on_delete=models.CASCADE, related_name="allocations"
    )
    component = models.CharField(
        max_length=10,
        choices=[*Component.choices, ("credit", _("Credit balance")), ("refund", _("Refunded from credit"))],
    )
    amount = money_field(_("amount"))
    applied_on = models.DateField(_("applied on"))
    from_credit = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("allocation line")
        ordering = ["applied_on", "id"]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.component} {self.amount}"


class ChargeEntry(models.Model):
    """One explainable charge: which installment, which rule, which days, on what base."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="charges")
    installment = models.ForeignKey(Installment, on_delete=models.CASCADE, related_name="charges")
    kind = models.CharField(max_length=10, choices=ChargeKind.choices)
    from_date = models.DateField()
    to_date = models.DateField()
    days = models.PositiveIntegerField(default=1)
    base_amount = money_field(_("base"))
    rate = models.DecimalField(max_digits=14, decimal_places=7, default=Decimal("0"))
    amount = money_field(_("amount"))
    capped = models.BooleanField(default=False)
    # The installment's overdue amount-days on the entry's last day: its cost cap then was
    # this × the contract's annual cap / 365 (named in the explanation when the cap cut in).
    cap_amount_days = models.DecimalField(
        _("overdue amount-days"), max_digits=24, decimal_places=2, default=Decimal("0.00"), db_default=Decimal("0.00")
    )

    class Meta:
        verbose_name = _("charge")
        ordering = ["from_date", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.from_date}..{self.to_date}"


class Adjustment(models.Model):
    """A ledger correction (waiver, reversal of a charge, write-down), effective on a date."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="adjustments")
    installment = models.ForeignKey(Installment, on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField(max_length=30, choices=AdjustmentKind.choices)
    amount = money_field(_("amount"))
    effective_date = models.DateField(_("effective date"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adjustment")
        ordering = ["effective_date", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="adjustment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class Refund(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="refunds")
    amount = money_field(_("amount"))
    business_date = models.DateField()
    reference = models.CharField(max_length=100, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"refund {self.amount}"


class DelinquencyTransition(models.Model):
    """History of status changes with the business date each happened on."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="transitions")
    on_date = models.DateField()
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    event = models.CharField(max_length=20)  # became_delinquent, cured, charged_off, paid_off
    days_past_due = models.PositiveIntegerField(default=0)
    episode = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["on_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "on_date", "event"], name="transition_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.on_date} {self.event}"


# Plans, promises, sweep runs and holds live in their own module (module size); imported here
# so Django registers them and callers import them from here as before.
from .models_collection import CollectionHold as CollectionHold  # noqa: E402
from .models_collection import PromiseToPay as PromiseToPay  # noqa: E402
from .models_collection import RepaymentPlan as RepaymentPlan  # noqa: E402
from .models_collection import SweepRun as SweepRun  # noqa: E402
from .models_imports import ImportJob as ImportJob  # noqa: E402
from .models_imports import ImportJobStatus as ImportJobStatus  # noqa: E402
from .models_risk import ContractRiskScore as ContractRiskScore  # noqa: E402
from .models_risk import RiskBand as RiskBand  # noqa: E402
from .models_risk import RiskMethod as RiskMethod  # noqa: E402
from .models_risk import RiskModelVersion as RiskModelVersion  # noqa: E402
