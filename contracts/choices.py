"""The contracts app's choices and the state machines built on them.

``contracts.models`` re-exports every name here, so ``from contracts.models import PlanStatus``
(models, migrations, callers) keeps working.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .schedules import ScheduleMethod


class ProductKind(models.TextChoices):
    INSTALLMENT_LOAN = "installment_loan", _("Installment loan")
    BNPL = "bnpl", _("Buy now, pay later")
    SERVICE_SUBSCRIPTION = "service_subscription", _("Service subscription with on-site service")


class CostRegime(models.TextChoices):
    """Which law measures a product's cost of credit (see ``contracts.cost_cap``)."""

    LICENSED_LENDER = "licensed_lender", _("Licensed lender (comprehensive annualised cost within 24%)")
    PRIVATE_LENDING = "private_lending", _("Private lending (four times the one-year LPR at signing)")
    US_STATE = "us_state", _("US product (state rate caps as data)")


class ScheduleMethodChoice(models.TextChoices):
    ANNUITY = ScheduleMethod.ANNUITY.value, _("Equal total payments (等额本息)")
    EQUAL_PRINCIPAL = ScheduleMethod.EQUAL_PRINCIPAL.value, _("Equal principal (等额本金)")
    BNPL = ScheduleMethod.BNPL.value, _("Pay in N equal parts, no interest")
    SUBSCRIPTION = ScheduleMethod.SUBSCRIPTION.value, _("Fixed periodic fee")


class LateFeeKind(models.TextChoices):
    NONE = "none", _("No late fee")
    FIXED = "fixed", _("Fixed amount")
    PERCENT = "percent", _("Percentage of the overdue installment")


class Component(models.TextChoices):
    FEE = "fee", _("Fees")
    PENALTY = "penalty", _("Penalty interest")
    INTEREST = "interest", _("Interest")
    PRINCIPAL = "principal", _("Principal")


class ContractStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    DELINQUENT = "delinquent", _("Overdue")
    CHARGED_OFF = "charged_off", _("Charged off")
    PAID_OFF = "paid_off", _("Paid off")


class ServiceState(models.TextChoices):
    ALLOWED = "allowed", _("Service available")
    NOTICE_GIVEN = "notice_given", _("Suspension notice given")
    SUSPENDED = "suspended", _("Service suspended")
    RESTORED = "restored", _("Service restored")


SERVICE_TRANSITIONS: dict[str, set[str]] = {
    ServiceState.ALLOWED: {ServiceState.NOTICE_GIVEN},
    ServiceState.NOTICE_GIVEN: {ServiceState.SUSPENDED, ServiceState.RESTORED},
    ServiceState.SUSPENDED: {ServiceState.RESTORED},
    ServiceState.RESTORED: {ServiceState.NOTICE_GIVEN},
}


class PaymentStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")


class ChargeKind(models.TextChoices):
    PENALTY = "penalty", _("Penalty interest")
    LATE_FEE = "late_fee", _("Late fee")


class AdjustmentKind(models.TextChoices):
    REVERSE_LATE_FEE = "reverse_late_fee", _("Late fee reversed (as if never charged)")
    WAIVE_PENALTY = "waive_penalty", _("Penalty interest waived")
    WAIVE_FEE = "waive_fee", _("Fee waived")
    WAIVE_INTEREST = "waive_interest", _("Interest waived")
    WRITE_DOWN_PRINCIPAL = "write_down_principal", _("Principal written down")


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    KEPT = "kept", _("Kept (completed)")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


PLAN_TRANSITIONS: dict[str, set[str]] = {
    PlanStatus.PROPOSED: {PlanStatus.ACTIVE, PlanStatus.CANCELLED, PlanStatus.REJECTED},
    PlanStatus.ACTIVE: {PlanStatus.KEPT, PlanStatus.BROKEN, PlanStatus.CANCELLED},
    PlanStatus.KEPT: set(),
    PlanStatus.BROKEN: set(),
    PlanStatus.CANCELLED: set(),
    PlanStatus.REJECTED: set(),
}


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


class HoldReason(models.TextChoices):
    DISPUTE = "dispute", _("Open dispute")
    HARDSHIP = "hardship", _("Hardship review")
    COMPLAINT = "complaint", _("Complaint under review")
    APPEAL = "appeal", _("Appeal under review")
    DECEASED = "deceased", _("Customer deceased")
    BANKRUPTCY = "bankruptcy", _("Bankruptcy")
    # 15 U.S.C. 1692g(b): a dispute or a request for the original creditor inside the
    # validation period stops collection until the verification (or the name) is mailed.
    VALIDATION_DISPUTE = "validation_dispute", _("Debt disputed in the validation period")
    ORIGINAL_CREDITOR = "original_creditor", _("Original creditor requested in the validation period")


class ItemizationBasis(models.TextChoices):
    """The itemization date of a validation notice (12 CFR 1006.34(b)(3)). Fairdue records no
    court judgments, so the judgment date is not offered."""

    LAST_STATEMENT = "last_statement", _("Last statement date (the last due date before the notice)")
    CHARGE_OFF = "charge_off", _("Charge-off date (the last statement date while not charged off)")
    LAST_PAYMENT = "last_payment", _("Last payment date (the start date before any payment)")
    TRANSACTION = "transaction", _("Transaction date (the contract's start date)")


class UsState(models.TextChoices):
    """The governing law of a US contract: the 50 states and the District of Columbia."""

    AL = "AL", _("Alabama")
    AK = "AK", _("Alaska")
    AZ = "AZ", _("Arizona")
    AR = "AR", _("Arkansas")
    CA = "CA", _("California")
    CO = "CO", _("Colorado")
    CT = "CT", _("Connecticut")
    DE = "DE", _("Delaware")
    DC = "DC", _("District of Columbia")
    FL = "FL", _("Florida")
    GA = "GA", _("Georgia")
    HI = "HI", _("Hawaii")
    ID = "ID", _("Idaho")
    IL = "IL", _("Illinois")
    IN = "IN", _("Indiana")
    IA = "IA", _("Iowa")
    KS = "KS", _("Kansas")
    KY = "KY", _("Kentucky")
    LA = "LA", _("Louisiana")
    ME = "ME", _("Maine")
    MD = "MD", _("Maryland")
    MA = "MA", _("Massachusetts")
    MI = "MI", _("Michigan")
    MN = "MN", _("Minnesota")
    MS = "MS", _("Mississippi")
    MO = "MO", _("Missouri")
    MT = "MT", _("Montana")
    NE = "NE", _("Nebraska")
    NV = "NV", _("Nevada")
    NH = "NH", _("New Hampshire")
    NJ = "NJ", _("New Jersey")
    NM = "NM", _("New Mexico")
    NY = "NY", _("New York")
    NC = "NC", _("North Carolina")
    ND = "ND", _("North Dakota")
    OH = "OH", _("Ohio")
    OK = "OK", _("Oklahoma")
    OR = "OR", _("Oregon")
    PA = "PA", _("Pennsylvania")
    RI = "RI", _("Rhode Island")
    SC = "SC", _("South Carolina")
    SD = "SD", _("South Dakota")
    TN = "TN", _("Tennessee")
    TX = "TX", _("Texas")
    UT = "UT", _("Utah")
    VT = "VT", _("Vermont")
    VA = "VA", _("Virginia")
    WA = "WA", _("Washington")
    WV = "WV", _("West Virginia")
    WI = "WI", _("Wisconsin")
    WY = "WY", _("Wyoming")


class DebtType(models.TextChoices):
    """The kind of obligation a limitation period is stated for."""

    WRITTEN_CONTRACT = "written_contract", _("Written contract")
    OPEN_ACCOUNT = "open_account", _("Open account")
    PROMISSORY_NOTE = "promissory_note", _("Promissory note")
