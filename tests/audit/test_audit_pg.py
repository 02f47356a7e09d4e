"""On PostgreSQL: no audited write waits for another's, and under the least-privilege role the
audit tables take only INSERT and SELECT."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import DatabaseError, connection, connections, transaction

from audit.grants import audit_grants_sql
from audit.models import AuditEvent
from audit.services import audit_record, audit_seal

pytestmark = pytest.mark.postgres
ROLE = "fairdue_audit_probe"


@pytest.mark.django_db(transaction=True)
def test_an_audited_write_does_not_wait_behind_a_long_open_transaction():
    started, holding = threading.Event(), threading.Event()

    def long_transaction() -> None:
        try:
            with transaction.atomic():
                audit_record(action="test.long", actor=None)
                started.set()
                holding.wait(timeout=10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=long_transaction)
    thread.start()
    assert started.wait(timeout=10)
    try:
        began = time.monotonic()
        with transaction.atomic():
            audit_record(action="test.quick", actor=None)
        waited = time.monotonic() - began
    finally:
        holding.set()
        thread.join(timeout=10)
    assert waited < 1.0, f"an unrelated audited write waited {waited:.2f} s"
    audit_seal(force_checkpoint=True)
    assert AuditEvent.objects.filter(action__in=["test.long", "test.quick"], seal__isnull=False).count() == 2


@pytest.fixture
def probe_role(db):
    """A role set up by audit_grants (creating it needs the owner: these tests are owner_only)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")
        for statement in audit_grants_sql(role=ROLE):
            cursor.execute(statement)
    yield ROLE


def _as_probe(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        cursor.execute(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'x'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_immutable",
        "UPDATE audit_auditseal SET leaf_hash = 'x'",
        "DELETE FROM audit_auditcheckpoint",
        "TRUNCATE audit_auditseal",
        "ALTER TABLE audit_auditseal DISABLE TRIGGER ALL",
        "DROP TABLE audit_auditcheckpoint",
    ],
)
@pytest.mark.owner_only
def test_the_least_privilege_role_cannot_change_the_log(probe_role, sql):
    with transaction.atomic():
        audit_record(action="test.event", actor=None)
    with pytest.raises(DatabaseError):
        _as_probe(sql)


@pytest.mark.owner_only
def test_the_least_privilege_role_can_append_and_read(probe_role):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        audit_record(action="test.event", actor=None)
        audit_seal(force_checkpoint=True)
        cursor.execute("SELECT count(*) FROM audit_auditseal")
        assert cursor.fetchone()[0] >= 1


@pytest.mark.owner_only
def test_the_triggers_refuse_even_the_owner(db):
    with transaction.atomic():
        audit_record(action="test.event", actor=None)
    for sql in (
        "UPDATE audit_auditevent SET action = 'x'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'x'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_immutable",
        "UPDATE audit_auditseal SET leaf_hash = 'x'",
        "TRUNCATE audit_auditcheckpoint",
    ],
)
def test_the_connected_role_cannot_change_the_log(db, sql):
    """Run by CI connected as the least-privilege application role itself."""
    from audit.grants import audit_table_owned_by_current_role

    if audit_table_owned_by_current_role():
        pytest.skip("connected as the audit table's owner; CI runs this as the application role")
    with transaction.atomic():
        audit_record(action="test.event", actor=None)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.owner_only
def test_the_deployment_check_warns_when_the_application_owns_the_audit_table(db, settings):
    from audit.checks import audit_keys_and_role

    settings.PRODUCTION = True
    settings.AUDIT_CHAIN_KEY = "k" * 48
    settings.AUDIT_SIGNING_KEY = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
    assert [message.id for message in audit_keys_and_role(None)] == ["fairdue.W012"]
