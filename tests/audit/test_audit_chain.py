from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.models import AuditChainHead, AuditEvent
from audit.selectors import audit_chain_verify
from audit.services import AuditOutsideTransaction, audit_record


def _record(n: int) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit_record(action="test.event", actor=None, object_type="test", object_id=i, data={"i": i}))
    return events


def _tamper(sql: str, params: list[object]) -> None:
    """Raw SQL, as a database administrator would; on PostgreSQL the trigger is lifted first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_immutable")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_immutable")


def _verify_output() -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert excinfo.value.returncode == 1
    return str(excinfo.value)


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(AuditOutsideTransaction):
        audit_record(action="test.event", actor=None)


@pytest.mark.django_db
def test_events_form_a_hash_chain_and_verify_passes(capsys):
    before = AuditEvent.objects.count()
    events = _record(3)
    assert [e.seq for e in events] == [before + 1, before + 2, before + 3]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert len({e.hash for e in events}) == 3
    head = AuditChainHead.objects.get(pk=1)
    assert head.seq == events[-1].seq and head.last_hash == events[-1].hash
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_rolled_back_change_leaves_no_event():
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.event", actor=None)
        raise RuntimeError("business rule failed")
    assert AuditEvent.objects.count() == before
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_verify_names_an_edited_event():
    events = _record(4)
    _tamper("UPDATE audit_auditevent SET data = %s WHERE id = %s", ['{"i": 999}', events[2].pk])
    message = _verify_output()
    assert f"seq={events[2].seq}" in message and "edited" in message


@pytest.mark.django_db
def test_verify_names_the_event_after_a_deleted_one():
    events = _record(4)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    message = _verify_output()
    assert f"seq={events[2].seq}" in message


@pytest.mark.django_db
def test_verify_detects_a_deleted_last_event():
    events = _record(3)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    assert "events removed" in _verify_output()


@pytest.mark.django_db
def test_verify_detects_reordered_events():
    events = _record(4)
    a, b = events[1], events[2]
    _tamper("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [10**9, a.pk])
    _tamper("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
    _tamper("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    message = _verify_output()
    assert f"seq={a.seq}" in message


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"]
)
def test_postgres_trigger_refuses_update_and_delete(sql):
    event = _record(1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"
