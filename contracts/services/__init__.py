"""Every write to contracts: one function per business action, each audited.

Ledger rules live in ``contracts.ledger`` (pure); ``contracts.ledger_store`` moves state
between the database and the engine. A service locks the contract rows it changes, brings
their charges up to the day before the event (so events land exactly where a daily sweep
would have put them), applies the event, saves, and writes its audit event.

One module per concern; every service is importable from ``contracts.services``. Reads the
services rely on (payoff amounts, plan previews, the sweep's id ranges) are selectors.
"""

from __future__ import annotations

from .adjustments import adjustment_apply
from .holds import hold_place, hold_release
from .limitation import (
    contract_governing_law_set,
    contract_time_barred_flag_set,
    legal_action_check,
    limitation_period_check,
    limitation_period_save,
)
from .payments import credit_refund, payment_post, payment_reverse
from .plans import plan_activate, plan_approve, plan_cancel, plan_propose, plan_reject
from .promises import promise_record
from .rates import lpr_seed
from .risk import risk_model_train, risk_scores_range
from .service_state import service_notice_give, service_restore, service_restore_if_cured, service_suspend
from .sweep import delinquency_sweep, delinquency_sweep_range
from .terms import contract_create, terms_publish

__all__ = [
    "adjustment_apply",
    "contract_create",
    "contract_governing_law_set",
    "contract_time_barred_flag_set",
    "credit_refund",
    "delinquency_sweep",
    "delinquency_sweep_range",
    "hold_place",
    "hold_release",
    "legal_action_check",
    "limitation_period_check",
    "limitation_period_save",
    "lpr_seed",
    "payment_post",
    "payment_reverse",
    "plan_activate",
    "plan_approve",
    "plan_cancel",
    "plan_propose",
    "plan_reject",
    "promise_record",
    "risk_model_train",
    "risk_scores_range",
    "service_notice_give",
    "service_restore",
    "service_restore_if_cured",
    "service_suspend",
    "terms_publish",
]
