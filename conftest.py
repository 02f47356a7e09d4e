"""Test-wide set-up: test settings values, and service markers (postgres, redis, browser)."""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest

# The test environment must be in place before Django reads its settings. pytest-django would
# load them before this file runs if the settings module were named in pyproject.toml (the tests
# then ran as development: the real password hasher, and files under the developer's var/); so
# it is named here, and Django is set up here, before the test modules import models.
os.environ.setdefault("DJANGO_ENV", "test")
os.environ.setdefault("FAIRDUE_VAR_DIR", os.path.join(os.path.dirname(__file__), "var", "test"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Test databases are thrown away: their commits need not wait for the disk. libpq reads this for
# every connection, this process's and those of the workers and servers the tests start.
os.environ.setdefault("PGOPTIONS", "-c synchronous_commit=off")

import django

django.setup()

from django.conf import settings as _settings  # noqa: E402

if not _settings.TESTING:  # e.g. DJANGO_SETTINGS_MODULE exported by a shell or an IDE: read too early
    raise pytest.UsageError(
        "Django read its settings before the test environment was set (DJANGO_SETTINGS_MODULE is "
        "exported): unset it, or export DJANGO_ENV=test as well (make test does)."
    )

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


AUDIT_TABLES = ("audit_auditevent", "audit_auditseal", "audit_auditcheckpoint")


def pytest_configure(config: pytest.Config) -> None:
    """Between transactional tests Django empties every table with TRUNCATE, which the audit
    log's triggers refuse on PostgreSQL (as they must in production). The test database's
    owner lifts them around that flush only."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):  # type: ignore[no-untyped-def]
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        audit = [table for table in AUDIT_TABLES if table in tables]
        if not statements or not audit:
            return statements
        lift = [f"ALTER TABLE {table} DISABLE TRIGGER USER;" for table in audit]
        restore = [f"ALTER TABLE {table} ENABLE TRIGGER USER;" for table in audit]
        return [*lift, *statements, *restore]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


def _flag(name: str) -> bool:
    return os.environ.get(name, "") in ("1", "true", "yes")


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing_service(item: pytest.Item) -> tuple[str, str] | None:
    from django.conf import settings

    if (
        item.get_closest_marker("postgres")
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        return "REQUIRE_SERVICES", "PostgreSQL (set DATABASE_URL=postgres://…)"
    if item.get_closest_marker("redis") and not _redis_reachable():
        return "REQUIRE_SERVICES", "Redis (set REDIS_URL=redis://…)"
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        return "REQUIRE_BROWSER", f"Chromium at {CHROMIUM}"
    return None


def _needs_the_owner(item: pytest.Item) -> str | None:
    """Under the least-privilege role (FAIRDUE_LEAST_PRIVILEGE=1, see .ci/run) some tests cannot
    run by design: those that empty every table between tests (TRUNCATE), and those that
    tamper with the audit log or create roles as a database administrator would."""
    if item.get_closest_marker("owner_only"):
        return "acts as the database owner"
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    if "transactional_db" in fixtures or "live_server" in fixtures or (marker and marker.kwargs.get("transaction")):
        return "empties every table between tests (TRUNCATE)"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _flag("FAIRDUE_LEAST_PRIVILEGE"):
        reason = _needs_the_owner(item)
        if reason:
            pytest.skip(f"least-privilege run: {reason}")
    elif _flag("FAIRDUE_OWNER_TESTS_ONLY") and _needs_the_owner(item) is None:
        # The complement of the least-privilege run (.ci/run): together they are the whole suite.
        pytest.skip("owner run: this test ran under the least-privilege role")
    missing = _missing_service(item)
    if missing is None:
        return
    flag, what = missing
    if _flag(flag):
        pytest.fail(f"{what} is required ({flag}=1) but not available", pytrace=False)
    pytest.skip(f"needs {what}")
