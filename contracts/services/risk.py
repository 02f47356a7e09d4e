"""The early-warning score: the nightly scoring of a range and the training of a model version.

A score is the probability that a contract reaches 30 days past due in the next cycle
(``contracts.risk.features``). Until a trained version beats the transparent rule score on
held-out history (and the history holds ``RISK_MODEL_MIN_SAMPLES`` samples with
``RISK_MODEL_MIN_POSITIVES`` that reached 30 days past due), the rule score is used.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core.errors import ConflictError

from ..codes import ContractsAction, ContractsError
from ..models_risk import ContractRiskScore, RiskMethod, RiskModelVersion
from ..risk.features import FEATURES, TARGET_DPD, features_on, history_load
from ..risk.model import band_for, model_probability, risk_model_active
from ..risk.rules import rule_probability
from ..risk.training import NotEnoughHistory, dataset_build, fit_and_evaluate, report_text

logger = logging.getLogger(__name__)
WRITE_BATCH = 2000


@dataclass(frozen=True)
class ScoreRow:
    contract_id: int
    probability: Decimal
    band: str
    method: str
    model_version: int | None
    factors: dict[str, float]


def _write_copy(rows: list[ScoreRow], *, business_date: dt.date, first_id: int, last_id: int) -> int:
    """PostgreSQL: stream the range's scores into a temporary table with COPY, then one upsert
    that writes only the rows whose score changed (an unchanged score keeps its row and its
    day), and one delete of the range's rows no longer scored."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS risk_score_tmp (contract_id bigint PRIMARY KEY, probability numeric(5, 4),"
            " band varchar(10), method varchar(10), model_version integer, factors jsonb) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE risk_score_tmp")
        with cursor.cursor.copy(
            "COPY risk_score_tmp (contract_id, probability, band, method, model_version, factors) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(
                    (row.contract_id, row.probability, row.band, row.method, row.model_version, json.dumps(row.factors))
                )
        cursor.execute(
            """
            INSERT INTO contracts_contractriskscore AS s
                   (contract_id, probability, band, method, model_version, scored_on, factors)
            SELECT contract_id, probability, band, method, model_version, %s, factors FROM risk_score_tmp
                ON CONFLICT (contract_id) DO UPDATE
               SET probability = EXCLUDED.probability, band = EXCLUDED.band, method = EXCLUDED.method,
                   model_version = EXCLUDED.model_version, scored_on = EXCLUDED.scored_on, factors = EXCLUDED.factors
             WHERE (s.probability, s.band, s.method, s.model_version)
                   IS DISTINCT FROM (EXCLUDED.probability, EXCLUDED.band, EXCLUDED.method, EXCLUDED.model_version)
            """,
            [business_date],
        )
        cursor.execute(
            """
            DELETE FROM contracts_contractriskscore s
             WHERE s.contract_id BETWEEN %s AND %s
               AND NOT EXISTS (SELECT 1 FROM risk_score_tmp t WHERE t.contract_id = s.contract_id)
            """,
            [first_id, last_id],
        )
        return int(cursor.rowcount)


def _write_orm(rows: list[ScoreRow], *, business_date: dt.date, first_id: int, last_id: int) -> int:
    """Elsewhere (SQLite): upsert every row in batches, then delete the rows not written now."""
    objs = [
        ContractRiskScore(
            contract_id=row.contract_id,
            probability=row.probability,
            band=row.band,
            method=row.method,
            model_version=row.model_version,
            scored_on=business_date,
            factors=row.factors,
        )
        for row in rows
    ]
    for start in range(0, len(objs), WRITE_BATCH):
        ContractRiskScore.objects.bulk_create(
            objs[start : start + WRITE_BATCH],
            update_conflicts=True,
            unique_fields=["contract"],
            update_fields=["probability", "band", "method", "model_version", "scored_on", "factors"],
        )
    return int(
        ContractRiskScore.objects.filter(contract_id__gte=first_id, contract_id__lte=last_id)
        .exclude(scored_on=business_date)
        .delete()[0]
    )


@transaction.atomic
def risk_scores_range(
    *, business_date: dt.date, first_id: int, last_id: int, model: RiskModelVersion | bool | None = True
) -> int:
    """Score every open contract of the range as of ``business_date`` and replace its score
    row; contracts no longer scored (paid off, charged off) lose theirs. Contracts already 30
    or more days past due score 1. Set-based: five reads, numpy, then on PostgreSQL one COPY, one
    upsert of the changed scores and one delete (elsewhere an upsert per 2,000 rows), and one
    audit event for the range. ``scored_on`` is the day the score in force was set (PostgreSQL
    leaves an unchanged score's row as it is). ``model``: True = the active version if any."""
    version = risk_model_active() if model is True else (model or None)
    history = history_load(first_id=first_id, last_id=last_id, since=business_date, through=business_date)
    snapshot = features_on(history, business_date)
    scored = snapshot.scored
    if version is not None:
        probability = model_probability(version, snapshot.matrix)
        method = RiskMethod.MODEL
    else:
        probability = rule_probability(snapshot.matrix)
        method = RiskMethod.RULE
    index = scored.nonzero()[0]
    values = np.where(snapshot.days_past_due[index] >= TARGET_DPD, 1.0, probability[index])
    values = np.round(np.clip(values, 0.0, 1.0), 4)
    factors = np.round(snapshot.matrix[index], 4)
    version_number = version.version if version is not None else None
    rows = [
        ScoreRow(
            contract_id=int(snapshot.contract_ids[i]),
            probability=Decimal(f"{value:.4f}"),
            band=band_for(value),
            method=method,
            model_version=version_number,
            factors=dict(zip(FEATURES, (float(v) for v in factor_row), strict=True)),
        )
        for i, value, factor_row in zip(index, values.tolist(), factors, strict=True)
    ]
    if connection.vendor == "postgresql":
        removed = _write_copy(rows, business_date=business_date, first_id=first_id, last_id=last_id)
    else:
        removed = _write_orm(rows, business_date=business_date, first_id=first_id, last_id=last_id)
    audit_record(
        action=ContractsAction.RISK_SCORED,
        actor=None,
        object_type="contracts.contractriskscore",
        system="nightly_batch",
        data={
            "business_date": business_date,
            "first_id": first_id,
            "last_id": last_id,
            "scored": len(rows),
            "removed": removed,
            "method": method,
            "model_version": version.version if version is not None else None,
        },
    )
    return len(rows)


def risk_model_train(
    *, actor: User | None, history_to: dt.date, step_days: int = 7, test_share: float = 0.25, seed: int = 20
) -> RiskModelVersion:
    """Train and evaluate a model version on the history up to ``history_to`` and record it
    with its report. It becomes the version in use only when it beats the rule score's AUC on
    the held-out contracts; otherwise it is kept for the record and the rule score (or the
    version in use) stays. Raises ``ConflictError`` ``risk_history_too_short`` (nothing is
    written) when the history is too short."""
    try:
        data = dataset_build(history_to=history_to, step_days=step_days, test_share=test_share)
        if data.samples < settings.RISK_MODEL_MIN_SAMPLES or data.positives < settings.RISK_MODEL_MIN_POSITIVES:
            raise NotEnoughHistory(data.samples, data.positives)
        evaluation = fit_and_evaluate(data, seed=seed)
    except NotEnoughHistory as short:
        raise ConflictError(
            code=ContractsError.RISK_HISTORY_TOO_SHORT,
            message=_(
                "Not enough history to train the early-warning model: %(samples)s samples, %(positives)s of which "
                "reached 30 days past due (at least %(min_samples)s and %(min_positives)s are needed). "
                "The rule score stays in use."
            )
            % {
                "samples": short.samples,
                "positives": short.positives,
                "min_samples": settings.RISK_MODEL_MIN_SAMPLES,
                "min_positives": settings.RISK_MODEL_MIN_POSITIVES,
            },
        ) from short
    return _record(actor=actor, data=data, evaluation=evaluation)


@transaction.atomic
def _record(*, actor: User | None, data: Any, evaluation: Any) -> RiskModelVersion:
    last = RiskModelVersion.objects.select_for_update().order_by("-version").first()
    number = (last.version if last else 0) + 1
    beats_rule = evaluation.auc_model > evaluation.auc_rule
    trained_at = timezone.now()
    report = report_text(version=number, data=data, evaluation=evaluation, active=beats_rule, trained_at=trained_at)
    if beats_rule:
        RiskModelVersion.objects.filter(is_active=True).update(is_active=False)
    version = RiskModelVersion.objects.create(
        version=number,
        trained_at=trained_at,
        trained_by=actor,
        history_from=data.history_from,
        history_to=data.history_to,
        features=list(FEATURES),
        means=evaluation.means,
        scales=evaluation.scales,
        coefficients=evaluation.coefficients,
        intercept=evaluation.intercept,
        samples=data.samples,
        positives=data.positives,
        test_samples=evaluation.test_samples,
        auc_model=evaluation.auc_model,
        auc_rule=evaluation.auc_rule,
        brier_model=evaluation.brier_model,
        calibration=evaluation.calibration,
        report=report,
        is_active=beats_rule,
    )
    audit_record(
        action=ContractsAction.RISK_MODEL_TRAINED,
        actor=actor,
        obj=version,
        system="risk_model_train",
        data={
            "version": number,
            "samples": data.samples,
            "positives": data.positives,
            "auc_model": round(evaluation.auc_model, 4),
            "auc_rule": round(evaluation.auc_rule, 4),
            "active": beats_rule,
        },
    )
    logger.info("risk model v%d: AUC %.4f (rule %.4f)", number, evaluation.auc_model, evaluation.auc_rule)
    return version
