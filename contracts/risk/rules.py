"""The transparent score used until a trained model exists: points a person can add up.

| what, as of the scoring day | points |
| --- | --- |
| days past due 1–7 / 8–14 / 15–29 | 25 / 35 / 45 |
| each installment of the last 180 days paid late or still open | 8 (at most 24) |
| each promise to pay broken in the last 180 days | 10 (at most 20) |
| less than half of what fell due in the last 90 days paid | 10 |
| no payment for more than 60 days | 5 |

probability = (2 + points) / 100, at most 0.95 (documented in docs/REPORTS.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .features import FEATURES

POINTS_DPD = ((1, 7, 25), (8, 14, 35), (15, 29, 45))
POINTS_PER_LATE = 8
POINTS_LATE_MAX = 24
POINTS_PER_BROKEN = 10
POINTS_BROKEN_MAX = 20
POINTS_LOW_PAYMENT = 10
LOW_PAYMENT_RATIO = 0.5
POINTS_NO_PAYMENT = 5
NO_PAYMENT_DAYS = 60
BASE_POINTS = 2
MAX_PROBABILITY = 0.95


def _column(matrix: np.ndarray[Any, Any], name: str) -> np.ndarray[Any, Any]:
    return matrix[:, FEATURES.index(name)]


def rule_points(matrix: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    dpd = _column(matrix, "days_past_due")
    points = np.zeros(matrix.shape[0])
    for low, high, value in POINTS_DPD:
        points += np.where((dpd >= low) & (dpd <= high), value, 0)
    points += np.minimum(_column(matrix, "late_installments_180") * POINTS_PER_LATE, POINTS_LATE_MAX)
    points += np.minimum(_column(matrix, "broken_promises_180") * POINTS_PER_BROKEN, POINTS_BROKEN_MAX)
    points += np.where(_column(matrix, "payment_ratio_90") < LOW_PAYMENT_RATIO, POINTS_LOW_PAYMENT, 0)
    points += np.where(_column(matrix, "days_since_payment") > NO_PAYMENT_DAYS, POINTS_NO_PAYMENT, 0)
    return points


def rule_probability(matrix: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.minimum((BASE_POINTS + rule_points(matrix)) / 100.0, MAX_PROBABILITY)
