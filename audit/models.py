"""Append-only audit trail: events, their seals, signed checkpoints.

Writers only INSERT an ``AuditEvent`` inside their own transaction (no shared row, no lock).
A single sealer (``audit.services.audit_seal``) later gives committed events their position
(``AuditSeal.seq``), an RFC 9162 leaf hash over the event's canonical JSON, and a keyed
chain hash (HMAC-SHA-256 with ``AUDIT_CHAIN_KEY``, which never enters the database); it
writes Ed25519-signed ``AuditCheckpoint``s (tree size, Merkle root, chain head) to the
database and to files outside it. All three tables are append-only: on PostgreSQL
triggers refuse UPDATE, DELETE and TRUNCATE, and under the least-privilege role
(``manage.py audit_grants``) the application may only INSERT and SELECT them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("occurred at"), editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        # The trail must outlive users; no cascading write may ever touch it.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=200)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    subject_user_id = models.BigIntegerField(_("affected customer user id"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id", "occurred_at"]),
            models.Index(fields=["subject_user_id", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class AuditSeal(models.Model):
    """An event's place in the log: position, RFC 9162 leaf hash, keyed chain hash."""

    seq = models.PositiveBigIntegerField(_("position"), unique=True)  # 1-based; leaf index is seq - 1
    event = models.OneToOneField(
        AuditEvent, verbose_name=_("event"), on_delete=models.DO_NOTHING, related_name="seal", db_constraint=False
    )
    leaf_hash = models.CharField(_("leaf hash"), max_length=64)
    chain_hash = models.CharField(_("chain hash"), max_length=64, unique=True)
    sealed_at = models.DateTimeField(_("sealed at"))

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")

    def __str__(self) -> str:
        return f"seal #{self.seq} event {self.event_id}"


class AuditCheckpoint(models.Model):
    """A signed statement of the log's size and Merkle root at a moment (also kept as a file).

    ``frontier`` (the perfect-subtree roots, hex, largest first) lets the sealer extend the
    tree without reading it again; a verifier recomputes everything from the events.
    """

    tree_size = models.PositiveBigIntegerField(_("tree size"), unique=True)
    root_hash = models.CharField(_("root hash"), max_length=64)
    chain_hash = models.CharField(_("chain head"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    frontier = models.JSONField(_("frontier"), default=list)
    body = models.TextField(_("signed text"))
    signature = models.CharField(_("signature"), max_length=200)

    class Meta:
        ordering = ["tree_size"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"checkpoint size={self.tree_size}"
