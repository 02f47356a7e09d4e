"""The early-warning score: each contract's latest probability of reaching 30 days past due in
the next cycle, and the trained model versions it may come from (``contracts.models``
re-exports them). See ``contracts/risk/`` and docs/REPORTS.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RiskBand(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RiskMethod(models.TextChoices):
    RULE = "rule", _("Rule-based score")
    MODEL = "model", _("Trained model")


class RiskModelVersion(models.Model):
    """A logistic regression trained on the portfolio's own history (``manage.py
    risk_model_train``): its standardisation and coefficients (scoring is a dot product, no
    pickled objects), how it did on the held-out split next to the rule score, and the report.
    Only a version that beat the rule score on the held-out split may be active."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained at"))
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history_from = models.DateField(_("history from"))
    history_to = models.DateField(_("history to"))
    features = models.JSONField(_("features"), default=list)
    means = models.JSONField(default=list)
    scales = models.JSONField(default=list)
    coefficients = models.JSONField(default=list)
    intercept = models.FloatField(default=0.0)
    samples = models.PositiveIntegerField(_("samples"), default=0)
    positives = models.PositiveIntegerField(_("samples that reached 30 days past due"), default=0)
    test_samples = models.PositiveIntegerField(_("held-out samples"), default=0)
    auc_model = models.FloatField(_("AUC of the model (held out)"))
    auc_rule = models.FloatField(_("AUC of the rule score (held out)"))
    brier_model = models.FloatField(_("Brier score of the model (held out)"))
    calibration = models.JSONField(_("calibration"), default=list)
    report = models.TextField(_("model report"))
    is_active = models.BooleanField(_("in use"), default=False)

    class Meta:
        verbose_name = _("risk model version")
        verbose_name_plural = _("risk model versions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_risk_model")
        ]
        # The staff dashboards (portfolio, collection, conduct, grace period, early warning).
        permissions = [("view_portfolio_reports", _("Can view the portfolio dashboards and reports"))]

    def __str__(self) -> str:
        return f"risk model v{self.version}"


class ContractRiskScore(models.Model):
    """The contract's latest early-warning score (one row, replaced by each night's scoring)."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.CASCADE, related_name="risk_score", primary_key=True
    )
    probability = models.DecimalField(_("probability of 30 days past due"), max_digits=5, decimal_places=4)
    band = models.CharField(_("risk band"), max_length=10, choices=RiskBand.choices)
    method = models.CharField(_("method"), max_length=10, choices=RiskMethod.choices)
    model_version = models.PositiveIntegerField(_("model version"), null=True, blank=True)
    scored_on = models.DateField(_("scored on"))
    # What the score was made of (feature name → value), so a score can be explained.
    factors = models.JSONField(_("factors"), default=dict)

    class Meta:
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")
        indexes = [models.Index(fields=["band", "probability"])]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.band} {self.probability}"
