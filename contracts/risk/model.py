"""Applying a stored model version: standardise, dot product, logistic (no scikit-learn at
scoring time, no pickled objects)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings

from ..models_risk import RiskBand, RiskModelVersion
from .features import transform


def risk_model_active() -> RiskModelVersion | None:
    """The model version in use, or None (the rule score)."""
    return RiskModelVersion.objects.filter(is_active=True).first()


def model_probability(version: RiskModelVersion, matrix: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    x = transform(matrix)
    means = np.asarray(version.means, dtype=np.float64)
    scales = np.asarray(version.scales, dtype=np.float64)
    z = (x - means) / np.where(scales > 0, scales, 1.0)
    logit = z @ np.asarray(version.coefficients, dtype=np.float64) + version.intercept
    return 1.0 / (1.0 + np.exp(-logit))


def band_for(probability: float | Decimal) -> str:
    p = float(probability)
    if p >= settings.RISK_BAND_HIGH:
        return RiskBand.HIGH
    if p >= settings.RISK_BAND_MEDIUM:
        return RiskBand.MEDIUM
    return RiskBand.LOW
