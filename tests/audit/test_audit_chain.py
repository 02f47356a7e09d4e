"""The audit log: writers only insert, the sealer seals and signs, and every rewrite by
someone with full database access but without the keys is found."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from audit import merkle
from audit.hashing import GENESIS_CHAIN_HASH, event_entry, leaf_hash_hex
from audit.keys import public_key_pem
from audit.models import AuditCheckpoint, AuditEvent, AuditSeal
from audit.proofs import audit_consistency_proof, audit_inclusion_proof
from audit.selectors import audit_seal_status
from audit.services import AuditOutsideTransaction, audit_record, audit_seal
from audit.verifier import checkpoint_body

ROOT = Path(__file__).resolve().parents[2]
AUDIT_TABLES = ("audit_auditevent", "audit_auditseal", "audit_auditcheckpoint")


def _record(n: int, start: int = 0) -> list[AuditEvent]:
    events = []
    for i in range(start, start + n):
        with transaction.atomic():
            events.append(audit_record(action="test.event", actor=None, object_type="test", object_id=i, data={"i": i}))
    return events


def _sealed(n: int) -> list[AuditEvent]:
    events = _record(n)
    audit_seal(force_checkpoint=True)
    return events


def _seq(event: AuditEvent) -> int:
    return AuditSeal.objects.get(event_id=event.pk).seq


def _tamper(sql: str, params: list[object] | None = None) -> None:
    """Raw SQL as a database owner would run it; on PostgreSQL the triggers are lifted first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


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
def test_writers_insert_and_the_sealer_gives_positions_hashes_and_a_signed_checkpoint(capsys, audit_checkpoint_dir):
    events = _record(3)
    assert not AuditSeal.objects.filter(event_id__in=[e.pk for e in events]).exists()
    assert audit_seal_status().unsealed >= 3
    result = audit_seal(force_checkpoint=True)
    assert result.sealed >= 3 and result.checkpoint == result.tree_size
    seals = list(AuditSeal.objects.filter(event_id__in=[e.pk for e in events]).order_by("seq"))
    assert [s.event_id for s in seals] == [e.pk for e in events]
    assert [s.seq for s in seals] == list(range(seals[0].seq, seals[0].seq + 3))
    assert len({s.chain_hash for s in seals}) == 3
    assert audit_seal(force_checkpoint=True).sealed == 0  # idempotent
    checkpoint = AuditCheckpoint.objects.get(tree_size=result.tree_size)
    leaves = [bytes.fromhex(h) for h in AuditSeal.objects.order_by("seq").values_list("leaf_hash", flat=True)]
    assert checkpoint.root_hash == merkle.root_of(leaves).hex()
    # The file outside the database, as written after commit (on_commit is not run inside a test transaction).
    from audit.services import _write_checkpoint_file

    _write_checkpoint_file(checkpoint.pk)
    files = list(audit_checkpoint_dir.glob("checkpoint-*.txt"))
    assert len(files) == 1 and checkpoint.root_hash in files[0].read_text()
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out
    assert audit_seal_status().unsealed == 0


@pytest.mark.django_db
def test_the_merkle_root_is_the_one_an_independent_rfc_9162_implementation_computes():
    import pymerkle  # an independent RFC 9162 implementation, as the oracle

    _sealed(37)
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    for seal in AuditSeal.objects.select_related("event").order_by("seq"):
        tree.append_entry(event_entry(seal.event, seal.seq))
    assert tree.get_root().hex() == AuditCheckpoint.objects.order_by("-tree_size").first().root_hash


@pytest.mark.django_db
def test_rolled_back_change_leaves_no_event():
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.event", actor=None)
        raise RuntimeError("business rule failed")
    assert AuditEvent.objects.count() == before


@pytest.mark.owner_only
@pytest.mark.django_db
def test_verify_names_an_edited_event():
    events = _sealed(4)
    _tamper("UPDATE audit_auditevent SET data = %s WHERE id = %s", ['{"i": 999}', events[2].pk])
    message = _verify_output()
    assert f"seq={_seq(events[2])}" in message and "edited" in message


@pytest.mark.owner_only
@pytest.mark.django_db
def test_rewrite_with_recomputed_hashes_is_found_without_the_key():
    """Edit an event, recompute its leaf hash (unkeyed, public formula) and a whole new chain
    with a key of the attacker's own; the checkpoints are rebuilt and re-signed with the
    attacker's key too. The keyed chain and the real signatures still give it away."""
    events = _sealed(5)
    _tamper("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["test.harmless", events[1].pk])
    attacker_key = b"guessed-key"
    import hashlib
    import hmac

    previous = GENESIS_CHAIN_HASH
    leaves = []
    for seal in AuditSeal.objects.order_by("seq"):
        event = AuditEvent.objects.get(pk=seal.event_id)
        leaf = leaf_hash_hex(event_entry(event, seal.seq))
        previous = hmac.new(attacker_key, bytes.fromhex(previous) + bytes.fromhex(leaf), hashlib.sha256).hexdigest()
        leaves.append(bytes.fromhex(leaf))
        _tamper("UPDATE audit_auditseal SET leaf_hash = %s, chain_hash = %s WHERE id = %s", [leaf, previous, seal.pk])
    forger = Ed25519PrivateKey.generate()
    for checkpoint in AuditCheckpoint.objects.all():
        root = merkle.root_of(leaves[: checkpoint.tree_size]).hex()
        body = checkpoint_body(
            tree_size=checkpoint.tree_size, root_hash=root, chain_hash=previous, signed_at="2026-01-01T00:00:00+00:00"
        )
        signature = base64.b64encode(forger.sign(body.encode())).decode()
        _tamper(
            "UPDATE audit_auditcheckpoint SET root_hash = %s, chain_hash = %s, body = %s, signature = %s WHERE id = %s",
            [root, previous, body, signature, checkpoint.pk],
        )
    message = _verify_output()
    assert "signature does not verify" in message or "keyed chain hash does not match" in message


@pytest.mark.owner_only
@pytest.mark.django_db
def test_verify_names_a_deleted_event():
    events = _sealed(4)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    message = _verify_output()
    assert f"seq={_seq(events[1])}" in message and "deleted" in message


@pytest.mark.owner_only
@pytest.mark.django_db
def test_verify_finds_reordered_events():
    a, b = _sealed(3)[:2]
    seq_a, seq_b = _seq(a), _seq(b)
    _tamper("UPDATE audit_auditseal SET seq = %s WHERE event_id = %s", [10**9, a.pk])
    _tamper("UPDATE audit_auditseal SET seq = %s WHERE event_id = %s", [seq_a, b.pk])
    _tamper("UPDATE audit_auditseal SET seq = %s WHERE event_id = %s", [seq_b, a.pk])
    message = _verify_output()
    assert f"seq={seq_a}" in message and "edited" in message


@pytest.mark.owner_only
@pytest.mark.django_db
def test_verify_finds_an_inserted_event():
    events = _sealed(4)
    with transaction.atomic():
        forged = audit_record(action="test.forged", actor=None)
    # Slot it in at position 2 by hand: shift later positions, seal it with the public leaf formula.
    position = _seq(events[1])
    _tamper("UPDATE audit_auditseal SET seq = seq + 1000000 WHERE seq >= %s", [position])
    _tamper("UPDATE audit_auditseal SET seq = seq - 999999 WHERE seq >= 1000000")
    leaf = leaf_hash_hex(event_entry(forged, position))
    _tamper(
        "INSERT INTO audit_auditseal (seq, event_id, leaf_hash, chain_hash, sealed_at) VALUES (%s, %s, %s, %s, %s)",
        [position, forged.pk, leaf, "ab" * 32, forged.occurred_at],
    )
    message = _verify_output()
    assert f"seq={position}" in message and "rewritten or inserted" in message


@pytest.mark.owner_only
@pytest.mark.django_db
def test_a_cut_tail_is_found_by_the_checkpoints():
    events = _sealed(4)
    tail = events[2:]
    for event in tail:
        _tamper("DELETE FROM audit_auditseal WHERE event_id = %s", [event.pk])
        _tamper("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    message = _verify_output()
    assert "log truncated" in message


@pytest.mark.owner_only
@pytest.mark.django_db
def test_truncate_and_reset_is_found_by_the_checkpoint_files(audit_checkpoint_dir):
    _sealed(3)
    from audit.services import _write_checkpoint_file

    for checkpoint in AuditCheckpoint.objects.all():
        _write_checkpoint_file(checkpoint.pk)
    if connection.vendor == "postgresql":
        _tamper("TRUNCATE audit_auditseal, audit_auditcheckpoint, audit_auditevent")
    else:
        for table in AUDIT_TABLES:
            _tamper(f"DELETE FROM {table}")
    message = _verify_output()
    assert "log truncated" in message and "0 are in the log" in message


@pytest.mark.django_db
def test_an_edited_checkpoint_file_is_found(audit_checkpoint_dir):
    _sealed(2)
    from audit.services import _write_checkpoint_file

    checkpoint = AuditCheckpoint.objects.order_by("-tree_size").first()
    _write_checkpoint_file(checkpoint.pk)
    path = next(audit_checkpoint_dir.glob("checkpoint-*.txt"))
    path.write_text(path.read_text().replace(checkpoint.root_hash, "0" * 64))
    assert "signature does not verify" in _verify_output()


def _run_verifier(tmp_path: Path, proof: dict[str, object]) -> subprocess.CompletedProcess[str]:
    """The stand-alone verifier in a fresh interpreter with no Django settings at all."""
    (tmp_path / "public.pem").write_text(public_key_pem())
    (tmp_path / "proof.json").write_text(json.dumps(proof))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO", "FAIRDUE"))}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "audit.verifier",
            "--public-key",
            str(tmp_path / "public.pem"),
            str(tmp_path / "proof.json"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.django_db
def test_inclusion_proof_verifies_stand_alone_and_a_changed_entry_does_not(tmp_path):
    events = _sealed(11)
    chosen = [events[0].pk, events[6].pk, events[10].pk]
    proof = audit_inclusion_proof(event_ids=chosen)
    assert [item["event_id"] for item in proof["entries"]] == chosen
    result = _run_verifier(tmp_path, proof)
    assert result.returncode == 0, result.stdout + result.stderr
    entry = json.loads(proof["entries"][1]["entry"])
    entry["data"] = {"i": 12345}
    proof["entries"][1]["entry"] = json.dumps(entry, sort_keys=True, separators=(",", ":"))
    result = _run_verifier(tmp_path, proof)
    assert result.returncode == 1 and "not in the tree" in result.stdout


@pytest.mark.django_db
def test_consistency_proof_between_two_checkpoints(tmp_path):
    _sealed(5)
    first = AuditCheckpoint.objects.order_by("-tree_size").first().tree_size
    _sealed(8)
    second = AuditCheckpoint.objects.order_by("-tree_size").first().tree_size
    proof = audit_consistency_proof(first_size=first, second_size=second)
    assert _run_verifier(tmp_path, proof).returncode == 0
    proof["consistency_path"][0] = "00" * 32
    assert _run_verifier(tmp_path, proof).returncode == 1


@pytest.mark.django_db
def test_audit_proof_command_writes_json(tmp_path):
    events = _sealed(3)
    out = tmp_path / "proof.json"
    call_command("audit_proof", "--event", str(events[1].pk), "--output", str(out))
    proof = json.loads(out.read_text())
    assert proof["format"] == "fairdue-audit-inclusion/v1" and proof["entries"][0]["event_id"] == events[1].pk


@pytest.mark.django_db(transaction=True)
def test_an_audited_commit_nudges_the_sealer_once(monkeypatch):
    from django.core.cache import cache

    from audit import tasks

    calls = []
    monkeypatch.setattr(tasks.audit_seal_task, "apply_async", lambda *a, **k: calls.append(k))
    cache.delete("audit:seal-kick")
    with transaction.atomic():
        for i in range(5):
            audit_record(action="test.event", actor=None, object_id=i)
    assert len(calls) == 1


@pytest.mark.django_db
def test_the_staff_dashboard_shows_the_seal_lag(verified_agent_client):
    verified_agent_client.cookies["django_language"] = "en"
    _record(2)
    page = verified_agent_client.get("/staff/").content.decode()
    waiting = audit_seal_status().unsealed
    assert waiting >= 2 and f"{waiting} waiting" in page
    audit_seal(force_checkpoint=True)
    page = verified_agent_client.get("/staff/").content.decode()
    assert "0 waiting" in page and "Last signed checkpoint" in page
