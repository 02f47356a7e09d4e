"""Where the seeded holiday calendar comes from, as plain rows (no database).

* Years ``chinese_calendar`` knows (2004–2026 in 1.11.0): the State Council's arrangements as
  published, holidays and make-up working days alike; the year is official.
* Later years: the statutory holidays the ``holidays`` package computes from the Measures on
  National Holidays (festival days and the in-lieu days 补假 for festivals on a weekend). The
  State Council's arrangement (调休) is not known yet, so the year is not official.

Only dates that differ from the plain week are rows: a holiday on a Saturday changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import chinese_calendar
import holidays
from django.utils import timezone

HOLIDAY = "holiday"
WORKDAY = "workday"
STATUTORY = "statutory"
ARRANGEMENT = "arrangement"

# chinese_calendar's English names, as the official Chinese ones.
CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True)
class SeedDay:
    date: dt.date
    kind: str
    basis: str
    name: str


@dataclass(frozen=True)
class SeedYear:
    year: int
    official: bool
    source: str
    days: tuple[SeedDay, ...]


def chinese_calendar_years() -> range:
    known = [day.year for day in chinese_calendar.holidays]
    return range(min(known), max(known) + 1)


def _name(value: object) -> str:
    text = str(value or "")
    return CHINESE_NAMES.get(text, text)[:100]


def _from_chinese_calendar(year: int) -> SeedYear:
    days = [
        SeedDay(day, HOLIDAY, ARRANGEMENT, _name(name) or "节假日")
        for day, name in chinese_calendar.holidays.items()
        if day.year == year and day.weekday() < 5
    ]
    days += [
        SeedDay(day, WORKDAY, ARRANGEMENT, f"{_name(name) or '节假日'}调休上班")
        for day, name in chinese_calendar.workdays.items()
        if day.year == year and day.weekday() >= 5
    ]
    days.sort(key=lambda d: d.date)
    return SeedYear(year, True, f"chinese_calendar {version('chinese_calendar')}", tuple(days))


def _from_holidays(year: int) -> SeedYear:
    festival = holidays.China(years=year, observed=False, language="zh_CN")
    with_in_lieu = holidays.China(years=year, language="zh_CN")
    days = [
        SeedDay(day, HOLIDAY, STATUTORY if day in festival else ARRANGEMENT, str(name)[:100])
        for day, name in sorted(with_in_lieu.items())
        if day.weekday() < 5
    ]
    return SeedYear(year, False, f"holidays {version('holidays')} (statutory days only)", tuple(days))


def seed_year(year: int) -> SeedYear:
    """The seed rows for ``year``: the published arrangement where known, else the statutory days."""
    if year in chinese_calendar_years():
        return _from_chinese_calendar(year)
    return _from_holidays(year)


def calendar_seed_rows(year_model: Any, day_model: Any, years: Iterable[int]) -> list[int]:
    """Create the years not in the table yet, with their days; a year already there (perhaps
    edited by compliance) is left as it is. Works with the real or a migration's models."""
    wanted = sorted(set(years))
    existing = set(year_model.objects.filter(year__in=wanted).values_list("year", flat=True))
    created: list[int] = []
    for year in wanted:
        if year in existing:
            continue
        seed = seed_year(year)
        row = year_model.objects.create(
            year=year,
            official=seed.official,
            source=seed.source,
            reference=seed.source if seed.official else "",
            confirmed_at=timezone.now() if seed.official else None,
        )
        day_model.objects.bulk_create(
            [day_model(calendar_year=row, date=d.date, kind=d.kind, basis=d.basis, name=d.name) for d in seed.days]
        )
        created.append(year)
    return created
