"""The nightly sweep on PostgreSQL: one business day for a block of contracts as a handful of
set-based statements, with the same rules as the ledger engine (``contracts.ledger``).

The engine stays the reference: ``tests/contracts/test_sweep_equality.py`` requires the two to
give identical ledgers, charges and transitions. A night here needs no event handling, because
payments, reversals, waivers and plan activations are applied by their services as they happen
(each brings the contract's charges up to the day before, then posts the event). What is left
for the night is what ``ledger.close_day`` does on a day without events:

- principal-days (every contract that still owes principal) and each overdue installment's
  overdue amount-days (its principal and interest outstanding after its due date);
- the late fee of each installment whose grace period ended the day before, once;
- penalty interest per overdue installment on its overdue principal, rounded once per run of
  days with the same base and rate (each day adds round(b·r·d) − round(b·r·(d−1)));
- both limited, in the engine's order (the late fee first, then penalty), by the room under the
  installment's own cost cap (overdue amount-days × cap / 365 less what its lateness was charged);
- days past due, bucket, status and the dated transition.

The one part of ``close_day`` not done here is applying a credit balance (to amounts falling
due, or settling early what is not yet due once it covers all principal, fees and penalty):
contracts holding credit or owing no principal take the engine path (``ledger_store``), as
do contracts with no open installment left. Rows whose state does not change are not written.

Everything runs inside the caller's transaction; each day's rows are locked first
(``FOR UPDATE``), so a payment posted meanwhile either lands before (and the contract is
skipped, its ``accrued_through`` having moved) or waits for the sweep.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection

from .ledger_store import DEFAULT_BUCKETS
from .webhook_events import transitions_emit

# Outstanding amount of one installment row ``i``, component by component.
_OP = "(i.principal_due - i.principal_paid - i.principal_waived)"
_OI = "(i.interest_due - i.interest_paid - i.interest_waived)"
_OPEN = (
    f"({_OP} + {_OI} + (i.penalty_accrued - i.penalty_paid - i.penalty_waived)"
    " + (i.fee_charged - i.fee_paid - i.fee_waived))"
)


def available() -> bool:
    """The set-based path runs on PostgreSQL (the embedded SQLite default uses the engine)."""
    return connection.vendor == "postgresql" and getattr(settings, "SWEEP_SET_BASED", True)


def _bucket_case(column: str) -> tuple[str, list[Any]]:
    """``CASE`` giving the bucket label of a days-past-due column, from the configured buckets."""
    buckets: Sequence[tuple[str, int, int | None]] = getattr(settings, "DELINQUENCY_BUCKETS", DEFAULT_BUCKETS)
    parts: list[str] = []
    params: list[Any] = []
    for label, low, high in buckets:
        if high is None:
            parts.append(f"WHEN {column} >= %s THEN %s")
            params += [low, label]
        else:
            parts.append(f"WHEN {column} BETWEEN %s AND %s THEN %s")
            params += [low, high, label]
    return "CASE " + " ".join(parts) + " ELSE %s END", [*params, "M5+"]


# Below this many rows the planner's estimate for an unanalysed temporary table is good enough,
# and ANALYZE (a catalog write) would cost more than the statements it plans: a catch-up of one
# contract over many days, as a payment posted late replays, fills every table with a few rows.
ANALYZE_MIN_ROWS = 1000


def _temp(cursor: Any, name: str, select: str, params: Sequence[Any] | dict[str, Any]) -> int:
    """Fill a temporary table from a query and analyse it; returns its row count.

    The table is created once per transaction and emptied for each use, so a catch-up over
    many days does not pile up relations (and their locks) in one transaction. The three
    statements go in one round trip (the values are bound on the client, so a text may hold
    several statements); the cursor then steps to the INSERT's result for its row count.
    """
    both = {**params} if isinstance(params, dict) else [*params, *params]
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {name} ON COMMIT DROP AS {select} WITH NO DATA; "
        f"TRUNCATE {name}; INSERT INTO {name} {select}",
        both,
    )
    cursor.nextset()
    cursor.nextset()
    count = int(cursor.rowcount)
    if count >= ANALYZE_MIN_ROWS:
        cursor.execute(f"ANALYZE {name}")
    return count


def quiet_jump(*, first_id: int, last_id: int, through: dt.date) -> int:
    """Close every missed day up to ``through`` for contracts on which nothing can happen.

    A current contract without credit, still owing principal, not on a plan, whose next open
    installment falls due
    on ``through`` or later has nothing overdue on any of those days: each day only adds its
    principal outstanding to the principal-days. One statement for any number of days.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE contracts_contract c
               SET principal_days = c.principal_days
                                    + c.principal_outstanding * (%(through)s::date - c.accrued_through),
                   accrued_through = %(through)s
             WHERE c.id BETWEEN %(first)s AND %(last)s
               AND c.accrued_through < %(through)s
               AND c.status = 'current' AND c.credit_balance = 0 AND c.principal_outstanding > 0
               AND c.next_due_date >= %(through)s
               AND NOT EXISTS (SELECT 1 FROM contracts_repaymentplan p
                                WHERE p.contract_id = c.id AND p.status = 'active')
            """,
            {"first": first_id, "last": last_id, "through": through},
        )
        return int(cursor.rowcount)


def charged_off_jump(*, first_id: int, last_id: int, through: dt.date) -> int:
    """Charged-off contracts accrue nothing more: only the calendar and days past due move."""
    bucket, bucket_params = _bucket_case("f.dpd")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE contracts_contract c
               SET accrued_through = %s, days_past_due = f.dpd, bucket = {bucket}
              FROM (SELECT c2.id, coalesce(%s::date - min(i.due_date), 0) AS dpd
                      FROM contracts_contract c2
                      LEFT JOIN contracts_installment i
                        ON i.contract_id = c2.id AND i.superseded_on IS NULL AND i.due_date < %s AND {_OPEN} > 0
                     WHERE c2.id BETWEEN %s AND %s AND c2.status = 'charged_off' AND c2.accrued_through < %s
                     GROUP BY c2.id) f
             WHERE c.id = f.id
            """,
            [through, *bucket_params, through, through, first_id, last_id, through],
        )
        return int(cursor.rowcount)


def close_day(*, first_id: int, last_id: int, day: dt.date) -> int:
    """Close ``day`` for the contracts of the block still at the day before; returns how many."""
    prev = day - dt.timedelta(days=1)
    p = {"first": first_id, "last": last_id, "day": day, "prev": prev}
    with connection.cursor() as cursor:
        # 1. The contracts closed today, locked.
        contracts = _temp(
            cursor,
            "sw_c",
            """
            WITH locked AS (
              SELECT c.id, c.status, c.principal_days + c.principal_outstanding AS principal_days,
                     c.cost_cap_annual_rate, c.grace_days, c.penalty_daily_rate, c.late_fee_kind,
                     c.late_fee_value, c.late_fee_cap, c.charge_off_dpd, c.delinquency_episode
                FROM contracts_contract c
               WHERE c.id BETWEEN %(first)s AND %(last)s AND c.accrued_through = %(prev)s
                 AND c.status IN ('current', 'delinquent') AND c.credit_balance = 0
                 AND c.principal_outstanding > 0 AND c.next_due_date IS NOT NULL
               ORDER BY c.id
                 FOR UPDATE OF c)
            SELECT * FROM locked
            """,
            p,
        )
        if not contracts:
            return 0
        # 2. Their open installments already due (what is overdue, within grace or beyond), with
        #    tonight's overdue amount-days.
        _temp(
            cursor,
            "sw_i",
            f"""
            SELECT i.id, i.contract_id, i.due_date, i.seq, {_OP} AS op, {_OI} AS oi, i.late_fee_assessed,
                   (i.due_date + c.grace_days < %(day)s) AS chargeable,
                   i.overdue_amount_days + {_OP} + {_OI} AS oad, i.late_charges
              FROM contracts_installment i JOIN sw_c c ON c.id = i.contract_id
             WHERE i.contract_id BETWEEN %(first)s AND %(last)s
               AND i.superseded_on IS NULL AND i.due_date < %(day)s AND {_OPEN} > 0
            """,
            p,
        )
        # 3. What tonight would charge, in the engine's order: late fees, then penalty interest
        #    (extending the run of the installment's last penalty entry when it ended yesterday on
        #    the same base and rate), granted within each installment's room; then written.
        _temp(
            cursor,
            "sw_l",
            """
            SELECT DISTINCT ON (e.installment_id) e.id, e.installment_id, e.to_date, e.base_amount, e.rate, e.days
              FROM contracts_chargeentry e
             WHERE e.contract_id BETWEEN %(first)s AND %(last)s
               AND e.kind = 'penalty' AND e.installment_id IN (SELECT id FROM sw_i WHERE chargeable AND op > 0)
             ORDER BY e.installment_id, e.to_date DESC, e.id DESC
            """,
            p,
        )
        requests = _temp(
            cursor,
            "sw_r",
            """
            SELECT i.id, i.contract_id, 0 AS phase, i.due_date, i.seq,
                   CASE WHEN EXISTS (SELECT 1 FROM contracts_adjustment a
                                      WHERE a.installment_id = i.id AND a.kind = 'reverse_late_fee') THEN 0
                        WHEN c.late_fee_kind = 'fixed' THEN least(round(c.late_fee_value, 2), c.late_fee_cap)
                        WHEN c.late_fee_kind = 'percent'
                             THEN least(round((i.op + i.oi) * c.late_fee_value, 2), c.late_fee_cap)
                        ELSE 0 END AS req,
                   c.late_fee_value AS rate, false AS ext
              FROM sw_i i JOIN sw_c c ON c.id = i.contract_id
             WHERE i.chargeable AND NOT i.late_fee_assessed
            UNION ALL
            SELECT i.id, i.contract_id, 1, i.due_date, i.seq,
                   CASE WHEN l.to_date = %(prev)s AND l.base_amount = i.op AND l.rate = c.penalty_daily_rate
                        THEN round(i.op * c.penalty_daily_rate * (l.days + 1), 2)
                             - round(i.op * c.penalty_daily_rate * l.days, 2)
                        ELSE round(i.op * c.penalty_daily_rate, 2) END,
                   c.penalty_daily_rate,
                   coalesce(l.to_date = %(prev)s AND l.base_amount = i.op AND l.rate = c.penalty_daily_rate, false)
              FROM sw_i i JOIN sw_c c ON c.id = i.contract_id LEFT JOIN sw_l l ON l.installment_id = i.id
             WHERE i.chargeable AND i.op > 0 AND c.penalty_daily_rate > 0
            """,
            p,
        )
        _charge(cursor, p, requests)
        # 4. Days past due, bucket, status; the transition where the status changes.
        bucket, bucket_params = _bucket_case("s.dpd")
        _temp(
            cursor,
            "sw_s",
            """
            SELECT c.id, c.status AS before, c.delinquency_episode, c.principal_days,
                   coalesce(%(day)s::date - min(i.due_date), 0) AS dpd,
                   CASE WHEN coalesce(%(day)s::date - min(i.due_date), 0) >= c.charge_off_dpd THEN 'charged_off'
                        WHEN min(i.due_date) IS NOT NULL THEN 'delinquent'
                        ELSE 'current' END AS after
              FROM sw_c c LEFT JOIN sw_i i ON i.contract_id = c.id
             GROUP BY c.id, c.status, c.delinquency_episode, c.principal_days, c.charge_off_dpd
            """,
            p,
        )
        cursor.execute(
            f"""
            UPDATE contracts_contract c
               SET principal_days = s.principal_days, accrued_through = %s, days_past_due = s.dpd,
                   bucket = {bucket}, status = s.after,
                   delinquency_episode = CASE WHEN s.after = 'delinquent' AND s.before = 'current'
                                              THEN s.delinquency_episode + 1 ELSE s.delinquency_episode END,
                   delinquent_since = CASE WHEN s.after = 'delinquent' AND s.before = 'current'
                                           THEN %s::date - (s.dpd - 1)
                                           WHEN s.after = 'current' AND s.before <> 'current' THEN NULL
                                           ELSE c.delinquent_since END
              FROM sw_s s
             WHERE c.id = s.id AND c.id BETWEEN %s AND %s
            """,
            [day, *bucket_params, day, first_id, last_id],
        )
        cursor.execute(
            """
            INSERT INTO contracts_delinquencytransition
                   (contract_id, on_date, from_status, to_status, event, days_past_due, episode)
            SELECT s.id, %s, s.before, s.after,
                   CASE WHEN s.after = 'delinquent' AND s.before = 'current' THEN 'became_delinquent'
                        WHEN s.after = 'current' THEN 'cured'
                        WHEN s.after = 'charged_off' THEN 'charged_off'
                        ELSE 'paid_off' END,
                   s.dpd,
                   CASE WHEN s.after = 'delinquent' AND s.before = 'current'
                        THEN s.delinquency_episode + 1 ELSE s.delinquency_episode END
              FROM sw_s s
             WHERE s.after <> s.before
             ORDER BY s.id
                ON CONFLICT (contract_id, on_date, event) DO NOTHING
            RETURNING contract_id, on_date, event, days_past_due, episode
            """,
            [day],
        )
        transitions_emit(cursor.fetchall())
    return contracts


def _charge(cursor: Any, p: dict[str, Any], requests: int) -> None:
    """Grant tonight's requests within each installment's room under its cost cap, then write
    the installments that change (every overdue one gains amount-days) and the charge entries
    (a day of penalty on an unchanged base and rate extends the entry that ended yesterday)."""
    # Granted = what is left of the installment's room after its earlier request (the late fee
    # comes before penalty), never below zero. The room: its overdue amount-days × cap / 365,
    # truncated to the cent, less what its lateness has been charged so far.
    _temp(
        cursor,
        "sw_g",
        """
        SELECT r.id, r.contract_id, r.phase, r.due_date, r.seq, r.req, r.rate, r.ext, i.op, i.oad,
               greatest(0, least(r.req, trunc(c.cost_cap_annual_rate * i.oad / 365, 2) - i.late_charges
                   - coalesce(sum(r.req) OVER (
                       PARTITION BY r.id ORDER BY r.phase ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)))
                 AS granted
          FROM sw_r r JOIN sw_i i ON i.id = r.id JOIN sw_c c ON c.id = r.contract_id
        """,
        p,
    )
    cursor.execute(
        """
        UPDATE contracts_installment i
           SET overdue_amount_days = s.oad,
               penalty_accrued = i.penalty_accrued + coalesce(g.penalty, 0),
               fee_charged = i.fee_charged + coalesce(g.fee, 0),
               late_charges = i.late_charges + coalesce(g.penalty, 0) + coalesce(g.fee, 0),
               late_fee_assessed = i.late_fee_assessed OR coalesce(g.assessed, false)
          FROM sw_i s
          LEFT JOIN (SELECT id, sum(CASE WHEN phase = 1 THEN granted ELSE 0 END) AS penalty,
                            sum(CASE WHEN phase = 0 THEN granted ELSE 0 END) AS fee, bool_or(phase = 0) AS assessed
                       FROM sw_g GROUP BY id) g ON g.id = s.id
         WHERE i.id = s.id AND i.contract_id BETWEEN %(first)s AND %(last)s
           AND (s.op + s.oi > 0 OR g.penalty > 0 OR g.fee > 0 OR (g.assessed AND NOT i.late_fee_assessed))
        """,
        p,
    )
    if not requests:
        return
    cursor.execute(
        """
        UPDATE contracts_chargeentry e
           SET to_date = %(day)s, days = e.days + 1, amount = e.amount + g.granted,
               capped = e.capped OR g.granted < g.req, cap_amount_days = g.oad
          FROM sw_l l JOIN sw_g g ON g.id = l.installment_id AND g.phase = 1
         WHERE e.id = l.id AND e.contract_id BETWEEN %(first)s AND %(last)s AND g.ext
        """,
        p,
    )
    cursor.execute(
        """
        INSERT INTO contracts_chargeentry
               (contract_id, installment_id, kind, from_date, to_date, days, base_amount, rate, amount, capped,
                cap_amount_days)
        SELECT g.contract_id, g.id, CASE g.phase WHEN 0 THEN 'late_fee' ELSE 'penalty' END, %(day)s, %(day)s, 1,
               CASE g.phase WHEN 0 THEN g.req ELSE g.op END, g.rate, g.granted, g.granted < g.req, g.oad
          FROM sw_g g
         WHERE (g.phase = 0 AND g.req > 0) OR (g.phase = 1 AND NOT g.ext)
         ORDER BY g.contract_id, g.phase, g.due_date, g.seq, g.id
        """,
        p,
    )
