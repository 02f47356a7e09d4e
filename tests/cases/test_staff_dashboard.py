"""The staff dashboard: the nightly batch panel, in English and Chinese, at a fixed query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notices.models import NightlyRun

pytestmark = pytest.mark.django_db

DASHBOARD_QUERIES = 16  # 14, and 2 when this process has no fresh copy of the holiday calendar


def night(**values: object) -> NightlyRun:
    started = timezone.now() - dt.timedelta(seconds=40)
    defaults: dict[str, object] = {
        "business_date": dt.date(2026, 3, 10),
        "catch_up_from": dt.date(2026, 3, 10),
        "ranges_total": 500,
        "ranges_done": 500,
        "contracts_total": 1_000_000,
        "contracts_done": 1_000_000,
        "notices": 41_234,
        "started_at": started,
        "finished_at": started + dt.timedelta(seconds=40),
    }
    defaults.update(values)
    return NightlyRun.objects.create(**defaults)


def test_the_panel_shows_a_finished_night_with_its_rate(verified_agent_client):
    verified_agent_client.cookies["django_language"] = "en"
    night(business_date=dt.date(2026, 3, 9))
    night()
    page = verified_agent_client.get("/staff/").content.decode()
    panel = page[page.index('id="nightly-batch"') :]
    assert "Business date 2026-03-10" in panel and "finished" in panel.split("</div>")[0]
    assert "Ranges: 500 of 500 done" in panel
    assert "Contracts: 1000000 of 1000000 (25000 per second)" in panel
    assert "Notices written: 41234" in panel and "Caught up" not in panel.split("</div>")[0]


def test_the_panel_shows_a_running_night_that_catches_up(verified_agent_client):
    verified_agent_client.cookies["django_language"] = "en"
    night(ranges_done=120, contracts_done=240_000, finished_at=None, catch_up_from=dt.date(2026, 3, 8))
    panel = verified_agent_client.get("/staff/").content.decode().split('id="nightly-batch"')[1].split("</div>")[0]
    assert "running" in panel and "Ranges: 120 of 500 done" in panel
    assert "Caught up missed nights from 2026-03-08." in panel


def test_the_panel_in_chinese_and_before_any_night(verified_agent_client):
    panel = verified_agent_client.get("/staff/").content.decode().split('id="nightly-batch"')[1].split("</div>")[0]
    assert "夜间批处理" in panel and "尚无夜间运行" in panel
    night()
    panel = verified_agent_client.get("/staff/").content.decode().split('id="nightly-batch"')[1].split("</div>")[0]
    assert "已完成" in panel and "500" in panel


def test_the_dashboard_query_count_is_fixed(verified_agent_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        verified_agent_client.get("/staff/")
    night()
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        assert verified_agent_client.get("/staff/").status_code == 200
