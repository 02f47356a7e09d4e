"""The staff report pages: who may see them, a bounded number of queries whatever the
portfolio, a chart per figure with its data and CSV export, and the date-range filter."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from accounts.roles import Role
from tests.accounts.factories import make_staff
from tests.cases import report_portfolio
from tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db

PAGES = ("portfolio", "collection", "conduct", "grace", "risk")
Q1 = "from=2026-01-01&to=2026-03-31"


def _client(role: Role) -> Client:
    client = Client()
    login_verified_staff(client, make_staff(role))
    return client


@pytest.mark.parametrize("role", [Role.AGENT, Role.AGENCY, Role.FIELD_OFFICER])
def test_roles_without_the_permission_are_refused(role) -> None:
    client = _client(role)
    for name in PAGES:
        assert client.get(f"/staff/reports/{name}/").status_code == 403
    assert "/staff/reports/" not in client.get("/staff/").content.decode()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COMPLIANCE_OFFICER, Role.ADMIN])
def test_supervisors_compliance_and_management_see_every_page(role) -> None:
    client = _client(role)
    assert 'href="/staff/reports/"' in client.get("/staff/").content.decode()
    assert client.get("/staff/reports/").status_code == 200
    for name in PAGES:
        assert client.get(f"/staff/reports/{name}/").status_code == 200
    assert client.get("/staff/reports/nothing/").status_code == 404


def _charts(body: str) -> dict[str, dict]:
    charts = {}
    marker = '<script id="data-'
    for part in body.split(marker)[1:]:
        key = part.split('"', 1)[0]
        payload = part.split(">", 1)[1].split("</script>", 1)[0]
        charts[key] = json.loads(payload)
    return charts


def test_pages_carry_their_charts_and_run_a_bounded_number_of_queries(django_assert_max_num_queries) -> None:
    contracts = report_portfolio.build()
    report_portfolio.promises_and_plans(contracts)
    report_portfolio.payments(contracts)
    client = _client(Role.SUPERVISOR)
    expected = {
        "portfolio": {"buckets", "roll_rates", "cure_rate"},
        "collection": {"kept_rates", "recovered_by_channel", "recovered_by_step"},
        "conduct": {"cases", "sla", "blocked", "agencies"},
        "grace": set(),
        "risk": {"bands", "auc"},
    }
    for name, keys in expected.items():
        # Session, user and the page's own reads: the portfolio page reads two queries per month end.
        with django_assert_max_num_queries(20):
            response = client.get(f"/staff/reports/{name}/?{Q1}")
        body = response.content.decode()
        assert keys <= set(_charts(body)), name
        for key in keys:
            assert f'id="chart-{key}"' in body and f"csv={key}" in body
    portfolio = _charts(client.get(f"/staff/reports/portfolio/?{Q1}").content.decode())
    assert portfolio["buckets"]["labels"] == ["2026-01-31", "2026-02-28", "2026-03-31"]
    m1 = next(s for s in portfolio["buckets"]["series"] if s["label"] == "M1")
    assert m1["data"] == [3, 1, 1]
    cure = portfolio["cure_rate"]["series"][0]["data"]
    assert cure == [pytest.approx(33.33), 0.0]


def test_csv_export_has_the_chart_numbers() -> None:
    contracts = report_portfolio.build()
    report_portfolio.payments(contracts)
    client = _client(Role.COMPLIANCE_OFFICER)
    response = client.get(f"/staff/reports/collection/?{Q1}&csv=recovered_by_channel")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "recovered_by_channel" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][1:] == ["alipay", "bank"]
    assert rows[1] == ["2026-01", "0.00", "1250.50"] and rows[2] == ["2026-02", "300.00", "0.00"]
    portfolio = list(
        csv.reader(io.StringIO(client.get(f"/staff/reports/portfolio/?{Q1}&csv=cure_rate").content.decode()))
    )
    assert portfolio[1] == ["2026-02-28", "0.3333"]
    assert client.get(f"/staff/reports/collection/?{Q1}&csv=unknown").status_code == 404


def test_a_bad_period_is_refused_with_a_message_and_the_default_shown() -> None:
    client = _client(Role.SUPERVISOR)
    body = client.get("/staff/reports/portfolio/?from=2026-03-01&to=2026-01-01").content.decode()
    assert 'id="period-error"' in body


def test_the_early_warning_page_shows_the_model_in_use_and_the_contracts_most_at_risk() -> None:
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from contracts.models import ContractRiskScore, RiskModelVersion

    contracts = report_portfolio.build()
    RiskModelVersion.objects.create(
        version=1,
        trained_at=timezone.now(),
        history_from=dt.date(2025, 1, 1),
        history_to=dt.date(2026, 3, 31),
        auc_model=0.8365,
        auc_rule=0.8206,
        brier_model=0.066,
        report="# Early-warning model v1\n- AUC, model (held out): 0.8365\n",
        is_active=True,
    )
    for name, p, band in (("A", "0.0400", "low"), ("B", "0.6100", "high"), ("D", "0.2000", "medium")):
        ContractRiskScore.objects.create(
            contract=contracts[name],
            probability=Decimal(p),
            band=band,
            method="model",
            model_version=1,
            scored_on=dt.date(2026, 3, 31),
        )
    client = _client(Role.ADMIN)
    body = client.get("/staff/reports/risk/").content.decode()
    assert "0.8365" in body and "0.8206" in body and 'id="model-report"' in body
    watch = body.split('id="risk-watchlist"', 1)[1].split("</table>", 1)[0]
    assert watch.index(contracts["B"].number) < watch.index(contracts["D"].number) < watch.index(contracts["A"].number)
    bands = _charts(body)["bands"]
    model = next(s for s in bands["series"] if s["data"] != [0, 0, 0])
    assert model["data"] == [1, 1, 1]
    page = client.get(f"/staff/contracts/{contracts['B'].pk}/").content.decode()
    risk = page.split('id="risk-score"', 1)[1].split("</dd>", 1)[0]
    assert "0.61" in risk
