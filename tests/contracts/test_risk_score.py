"""The early-warning score: features reconstructed from the ledger's history, the rule score,
the model trained and evaluated on generated history, and the nightly scoring of a range."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from contracts.models import ContractRiskScore, Installment, RiskMethod, RiskModelVersion
from contracts.risk.features import FEATURES, features_on, history_load, outcome_after
from contracts.risk.rules import rule_probability
from contracts.services import risk_model_train, risk_scores_range
from core.errors import ConflictError
from tests.contracts.factories import make_contract
from tests.contracts.ledger_helpers import pay, sweep_days
from tests.contracts.risk_history import generate_history

pytestmark = pytest.mark.django_db

START = dt.date(2025, 1, 1)
TODAY = dt.date(2026, 6, 30)


def _row(snapshot, contract_id: int) -> dict[str, float]:
    i = int(np.searchsorted(snapshot.contract_ids, contract_id))
    return dict(zip(FEATURES, snapshot.matrix[i].tolist(), strict=True))


def test_features_of_one_contract_match_its_history() -> None:
    # 12 × about 916.80 from 2026-02-01; the first installment is paid 12 days late, the
    # second is still open on 2026-03-11 (10 days past due).
    contract = make_contract(start_date=dt.date(2026, 1, 1), term=12)
    first = Installment.objects.get(contract=contract, seq=1)
    sweep_days(contract, dt.date(2026, 1, 1), dt.date(2026, 2, 12))
    pay(contract, first.principal_due + first.interest_due + Decimal("60.00"), dt.date(2026, 2, 13))
    sweep_days(contract, dt.date(2026, 2, 13), dt.date(2026, 3, 11))
    contract.refresh_from_db()
    assert contract.days_past_due == 10

    history = history_load(
        first_id=contract.pk, last_id=contract.pk, since=dt.date(2026, 3, 11), through=dt.date(2026, 3, 11)
    )
    snapshot = features_on(history, dt.date(2026, 3, 11))
    row = _row(snapshot, contract.pk)
    assert snapshot.scored.tolist() == [True]
    assert row["days_past_due"] == 10 == contract.days_past_due  # the sweep's own figure
    assert row["overdue_installments"] == 1
    assert row["late_installments_180"] == 2  # paid late, and the open one
    assert row["max_days_late_180"] == 12
    assert row["days_since_payment"] == 26  # 2026-02-13 → 2026-03-11
    assert row["episodes_365"] == 2  # overdue from 2026-02-02, cured 2026-02-13; again from 2026-03-02
    # The rule score of that row: 35 (8–14 days) + 16 (two late) + 2 = 0.53 (ratio ≥ 0.5, paid 26 days ago).
    assert rule_probability(snapshot.matrix).tolist() == [pytest.approx(0.53)]


def test_outcome_is_30_days_past_due_within_the_next_cycle() -> None:
    contract = make_contract(start_date=dt.date(2026, 1, 1), term=12)
    sweep_days(contract, dt.date(2026, 1, 1), dt.date(2026, 3, 5))
    history = history_load(
        first_id=contract.pk, last_id=contract.pk, since=dt.date(2026, 1, 15), through=dt.date(2026, 3, 5)
    )
    # On 2026-01-15 the installment due 2026-02-01 falls due within 30 days and reaches 30 days
    # past due on 2026-03-03 unpaid: the outcome is 1. Before 2026-01-02 nothing is due within a cycle.
    assert outcome_after(history, dt.date(2026, 1, 15)).tolist() == [1]
    assert outcome_after(history, dt.date(2025, 12, 31)).tolist() == [0]


@pytest.fixture
def generated(settings, tmp_path):
    settings.RISK_MODEL_MIN_SAMPLES = 500
    settings.RISK_MODEL_MIN_POSITIVES = 30
    settings.RISK_MODEL_REPORT_DIR = tmp_path
    return generate_history(contracts=300, start=START, today=TODAY)


def test_the_model_beats_the_rule_score_on_held_out_history(generated, tmp_path) -> None:
    call_command("risk_model_train", history_to=TODAY.isoformat())
    version = RiskModelVersion.objects.get()
    assert version.samples >= 500 and version.positives >= 30 and version.test_samples > 0
    assert 0.5 < version.auc_rule < version.auc_model <= 1.0
    assert version.is_active
    assert f"AUC, model (held out): {version.auc_model:.4f}" in version.report
    assert f"AUC, rule score (held out): {version.auc_rule:.4f}" in version.report
    assert len(version.calibration) >= 5
    assert all(0 <= row["observed"] <= 1 for row in version.calibration)
    assert sum(row["samples"] for row in version.calibration) == version.test_samples
    assert (tmp_path / "risk_model_v1.md").read_text(encoding="utf-8") == version.report
    assert AuditEvent.objects.filter(action="risk_model.trained", object_id=str(version.pk)).exists()

    # The nightly scoring now uses the model.
    ids = sorted(generated)
    scored = risk_scores_range(business_date=TODAY, first_id=ids[0], last_id=ids[-1])
    assert scored == ContractRiskScore.objects.count() > 0
    assert set(ContractRiskScore.objects.values_list("method", "model_version").distinct()) == {(RiskMethod.MODEL, 1)}


def test_too_short_a_history_keeps_the_rule_score(settings) -> None:
    settings.RISK_MODEL_MIN_SAMPLES = 500
    generate_history(contracts=5, start=START, today=TODAY)
    with pytest.raises(ConflictError) as refused:
        risk_model_train(actor=None, history_to=TODAY)
    assert refused.value.code == "risk_history_too_short"
    with pytest.raises(CommandError, match="500"):  # the message names the samples needed
        call_command("risk_model_train", history_to=TODAY.isoformat())
    assert not RiskModelVersion.objects.exists()


def test_nightly_scoring_with_the_rule_score(django_assert_max_num_queries) -> None:
    late = make_contract(start_date=dt.date(2026, 1, 1), term=3)
    on_time = make_contract(start_date=dt.date(2026, 1, 1), term=3)
    for contract in (late, on_time):
        sweep_days(contract, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    for inst in Installment.objects.filter(contract=on_time).order_by("seq")[:1]:
        pay(on_time, inst.principal_due + inst.interest_due, dt.date(2026, 2, 1))
    for contract in (late, on_time):
        sweep_days(contract, dt.date(2026, 2, 1), dt.date(2026, 3, 5))
    first, last = min(late.pk, on_time.pk), max(late.pk, on_time.pk)
    # A fixed number whatever the range: model, five reads, the writes (PostgreSQL: temporary
    # table, COPY, upsert, delete), the audit event and the savepoint.
    with django_assert_max_num_queries(14):
        assert risk_scores_range(business_date=dt.date(2026, 3, 5), first_id=first, last_id=last) == 2
    scores = {s.contract_id: s for s in ContractRiskScore.objects.all()}
    assert scores[late.pk].probability == Decimal("1.0000")  # 32 days past due: already there
    assert scores[late.pk].band == "high"
    assert scores[on_time.pk].method == RiskMethod.RULE and scores[on_time.pk].model_version is None
    assert scores[on_time.pk].probability < Decimal("1")
    assert scores[on_time.pk].factors["days_past_due"] == 4  # 2026-03-01 unpaid
    assert AuditEvent.objects.filter(action="risk.scored").count() == 1
