"""Every write to contracts: one function per business action, each audited.

Ledger rules live in ``contracts.ledger`` (pure); ``contracts.ledger_store`` moves state
between the database and the engine. A service locks the contract rows it changes, brings
their charges up to the day before the event (so events land exactly where a daily sweep
would have put them), applies the event, saves, and writes its audit event.
"""

from ..selectors import plan_preview  # a read, kept importable from here for callers
from .adjustments import ADJUSTMENT_COMPONENT, adjustment_apply
from .common import SWEEP_RANGE_SIZE, TERMS_PARAMETER_FIELDS, ZERO, payoff_amount
from .holds import hold_place, hold_release
from .payments import credit_refund, payment_post, payment_reverse
from .plans import plan_activate, plan_approve, plan_cancel, plan_propose, plan_reject, promise_record
from .service_state import service_notice_give, service_restore, service_restore_if_cured, service_suspend
from .sweep import delinquency_sweep, delinquency_sweep_range, sweep_ranges
from .terms import contract_create, terms_publish

__all__ = [
    "ADJUSTMENT_COMPONENT",
    "SWEEP_RANGE_SIZE",
    "TERMS_PARAMETER_FIELDS",
    "ZERO",
    "adjustment_apply",
    "contract_create",
    "credit_refund",
    "delinquency_sweep",
    "delinquency_sweep_range",
    "hold_place",
    "hold_release",
    "payment_post",
    "payment_reverse",
    "payoff_amount",
    "plan_activate",
    "plan_approve",
    "plan_cancel",
    "plan_preview",
    "plan_propose",
    "plan_reject",
    "promise_record",
    "service_notice_give",
    "service_restore",
    "service_restore_if_cured",
    "service_suspend",
    "sweep_ranges",
    "terms_publish",
]
