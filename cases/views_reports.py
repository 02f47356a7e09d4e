"""Staff dashboards (supervisors, compliance, management): portfolio, collection, conduct,
grace period and early warning. Each chart has a date-range filter (the page's) and a CSV
export (``?csv=<chart>`` with the same filter). The metrics are in ``cases.reports``."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.decorators import staff_required
from accounts.roles import REPORTS_VIEW
from contracts.models import RiskBand, RiskMethod

from .reports.charts import Chart
from .reports.collection import plan_kept_rates, promise_kept_rates, recovered_by_channel, recovered_by_step
from .reports.conduct import agency_performance, blocked_by_reason, case_volumes
from .reports.grace import grace_analysis
from .reports.period import Period, period_parse
from .reports.portfolio import CHARGED_OFF, CLOSED, ledger_buckets, portfolio_history
from .reports.risk import model_versions, scores_by_band, watchlist

ZERO = Decimal("0.00")


def _page(
    request: HttpRequest, name: str, template: str, build: Callable[[Period], tuple[list[Chart], dict[str, Any]]]
) -> HttpResponse:
    period, error = period_parse(request.GET.get("from"), request.GET.get("to"))
    charts, context = build(period)
    wanted = request.GET.get("csv")
    if wanted:
        for chart in charts:
            if chart.key == wanted:
                return chart.csv_response(f"{name}-{period.start}-{period.end}")
        raise Http404
    query = f"from={period.start.isoformat()}&to={period.end.isoformat()}"
    return render(
        request,
        template,
        {"period": period, "period_error": error, "charts": charts, "query": query, "report": name, **context},
    )


def _state_label(key: str) -> str:
    return {CHARGED_OFF: _("Charged off"), CLOSED: _("Paid off / closed")}.get(key, key)


def _portfolio(period: Period) -> tuple[list[Chart], dict[str, Any]]:
    history = portfolio_history(period)
    days = [day.isoformat() for day in history.days]
    counts = [history.buckets_on(i) for i in range(len(history.days))]
    keys = [*history.labels, CHARGED_OFF]
    buckets = Chart(
        key="buckets",
        title=_("Contracts by days-past-due bucket at each month end"),
        kind="bar",
        labels=days,
        series=[(_state_label(k), [c[k] for c in counts]) for k in keys],
        stacked=True,
        label_header=_("As of"),
    )
    forward = history.roll_forward_rates()
    months = days[1:]
    rolls = Chart(
        key="roll_rates",
        title=_("Roll rates: share of each bucket one bucket further a month later"),
        kind="line",
        labels=months,
        series=[
            (f"{here} → {there}", [row[here] for row in forward])
            for here, there in zip(history.labels, history.labels[1:], strict=False)
        ],
        percent=True,
        label_header=_("Month ending"),
    )
    cures = history.cure_rates()
    cure = Chart(
        key="cure_rate",
        title=_("Cure rate: overdue contracts current or paid off a month later"),
        kind="line",
        labels=months,
        series=[(_("Cure rate"), [c[2] for c in cures])],
        percent=True,
        label_header=_("Month ending"),
    )
    matrix = history.roll_matrix(len(history.days) - 1)
    columns = [*history.labels, CHARGED_OFF, CLOSED]
    ledger = ledger_buckets()
    return [buckets, rolls, cure], {
        "matrix_from": history.days[-2],
        "matrix_to": history.days[-1],
        "matrix_columns": [_state_label(c) for c in columns],
        "matrix_rows": [(label, [matrix[label][c] for c in columns]) for label in history.labels],
        "cure_rows": list(zip(months, cures, strict=True)),
        "ledger": [(_state_label(row.bucket), row) for row in ledger],
        "ledger_contracts": sum(row.contracts for row in ledger),
        "ledger_principal": sum((row.principal for row in ledger), ZERO),
    }


def _collection(period: Period) -> tuple[list[Chart], dict[str, Any]]:
    promises = promise_kept_rates(period)
    plans = plan_kept_rates(period)
    months = period.months()
    promise_by = {r.month: r.rate for r in promises[:-1]}
    plan_by = {r.month: r.rate for r in plans[:-1]}
    kept = Chart(
        key="kept_rates",
        title=_("Promise-kept and plan-kept rates by month"),
        kind="line",
        labels=months,
        series=[
            (_("Promises kept"), [promise_by.get(m) for m in months]),
            (_("Plans kept"), [plan_by.get(m) for m in months]),
        ],
        percent=True,
        label_header=_("Month"),
    )
    channel_months, by_channel, channel_totals = recovered_by_channel(period)
    channels = Chart(
        key="recovered_by_channel",
        title=_("Recovered by payment channel"),
        kind="bar",
        labels=channel_months,
        series=[(channel, [values[m] for m in channel_months]) for channel, values in sorted(by_channel.items())],
        stacked=True,
        label_header=_("Month"),
    )
    by_step = recovered_by_step(period)
    steps = Chart(
        key="recovered_by_step",
        title=_("Recovered after each ladder step (last notice sent within 14 days before the payment)"),
        kind="bar",
        labels=[row.key or _("No notice before it") for row in by_step],
        series=[(_("Amount"), [row.amount for row in by_step]), (_("Payments"), [row.payments for row in by_step])],
        horizontal=True,
        dual=True,
        label_header=_("Ladder step"),
    )
    return [kept, channels, steps], {
        "promise_total": promises[-1],
        "plan_total": plans[-1],
        "channel_totals": channel_totals,
        "recovered_total": sum((row.amount for row in channel_totals), ZERO),
        "step_rows": by_step,
    }


def _conduct(period: Period) -> tuple[list[Chart], dict[str, Any]]:
    volumes = case_volumes(period)
    months = period.months()
    cases = Chart(
        key="cases",
        title=_("Disputes, complaints, hardship requests and appeals filed"),
        kind="bar",
        labels=months,
        series=[(v.label, [v.by_month.get(m, 0) for m in months]) for v in volumes],
        stacked=True,
        label_header=_("Month"),
    )
    sla = Chart(
        key="sla",
        title=_("Resolved within the SLA deadline"),
        kind="bar",
        labels=[v.label for v in volumes],
        series=[(_("Resolved on time"), [v.on_time_rate for v in volumes])],
        percent=True,
        label_header=_("Kind"),
    )
    reasons = blocked_by_reason(period)
    blocked = Chart(
        key="blocked",
        title=_("Contacts blocked by the compliance engine, by reason code"),
        kind="bar",
        labels=[code for code, _n in reasons],
        series=[(_("Contacts"), [n for _code, n in reasons])],
        horizontal=True,
        label_header=_("Reason code"),
    )
    agencies = agency_performance(period)
    agency = Chart(
        key="agencies",
        title=_("Agency performance: recovered while accounts were placed"),
        kind="bar",
        labels=[row.agency for row in agencies],
        series=[
            (_("Recovered"), [row.recovered for row in agencies]),
            (_("Contacts"), [row.contacts for row in agencies]),
        ],
        dual=True,
        label_header=_("Agency"),
    )
    return [cases, sla, blocked, agency], {"volumes": volumes, "agencies": agencies}


def _grace(period: Period) -> tuple[list[Chart], dict[str, Any]]:
    analyses = grace_analysis(period)
    charts = []
    for analysis in analyses:
        code = analysis.product.code
        charts.append(
            Chart(
                key=f"cure_curve_{code}",
                title=_("%(product)s: share of overdue episodes cured by days past due")
                % {"product": analysis.product.display_name},
                kind="line",
                labels=[str(day) for day, _n, _r in analysis.curve],
                series=[(_("Cured"), [rate for _d, _n, rate in analysis.curve])],
                percent=True,
                label_header=_("Days past due"),
            )
        )
        charts.append(
            Chart(
                key=f"grace_{code}",
                title=_("%(product)s: late fees and complaints under other grace periods")
                % {"product": analysis.product.display_name},
                kind="bar",
                labels=[str(s.grace_days) for s in analysis.scenarios],
                series=[
                    (_("Late fees charged"), [s.fees for s in analysis.scenarios]),
                    (_("Complaints"), [s.complaints for s in analysis.scenarios]),
                ],
                dual=True,
                label_header=_("Grace days"),
            )
        )
    return charts, {"analyses": analyses}


def _risk(period: Period) -> tuple[list[Chart], dict[str, Any]]:
    table = scores_by_band()
    bands = Chart(
        key="bands",
        title=_("Contracts by early-warning risk band"),
        kind="bar",
        labels=[str(label) for label in RiskBand.labels],
        series=[
            (str(method_label), [table.get(band, {}).get(method, 0) for band in RiskBand.values])
            for method, method_label in RiskMethod.choices
        ],
        stacked=True,
        label_header=_("Risk band"),
    )
    versions = model_versions()
    auc = Chart(
        key="auc",
        title=_("Held-out AUC of each model version and of the rule score"),
        kind="bar",
        labels=[f"v{v.version}" for v in reversed(versions)],
        series=[
            (_("Model"), [round(v.auc_model, 4) for v in reversed(versions)]),
            (_("Rule score"), [round(v.auc_rule, 4) for v in reversed(versions)]),
        ],
        label_header=_("Version"),
    )
    active = next((v for v in versions if v.is_active), None)
    return [bands, auc], {"versions": versions, "active": active, "watchlist": watchlist()}


BUILDERS: dict[str, tuple[str, Callable[[Period], tuple[list[Chart], dict[str, Any]]]]] = {
    "portfolio": ("staff/reports/portfolio.html", _portfolio),
    "collection": ("staff/reports/collection.html", _collection),
    "conduct": ("staff/reports/conduct.html", _conduct),
    "grace": ("staff/reports/grace.html", _grace),
    "risk": ("staff/reports/risk.html", _risk),
}


@staff_required(REPORTS_VIEW)
def report(request: HttpRequest, name: str = "portfolio") -> HttpResponse:
    if name not in BUILDERS:
        raise Http404
    template, build = BUILDERS[name]
    return _page(request, name, template, build)
