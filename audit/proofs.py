"""Inclusion and consistency proofs (RFC 9162) for evidence bundles, checked by ``audit.verifier``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFoundError

from . import merkle
from .hashing import event_entry
from .models import AuditCheckpoint, AuditEvent, AuditSeal


def _leaves(tree_size: int) -> list[bytes]:
    rows = AuditSeal.objects.filter(seq__lte=tree_size).order_by("seq").values_list("leaf_hash", flat=True)
    leaves = [bytes.fromhex(leaf) for leaf in rows.iterator(chunk_size=10_000)]
    if len(leaves) != tree_size:
        raise ApplicationError(code="audit_log_incomplete", message=_("The audit log is missing sealed events."))
    return leaves


def _checkpoint_json(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    return {"checkpoint": checkpoint.body, "signature": checkpoint.signature}


def audit_inclusion_proof(*, event_ids: list[int], tree_size: int | None = None) -> dict[str, Any]:
    """Proof that each event is in the log signed at a checkpoint (the first that covers them all,
    or the one of ``tree_size``)."""
    seals = {seal.event_id: seal for seal in AuditSeal.objects.filter(event_id__in=event_ids)}
    missing = [event_id for event_id in event_ids if event_id not in seals]
    if missing:
        raise NotFoundError(
            code="audit_event_not_sealed",
            message=_("Events %(ids)s are not (yet) sealed in the audit log.") % {"ids": missing},
        )
    highest = max(seal.seq for seal in seals.values())
    checkpoints = AuditCheckpoint.objects.order_by("tree_size")
    checkpoint = (
        checkpoints.filter(tree_size=tree_size).first()
        if tree_size is not None
        else checkpoints.filter(tree_size__gte=highest).first()
    )
    if checkpoint is None or checkpoint.tree_size < highest:
        raise NotFoundError(
            code="audit_checkpoint_not_found",
            message=_("No signed checkpoint covers these events yet; seal with a checkpoint first."),
        )
    leaves = _leaves(checkpoint.tree_size)
    events = AuditEvent.objects.in_bulk(event_ids)
    entries = []
    for event_id in event_ids:
        seal = seals[event_id]
        index = seal.seq - 1
        entries.append(
            {
                "event_id": event_id,
                "leaf_index": index,
                "entry": event_entry(events[event_id], seal.seq).decode(),
                "inclusion_path": [node.hex() for node in merkle.inclusion_path(index, leaves)],
            }
        )
    return {"format": "fairdue-audit-inclusion/v1", **_checkpoint_json(checkpoint), "entries": entries}


def audit_consistency_proof(*, first_size: int, second_size: int) -> dict[str, Any]:
    """Proof that the log signed at ``second_size`` only appended to the one signed at ``first_size``."""
    first = AuditCheckpoint.objects.filter(tree_size=first_size).first()
    second = AuditCheckpoint.objects.filter(tree_size=second_size).first()
    if first is None or second is None or first_size > second_size:
        raise NotFoundError(code="audit_checkpoint_not_found", message=_("Choose two signed checkpoints, older first."))
    leaves = _leaves(second_size)
    path = merkle.consistency_proof(first_size, leaves) if first_size < second_size else []
    return {
        "format": "fairdue-audit-consistency/v1",
        "first": _checkpoint_json(first),
        "second": _checkpoint_json(second),
        "consistency_path": [node.hex() for node in path],
    }
