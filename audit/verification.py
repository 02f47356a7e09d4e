"""Verification of the whole audit log against the chain key and the signed checkpoints.

An attacker with full database access but without the keys can edit, delete, reorder or
insert rows and recompute every unkeyed hash; each of those still breaks at least one of:

- an event's content against its seal's leaf hash (edited);
- the seal positions 1..n without gaps and each seal's event present (deleted, reordered);
- the keyed chain hash, which needs ``AUDIT_CHAIN_KEY`` to recompute (rewritten, inserted);
- the Merkle root at each checkpoint, and each checkpoint's Ed25519 signature;
- the checkpoint files outside the database (truncated, tail cut, checkpoints rewritten).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from . import merkle
from .hashing import GENESIS_CHAIN_HASH, chain_hash, event_entry, leaf_hash_hex
from .keys import chain_key, checkpoint_dir, public_key
from .models import AuditCheckpoint, AuditEvent, AuditSeal
from .verifier import parse_checkpoint, signature_valid, split_checkpoint_file


@dataclass(frozen=True)
class LogBreak:
    problem: str
    seq: int | None = None
    event_id: int | None = None

    def describe(self) -> str:
        where = []
        if self.seq is not None:
            where.append(f"seq={self.seq}")
        if self.event_id is not None:
            where.append(f"event id={self.event_id}")
        return f"{' '.join(where)}: {self.problem}" if where else self.problem


@dataclass
class LogReport:
    checked: int = 0
    checkpoints: int = 0
    checkpoint_files: int = 0
    unsealed: int = 0
    breaks: list[LogBreak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> LogBreak | None:
        return self.breaks[0] if self.breaks else None


@dataclass(frozen=True)
class _FileCheckpoint:
    path: Path
    tree_size: int
    root_hash: str
    chain_hash: str


def _read_checkpoint_files(directory: Path, key: Ed25519PublicKey, report: LogReport) -> list[_FileCheckpoint]:
    found: list[_FileCheckpoint] = []
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob("checkpoint-*.txt")):
        try:
            body, signature = split_checkpoint_file(path.read_text(encoding="utf-8"))
            checkpoint = parse_checkpoint(body)
        except (OSError, ValueError, KeyError) as exc:
            report.breaks.append(LogBreak(f"checkpoint file {path.name} is unreadable ({exc})"))
            continue
        if not signature_valid(key, body, signature):
            report.breaks.append(LogBreak(f"checkpoint file {path.name}: signature does not verify"))
            continue
        found.append(_FileCheckpoint(path, checkpoint.tree_size, checkpoint.root_hash, checkpoint.chain_hash))
    report.checkpoint_files = len(found)
    return found


def audit_log_verify(*, chunk_size: int = 2000, directory: Path | None = None) -> LogReport:
    """Walk every seal in order against its event, the chain key and every checkpoint."""
    report = LogReport()
    key = chain_key()
    verifying_key = public_key()
    stored = list(AuditCheckpoint.objects.order_by("tree_size"))
    files = _read_checkpoint_files(directory or checkpoint_dir(), verifying_key, report)
    expected: dict[int, list[tuple[str, str, str]]] = {}
    for checkpoint in stored:
        if not signature_valid(verifying_key, checkpoint.body, checkpoint.signature):
            report.breaks.append(LogBreak(f"checkpoint of size {checkpoint.tree_size}: signature does not verify"))
            continue
        parsed = parse_checkpoint(checkpoint.body)
        if (parsed.tree_size, parsed.root_hash) != (checkpoint.tree_size, checkpoint.root_hash):
            report.breaks.append(LogBreak(f"checkpoint of size {checkpoint.tree_size}: row differs from signed text"))
        expected.setdefault(parsed.tree_size, []).append(("database", parsed.root_hash, parsed.chain_hash))
        report.checkpoints += 1
    for item in files:
        expected.setdefault(item.tree_size, []).append((f"file {item.path.name}", item.root_hash, item.chain_hash))

    frontier = merkle.Frontier()
    previous = GENESIS_CHAIN_HASH
    seals = AuditSeal.objects.order_by("seq").values_list("seq", "event_id", "leaf_hash", "chain_hash")
    batch: list[tuple[int, int, str, str]] = []

    def check(rows: list[tuple[int, int, str, str]]) -> bool:
        nonlocal previous
        events = AuditEvent.objects.in_bulk([row[1] for row in rows])
        for seq, event_id, leaf, sealed_chain in rows:
            position = frontier.size + 1
            if seq != position:
                report.breaks.append(
                    LogBreak(f"expected position {position}: sealed events missing or reordered", seq, event_id)
                )
                return False
            event = events.get(event_id)
            if event is None:
                report.breaks.append(LogBreak("the sealed event is missing (deleted)", seq, event_id))
                return False
            if leaf_hash_hex(event_entry(event, seq)) != leaf:
                report.breaks.append(LogBreak("content does not match its seal (edited)", seq, event_id))
                return False
            previous = chain_hash(key, previous, leaf)
            if previous != sealed_chain:
                report.breaks.append(LogBreak("keyed chain hash does not match (rewritten or inserted)", seq, event_id))
                return False
            frontier.append(bytes.fromhex(leaf))
            report.checked += 1
            for source, root, chain in expected.get(frontier.size, []):
                if frontier.root().hex() != root or previous != chain:
                    report.breaks.append(
                        LogBreak(f"{source}: the log of {frontier.size} events no longer has the signed root", seq)
                    )
                    return False
        return True

    for row in seals.iterator(chunk_size=chunk_size):
        batch.append(row)
        if len(batch) >= chunk_size:
            if not check(batch):
                return report
            batch = []
    if batch and not check(batch):
        return report

    beyond = sorted({size for size in expected if size > frontier.size})
    if beyond:
        report.breaks.append(
            LogBreak(
                f"log truncated: a signed checkpoint covers {beyond[-1]} events, only {frontier.size} are in the log"
            )
        )
    cutoff = timezone.now() - dt.timedelta(seconds=int(getattr(settings, "AUDIT_SEAL_MAX_LAG_SECONDS", 3600)))
    unsealed = AuditEvent.objects.filter(seal__isnull=True)
    report.unsealed = unsealed.count()
    stale = unsealed.filter(occurred_at__lt=cutoff).order_by("pk").first()
    if stale is not None:
        report.breaks.append(LogBreak("committed long ago but never sealed (inserted behind the log)", None, stale.pk))
    return report
