"""The early-warning score: the nightly scoring of a range and the training of a model version.

A score is the probability that a contract reaches 30 days past due in the next cycle
(``contracts.risk.features``). Until a trained version beats the transparent rule score on
held-out history (and the history holds ``RISK_MODEL_MIN_SAMPLES`` samples with
``RISK_MODEL_MIN_POSITIVES`` that reached 30 days past due), the rule score is used.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core.errors import ConflictError

from ..codes import ContractsAction, ContractsError
from ..models_risk import ContractRiskScore, RiskMethod, RiskModelVersion
from ..risk.features import FEATURES, TARGET_DPD, features_on, history_load
from ..risk.model import as_probability, band_for, model_probability, risk_model_active
from ..risk.rules import rule_probability
from ..risk.training import NotEnoughHistory, dataset_build, fit_and_evaluate, report_text

logger = logging.getLogger(__name__)
WRITE_BATCH = 2000


@transaction.atomic
def risk_scores_range(
    *, business_date: dt.date, first_id: int, last_id: int, model: RiskModelVersion | bool | None = True
) -> int:
    """Score every open contract of the range as of ``business_date`` and replace its score
    row; contracts no longer scored (paid off, charged off) lose theirs. Contracts already 30
    or more days past due score 1. Set-based: five reads, one upsert per 2,000 rows, one
    delete, one audit event for the range. ``model``: True = the active version if any."""
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
    rows = []
    for i in scored.nonzero()[0]:
        value = 1.0 if snapshot.days_past_due[i] >= TARGET_DPD else float(probability[i])
        p = as_probability(value)
        rows.append(
            ContractRiskScore(
                contract_id=int(snapshot.contract_ids[i]),
                probability=p,
                band=band_for(p),
                method=method,
                model_version=version.version if version is not None else None,
                scored_on=business_date,
                factors={name: round(float(snapshot.matrix[i, j]), 4) for j, name in enumerate(FEATURES)},
            )
        )
    for start in range(0, len(rows), WRITE_BATCH):
        ContractRiskScore.objects.bulk_create(
            rows[start : start + WRITE_BATCH],
            update_conflicts=True,
            unique_fields=["contract"],
            update_fields=["probability", "band", "method", "model_version", "scored_on", "factors"],
        )
    # Every row still scored was written for this day just now: the others are no longer scored.
    removed = (
        ContractRiskScore.objects.filter(contract_id__gte=first_id, contract_id__lte=last_id)
        .exclude(scored_on=business_date)
        .delete()[0]
    )
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
