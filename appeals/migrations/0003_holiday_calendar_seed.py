"""Seed the holiday calendar: 2004–2026 from chinese_calendar (official), 2027–2030 statutory
days from holidays (not official until compliance enters the State Council's arrangement).
Idempotent: years already in the table are left alone."""

from django.db import migrations

SEED_FIRST_YEAR = 2004
SEED_LAST_YEAR = 2030


def seed(apps, schema_editor):
    from appeals.calendar_sources import calendar_seed_rows

    calendar_seed_rows(
        apps.get_model("appeals", "CalendarYear"),
        apps.get_model("appeals", "CalendarDay"),
        range(SEED_FIRST_YEAR, SEED_LAST_YEAR + 1),
    )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0002_holiday_calendar")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
