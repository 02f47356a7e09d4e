"""Disputes, complaints, hardship requests and appeals (设立有效的申诉渠道), with SLA clocks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomerProfile
from contracts.models import Contract


class CaseKind(models.TextChoices):
    DISPUTE = "dispute", _("Dispute")
    COMPLAINT = "complaint", _("Complaint")
    HARDSHIP = "hardship", _("Hardship request")
    APPEAL = "appeal", _("Appeal")


class Category(models.TextChoices):
    # disputes
    AMOUNT_WRONG = "amount_wrong", _("The amount is wrong")
    ALREADY_PAID = "already_paid", _("I already paid")
    NOT_MY_DEBT = "not_my_debt", _("Not my debt / identity theft")
    NOT_RECEIVED = "not_received", _("Goods or service not received")
    CHARGE_CHALLENGED = "charge_challenged", _("A fee or penalty is challenged")
    # complaints
    STAFF_CONDUCT = "staff_conduct", _("Conduct of our staff")
    AGENCY_CONDUCT = "agency_conduct", _("Conduct of a collection agency")
    CONTACT_FREQUENCY = "contact_frequency", _("Too many contacts, or at a bad time")
    PRIVACY_BREACH = "privacy_breach", _("Privacy breach")
    # hardship
    INCOME_LOSS = "income_loss", _("Loss of income")
    ILLNESS = "illness", _("Illness")
    OTHER_HARDSHIP = "other_hardship", _("Other hardship")
    # appeals
    AGAINST_SUSPENSION = "against_suspension", _("Against a service suspension")
    AGAINST_PLAN_REFUSAL = "against_plan_refusal", _("Against a refused repayment plan")
    AGAINST_DISPUTE_OUTCOME = "against_dispute_outcome", _("Against the outcome of a dispute")


CATEGORIES_BY_KIND: dict[str, tuple[str, ...]] = {
    CaseKind.DISPUTE: (
        Category.AMOUNT_WRONG,
        Category.ALREADY_PAID,
        Category.NOT_MY_DEBT,
        Category.NOT_RECEIVED,
        Category.CHARGE_CHALLENGED,
    ),
    CaseKind.COMPLAINT: (
        Category.STAFF_CONDUCT,
        Category.AGENCY_CONDUCT,
        Category.CONTACT_FREQUENCY,
        Category.PRIVACY_BREACH,
    ),
    CaseKind.HARDSHIP: (Category.INCOME_LOSS, Category.ILLNESS, Category.OTHER_HARDSHIP),
    CaseKind.APPEAL: (
        Category.AGAINST_SUSPENSION,
        Category.AGAINST_PLAN_REFUSAL,
        Category.AGAINST_DISPUTE_OUTCOME,
    ),
}


# Kinds that are always about one contract (a dispute of an amount, a hardship request):
# the form asks for it and ``case_file`` refuses a filing without it.
KINDS_NEEDING_CONTRACT: tuple[str, ...] = (CaseKind.DISPUTE, CaseKind.HARDSHIP)


class FiledVia(models.TextChoices):
    PORTAL = "portal", _("Customer portal")
    PHONE = "phone", _("By phone (staff)")
    VISIT = "visit", _("During a visit (staff)")
    API = "api", _("API")


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATING = "investigating", _("Investigating")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    APPEAL_REVIEW = "appeal_review", _("Appeal under review")
    FINAL = "final", _("Final decision")


# The workflow: every status change goes through appeals.services and this table.
CASE_TRANSITIONS: dict[str, set[str]] = {
    CaseStatus.SUBMITTED: {CaseStatus.ACKNOWLEDGED},
    CaseStatus.ACKNOWLEDGED: {CaseStatus.INVESTIGATING, CaseStatus.RESOLVED},
    CaseStatus.INVESTIGATING: {CaseStatus.RESOLVED},
    CaseStatus.RESOLVED: {CaseStatus.CLOSED, CaseStatus.APPEAL_REVIEW},
    CaseStatus.APPEAL_REVIEW: {CaseStatus.FINAL},
    CaseStatus.CLOSED: set(),
    CaseStatus.FINAL: set(),
}
OPEN_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.ACKNOWLEDGED, CaseStatus.INVESTIGATING, CaseStatus.APPEAL_REVIEW)


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTIALLY_UPHELD = "partially_upheld", _("Partially upheld")
    REJECTED = "rejected", _("Rejected")


class SlaPolicy(models.Model):
    """How fast we answer, per jurisdiction and kind (editable by compliance officers)."""

    jurisdiction = models.CharField(_("jurisdiction"), max_length=10)
    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices)
    acknowledge_business_days = models.PositiveSmallIntegerField(_("acknowledge within (business days)"), default=1)
    resolve_days = models.PositiveSmallIntegerField(_("resolve within (days)"), default=15)
    resolve_in_business_days = models.BooleanField(_("resolution days are business days"), default=True)
    remind_before_hours = models.PositiveSmallIntegerField(_("remind staff this many hours before"), default=24)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "kind"], name="sla_policy_unique")]

    def __str__(self) -> str:
        return f"{self.jurisdiction}/{self.kind}"


class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    customer = models.ForeignKey(CustomerProfile, on_delete=models.PROTECT, related_name="cases")
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    related_case = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals_against"
    )
    description = models.TextField(_("what happened"))
    disputed_amount = models.DecimalField(
        _("amount in question"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    filed_via = models.CharField(_("filed via"), max_length=10, choices=FiledVia.choices)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=15, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    reasons = models.TextField(_("our reasons"), blank=True)
    remedy = models.JSONField(_("remedy"), default=dict, blank=True)
    remedy_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    first_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appeal_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appeal_reason = models.TextField(_("why the customer appeals"), blank=True)
    appeal_outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    appeal_reasons = models.TextField(blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    acknowledge_due_at = models.DateTimeField()
    resolve_due_at = models.DateTimeField(db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hold_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["resolve_due_at", "id"]
        indexes = [models.Index(fields=["status", "resolve_due_at"]), models.Index(fields=["customer", "submitted_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(status="resolved") | ~Q(outcome=""), name="resolved_case_has_outcome")
        ]
        permissions = [
            ("handle_case", _("Can acknowledge, investigate and resolve cases")),
            ("approve_case_remedy", _("Can give the second approval for large remedies")),
            ("view_sla_report", _("Can see SLA reports")),
        ]

    def __str__(self) -> str:
        return self.reference

    def can(self, to: str) -> bool:
        return to in CASE_TRANSITIONS[self.status]

    def can_acknowledge(self) -> bool:
        return self.can(CaseStatus.ACKNOWLEDGED)

    def can_investigate(self) -> bool:
        return self.can(CaseStatus.INVESTIGATING)

    def can_resolve(self) -> bool:
        return self.can(CaseStatus.RESOLVED)

    def can_close(self) -> bool:
        return self.can(CaseStatus.CLOSED)

    def can_appeal(self) -> bool:
        """A resolved case can be appealed once (not when fully upheld: nothing to appeal)."""
        return self.can(CaseStatus.APPEAL_REVIEW) and self.outcome != Outcome.UPHELD

    def can_decide_appeal(self) -> bool:
        return self.can(CaseStatus.FINAL)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Evidence(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class CaseEvent(models.Model):
    """The case timeline (what the customer and staff see happened, and when)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    visible_to_customer = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (no work on a weekday)")
    WORKDAY = "workday", _("Make-up working day (work on a weekend)")


class CalendarDayBasis(models.TextChoices):
    # Fixed by the Measures on National Holidays (全国年节及纪念日放假办法): certain before the
    # State Council publishes the year's arrangement.
    STATUTORY = "statutory", _("Statutory holiday")
    # Placed by the State Council's yearly arrangement (补假, 调休 rest days and make-up working
    # days): known only once the arrangement is published.
    ARRANGEMENT = "arrangement", _("Yearly arrangement")


class CalendarYear(models.Model):
    """One year of the Chinese working calendar. ``official`` once compliance has entered the
    State Council's arrangement (放假调休安排) for the year and checked it; until then the year
    holds only what the law fixes, and deadlines counted through it err on the customer's side
    (``appeals.calendar``)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    official = models.BooleanField(_("official arrangement entered"), default=False)
    reference = models.CharField(
        _("arrangement reference"),
        max_length=200,
        blank=True,
        help_text=_("The State Council notice the days were entered from, e.g. 国办发明电〔2026〕7号."),
    )
    source = models.CharField(_("seeded from"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("holiday calendar year")
        verbose_name_plural = _("holiday calendar years")
        constraints = [
            models.CheckConstraint(
                condition=Q(official=False) | (Q(confirmed_at__isnull=False) & ~Q(reference="")),
                name="calendar_year_official_confirmed",
            )
        ]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A date that differs from the plain week (Monday–Friday work): a weekday holiday or a
    weekend make-up working day."""

    calendar_year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    basis = models.CharField(
        _("basis"), max_length=12, choices=CalendarDayBasis.choices, default=CalendarDayBasis.ARRANGEMENT
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
