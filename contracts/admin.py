"""Admin for products, terms and a read-only view of the contract ledger.

The ledger (contracts, installments, payments, charges, plans, promises) changes only
through ``contracts.services``; here it can be looked at, and payments reversed through
``payment_reverse``. Terms versions are published through ``terms_publish`` and are
immutable afterwards.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from core.errors import ApplicationError
from core.forms import form_add_application_error

from . import cost_cap
from .codes import ContractsAction
from .models import (
    ChargeEntry,
    Contract,
    Installment,
    LimitationPeriod,
    LoanPrimeRate,
    Payment,
    PaymentStatus,
    Product,
    PromiseToPay,
    RepaymentPlan,
    StateRateCap,
    TermsVersion,
)
from .selectors import limitation_jurisdictions_missing
from .services import limitation_period_check, limitation_period_save, payment_reverse, terms_publish


class ReadOnlyAdminMixin:
    """Ledger rows are written by services only: no add, change or delete here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [str(name) for name in self.fields or ()]


# --- products and terms -------------------------------------------------------------------------
class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = [f.name for f in Product._meta.get_fields() if getattr(f, "editable", False) and not f.auto_created]

    def clean(self) -> dict[str, Any]:
        """The regime's cap today (24 %, four times today's one-year LPR, the lowest selected
        state cap): a product above it could not publish terms, so it is refused here already."""
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            basis = cost_cap.regime_cap(
                regime=data.get("cost_regime", ""),
                on=timezone.localdate(),
                state_caps=cost_cap.state_caps_snapshot(data.get("state_caps") or []),
            )
            cost_cap.check_within_regime(
                basis=basis,
                cost_cap=data.get("cost_cap_annual_rate") or Decimal("0"),
                annual_rate=data.get("annual_interest_rate"),
            )
        except ApplicationError as exc:
            form_add_application_error(self, exc)  # type: ignore[arg-type]  # a ModelForm is a form
        return data


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductForm
    list_display = (
        "code",
        "name",
        "name_en",
        "kind",
        "schedule_method",
        "annual_interest_rate",
        "grace_days",
        "is_active",
    )
    list_filter = ("kind", "schedule_method", "is_active")
    search_fields = ("code", "name", "name_en")
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "kind", "currency", "schedule_method", "is_active")}),
        (gettext_lazy("Pricing"), {"fields": ("annual_interest_rate", "min_term", "max_term")}),
        (
            gettext_lazy("Schedule conventions"),
            {
                "description": gettext_lazy(
                    "How installments are computed (see docs/SCHEDULES.md). Each convention is a term of the product: "
                    "copied into the terms versions published afterwards and shown to the customer."
                ),
                "fields": (
                    ("repayment_every", "repayment_unit"),
                    "day_count",
                    "rounding",
                    ("installment_multiple", "installment_rounding"),
                    "month_end_roll",
                    "grace_principal_periods",
                    "grace_interest_periods",
                    "interest_free_periods",
                ),
            },
        ),
        (gettext_lazy("Cost of credit"), {"fields": ("cost_regime", "cost_cap_annual_rate", "state_caps")}),
        (
            gettext_lazy("Overdue rules"),
            {
                "description": gettext_lazy(
                    "Changes apply to terms versions published afterwards; existing contracts keep the terms "
                    "their customers accepted."
                ),
                "fields": (
                    "grace_days",
                    "penalty_daily_rate",
                    "late_fee_kind",
                    "late_fee_value",
                    "late_fee_cap",
                    "allocation_order",
                    "suspension_notice_after_days",
                    "suspension_notice_days",
                    "charge_off_dpd",
                ),
            },
        ),
        (gettext_lazy("Repayment plans"), {"fields": ("plan_min_months", "plan_max_months", "plan_break_days")}),
        (
            gettext_lazy("US validation notices (Regulation F)"),
            {
                "fields": (
                    "itemization_basis",
                    "creditor_name",
                    "original_creditor_name",
                    "original_creditor_address",
                )
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Contracts, terms and audit events refer to products by code.
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Product, form: forms.ModelForm, change: bool) -> None:
        # The admin wraps this in a transaction, so the audit event commits with the change.
        super().save_model(request, obj, form, change)
        audit_record(
            action=ContractsAction.PRODUCT_CHANGED if change else ContractsAction.PRODUCT_CREATED,
            actor=request.user,  # type: ignore[arg-type]
            obj=obj,
            data={"code": obj.code, "fields": sorted(form.changed_data)},
        )


class _RateTableAdmin(admin.ModelAdmin):
    """Dated rate tables compliance keeps: rows are added and corrected (audited), never deleted,
    since contracts record the rate they were signed under."""

    created_action: ContractsAction
    changed_action: ContractsAction

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        # The admin wraps this in a transaction, so the audit event commits with the change.
        super().save_model(request, obj, form, change)
        audit_record(
            action=self.changed_action if change else self.created_action,
            actor=request.user,  # type: ignore[arg-type]
            obj=obj,
            data={"row": str(obj), "fields": sorted(form.changed_data)},
        )


@admin.register(LoanPrimeRate)
class LoanPrimeRateAdmin(_RateTableAdmin):
    list_display = ("tenor", "rate", "published_on", "effective_from")
    list_filter = ("tenor",)
    created_action = ContractsAction.LPR_RECORDED
    changed_action = ContractsAction.LPR_CHANGED


@admin.register(StateRateCap)
class StateRateCapAdmin(_RateTableAdmin):
    list_display = ("state", "description", "annual_rate", "effective_from", "source")
    list_filter = ("state",)
    search_fields = ("state", "description", "source")
    created_action = ContractsAction.STATE_CAP_RECORDED
    changed_action = ContractsAction.STATE_CAP_CHANGED


class TermsPublishForm(forms.ModelForm):
    class Meta:
        model = TermsVersion
        fields = ("product", "text_zh", "text_en")


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):
    """Adding publishes a new version (``terms_publish``); a published version never changes."""

    list_display = ("product", "version", "created_at", "content_hash")
    list_filter = ("product",)
    list_select_related = ("product",)
    search_fields = ("product__code", "product__name")
    readonly_fields = ("product", "version", "text_zh", "text_en", "parameters", "content_hash", "created_at")
    fields = readonly_fields

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = TermsPublishForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("product", "text_zh", "text_en") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: TermsVersion, form: forms.ModelForm, change: bool) -> None:
        if change:
            raise PermissionDenied
        version = terms_publish(
            actor=request.user,  # type: ignore[arg-type]
            product=form.cleaned_data["product"],
            text_zh=form.cleaned_data["text_zh"],
            text_en=form.cleaned_data["text_en"],
        )
        # The admin goes on to log and redirect to ``obj``: make it the published row.
        obj.__dict__.update({k: v for k, v in version.__dict__.items() if k != "_state"})
        obj._state.adding = False
        obj._state.db = version._state.db


# --- the ledger, read-only ----------------------------------------------------------------------
class InstallmentInline(ReadOnlyInline):
    model = Installment
    fields = (
        "seq",
        "due_date",
        "plan",
        "principal_due",
        "interest_due",
        "principal_paid",
        "interest_paid",
        "penalty_accrued",
        "penalty_paid",
        "fee_charged",
        "fee_paid",
        "settled_on",
        "superseded_on",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Installment]:
        return super().get_queryset(request).select_related("plan")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("received_at", "business_date", "channel", "external_reference", "amount", "status", "reversed_at")
    show_change_link = True


class ChargeInline(ReadOnlyInline):
    model = ChargeEntry
    fields = ("installment", "kind", "from_date", "to_date", "days", "base_amount", "rate", "amount", "capped")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ChargeEntry]:
        return super().get_queryset(request).select_related("installment")


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "customer__customer_number",
        "product",
        "status",
        "days_past_due",
        "bucket",
        "next_due_date",
        "principal_outstanding",
    )
    list_filter = ("status", "bucket", "product")
    list_select_related = ("customer", "product")
    search_fields = ("number", "customer__customer_number")
    inlines = [InstallmentInline, PaymentInline, ChargeInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Contract._meta.fields]


class ReverseActionForm(ActionForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Why the payments are reversed (e.g. the debit bounced)."),
    )


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "contract",
        "channel",
        "external_reference",
        "amount",
        "received_at",
        "business_date",
        "status",
    )
    list_filter = ("status", "channel")
    list_select_related = ("contract",)
    search_fields = ("external_reference", "contract__number")
    date_hierarchy = "business_date"
    action_form = ReverseActionForm
    actions = ["reverse_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Payment._meta.fields]

    def has_reverse_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("contracts.change_payment")

    @admin.action(description=gettext_lazy("Reverse selected payments"), permissions=["reverse"])
    def reverse_selected(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, _("Give a reason for the reversal."), messages.ERROR)
            return
        reversed_count = 0
        for payment_id in queryset.filter(status=PaymentStatus.POSTED).values_list("pk", flat=True):
            try:
                payment_reverse(actor=request.user, payment_id=payment_id, reason=reason)  # type: ignore[arg-type]
            except ApplicationError as exc:
                self.message_user(
                    request,
                    _("Payment %(id)s was not reversed: %(error)s") % {"id": payment_id, "error": exc.message},
                    messages.ERROR,
                )
            else:
                reversed_count += 1
        self.message_user(request, _("%(count)s payments reversed.") % {"count": reversed_count}, messages.SUCCESS)


@admin.register(RepaymentPlan)
class RepaymentPlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "contract", "status", "months", "first_due_date", "waiver_amount", "proposed_on")
    list_filter = ("status", "requires_approval")
    list_select_related = ("contract",)
    search_fields = ("contract__number",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in RepaymentPlan._meta.fields]


@admin.register(PromiseToPay)
class PromiseToPayAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "contract", "amount", "promised_date", "status", "paid_towards", "recorded_on")
    list_filter = ("status",)
    list_select_related = ("contract",)
    search_fields = ("contract__number",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in PromiseToPay._meta.fields]


# --- limitation periods (12 CFR 1006.26(b)) -----------------------------------------------------
class LimitationPeriodForm(forms.ModelForm):
    class Meta:
        model = LimitationPeriod
        fields = (
            "jurisdiction",
            "debt_type",
            "years",
            "revived_by_payment",
            "citation",
            "effective_from",
            "effective_to",
            "note",
        )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.errors:
            return cleaned
        candidate = LimitationPeriod(pk=self.instance.pk, **{name: cleaned.get(name) for name in self.Meta.fields})
        try:
            limitation_period_check(candidate)
        except ApplicationError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return cleaned


@admin.register(LimitationPeriod)
class LimitationPeriodAdmin(admin.ModelAdmin):
    """The dated table of limitation periods. Rows are closed with an end date, never deleted, so
    the period in force on any past day stays answerable; every change is audited."""

    form = LimitationPeriodForm
    list_display = (
        "jurisdiction",
        "debt_type",
        "years",
        "revived_by_payment",
        "citation",
        "effective_from",
        "effective_to",
        "updated_by",
        "updated_at",
    )
    list_filter = ("debt_type", "jurisdiction", "revived_by_payment")
    list_select_related = ("updated_by",)
    search_fields = ("jurisdiction", "citation", "note")
    readonly_fields = ("updated_by", "updated_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        missing = limitation_jurisdictions_missing(on_date=timezone.localdate())
        if missing:
            messages.warning(
                request,
                _(
                    "No limitation period for written contracts is in force today for: %(states)s. A debt governed "
                    "by one of them counts as time-barred only when staff mark it so."
                )
                % {"states": ", ".join(missing)},
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: LimitationPeriod, form: forms.ModelForm, change: bool) -> None:
        # The admin wraps this in a transaction, so the audit event commits with the change.
        limitation_period_save(actor=request.user, period=obj)  # type: ignore[arg-type]
