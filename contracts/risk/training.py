"""Training and evaluating the early-warning model on the portfolio's own history.

Samples: every contract scored on each observation day (every ``step_days`` from the first
contract's start until 60 days before the end of the history, so each outcome is known), with
its features as of that day and whether it reached 30 days past due in the next cycle.
Split: by contract (a contract's days are all in training or all held out, about
``test_share`` of the contracts by a hash of the id), so the held-out AUC is not flattered
by a contract's neighbouring days. Model: standardised features, L2 logistic regression
(scikit-learn). Evaluated on the held-out contracts next to the rule score: ROC AUC of both,
the model's Brier score and its calibration by deciles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..models import Contract
from .features import FEATURES, HORIZON_DAYS, TARGET_DPD, features_on, history_load, outcome_after, transform
from .rules import rule_probability

OUTCOME_DAYS = TARGET_DPD + HORIZON_DAYS  # an outcome is known this many days after the day


class NotEnoughHistory(Exception):
    def __init__(self, samples: int, positives: int) -> None:
        super().__init__(f"{samples} samples, {positives} positives")
        self.samples = samples
        self.positives = positives


@dataclass
class Dataset:
    matrix: np.ndarray[Any, Any]
    outcome: np.ndarray[Any, Any]
    held_out: np.ndarray[Any, Any]
    history_from: dt.date
    history_to: dt.date

    @property
    def samples(self) -> int:
        return int(self.outcome.size)

    @property
    def positives(self) -> int:
        return int(self.outcome.sum())


@dataclass
class Evaluation:
    means: list[float]
    scales: list[float]
    coefficients: list[float]
    intercept: float
    auc_model: float
    auc_rule: float
    brier_model: float
    test_samples: int
    calibration: list[dict[str, float]] = field(default_factory=list)


def held_out_contract(contract_ids: np.ndarray[Any, Any], test_share: float) -> np.ndarray[Any, Any]:
    # A fixed multiplicative hash of the id: the same contracts are held out on every run.
    buckets = (contract_ids.astype(np.uint64) * np.uint64(2654435761)) % np.uint64(1000)
    return buckets < np.uint64(int(test_share * 1000))


def dataset_build(
    *, history_to: dt.date, step_days: int = 7, test_share: float = 0.25, range_size: int = 10000
) -> Dataset:
    """Samples of every contract id range (one history read per range)."""
    first = Contract.objects.order_by("start_date").values_list("start_date", flat=True).first()
    last_day = history_to - dt.timedelta(days=OUTCOME_DAYS)
    if first is None or last_day < first:
        raise NotEnoughHistory(0, 0)
    days = []
    day = first + dt.timedelta(days=step_days)
    while day <= last_day:
        days.append(day)
        day += dt.timedelta(days=step_days)
    ids = list(Contract.objects.order_by("pk").values_list("pk", flat=True))
    matrices: list[np.ndarray[Any, Any]] = []
    outcomes: list[np.ndarray[Any, Any]] = []
    held: list[np.ndarray[Any, Any]] = []
    for start in range(0, len(ids), range_size):
        chunk = ids[start : start + range_size]
        history = history_load(
            first_id=chunk[0], last_id=chunk[-1], since=days[0] if days else first, through=history_to
        )
        test = held_out_contract(history.contract_ids, test_share)
        for on in days:
            snapshot = features_on(history, on)
            # Contracts already 30 days past due are not asked about: they are there.
            mask = snapshot.scored & (snapshot.days_past_due < TARGET_DPD)
            if not mask.any():
                continue
            matrices.append(snapshot.matrix[mask])
            outcomes.append(outcome_after(history, on)[mask])
            held.append(test[mask])
    if not matrices:
        raise NotEnoughHistory(0, 0)
    return Dataset(
        matrix=np.vstack(matrices),
        outcome=np.concatenate(outcomes),
        held_out=np.concatenate(held),
        history_from=first,
        history_to=history_to,
    )


def fit_and_evaluate(data: Dataset, *, seed: int = 20) -> Evaluation:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import brier_score_loss, roc_auc_score
    from sklearn.preprocessing import StandardScaler

    train, test = ~data.held_out, data.held_out
    y_train, y_test = data.outcome[train], data.outcome[test]
    if len(set(y_train.tolist())) < 2 or len(set(y_test.tolist())) < 2:
        raise NotEnoughHistory(data.samples, data.positives)
    x = transform(data.matrix)
    scaler = StandardScaler().fit(x[train])
    model = LogisticRegression(C=1.0, max_iter=2000, random_state=seed)
    model.fit(scaler.transform(x[train]), y_train)
    p_model = model.predict_proba(scaler.transform(x[test]))[:, 1]
    p_rule = rule_probability(data.matrix[test])
    calibration = calibration_table(y_test, p_model)
    scales = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    return Evaluation(
        means=[float(v) for v in scaler.mean_],
        scales=[float(v) for v in scales],
        coefficients=[float(v) for v in model.coef_[0]],
        intercept=float(model.intercept_[0]),
        auc_model=float(roc_auc_score(y_test, p_model)),
        auc_rule=float(roc_auc_score(y_test, p_rule)),
        brier_model=float(brier_score_loss(y_test, p_model)),
        test_samples=int(test.sum()),
        calibration=calibration,
    )


def calibration_table(
    outcome: np.ndarray[Any, Any], predicted: np.ndarray[Any, Any], bins: int = 10
) -> list[dict[str, float]]:
    """Held-out samples in deciles of the predicted probability: mean predicted, share that
    reached 30 days past due, and how many (empty deciles, from ties, are left out)."""
    edges = np.quantile(predicted, np.linspace(0, 1, bins + 1))
    which = np.searchsorted(edges[1:-1], predicted, side="right")
    table = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            table.append(
                {
                    "predicted": round(float(predicted[mask].mean()), 4),
                    "observed": round(float(outcome[mask].mean()), 4),
                    "samples": int(mask.sum()),
                }
            )
    return table


def report_text(*, version: int, data: Dataset, evaluation: Evaluation, active: bool, trained_at: dt.datetime) -> str:
    """The model report (Markdown), stored with the version and written to a file."""
    lines = [
        f"# Early-warning model v{version}",
        "",
        f"Trained {trained_at:%Y-%m-%d %H:%M %Z} on the history {data.history_from} … {data.history_to}.",
        "Outcome: reaching 30 days past due in the next cycle (an installment due in the 30 days",
        "before or after the day still open 30 days after its due date).",
        "",
        f"- samples: {data.samples} ({data.positives} reached 30 days past due)",
        f"- held out (by contract): {evaluation.test_samples}",
        f"- AUC, model (held out): {evaluation.auc_model:.4f}",
        f"- AUC, rule score (held out): {evaluation.auc_rule:.4f}",
        f"- Brier score, model (held out): {evaluation.brier_model:.4f}",
        f"- in use: {'yes' if active else 'no (it does not beat the rule score)'}",
        "",
        "## Coefficients (standardised features)",
        "",
        "| feature | coefficient |",
        "| --- | ---: |",
        *[f"| {name} | {coef:+.4f} |" for name, coef in zip(FEATURES, evaluation.coefficients, strict=True)],
        f"| (intercept) | {evaluation.intercept:+.4f} |",
        "",
        "## Calibration (held out, by deciles of the predicted probability)",
        "",
        "| mean predicted | observed | samples |",
        "| ---: | ---: | ---: |",
        *[f"| {row['predicted']:.4f} | {row['observed']:.4f} | {row['samples']} |" for row in evaluation.calibration],
        "",
    ]
    return "\n".join(lines)
