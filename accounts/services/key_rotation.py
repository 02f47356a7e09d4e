"""Rotating the field-encryption key (``FIELD_ENCRYPTION_KEY``, a comma-separated list).

Put the new key first and keep the old ones after it: everything still decrypts, new writes use
the new key. ``manage.py field_keys_rotate`` then re-encrypts every stored national ID under the
first key and recomputes its lookup digest (an HMAC under the first key), in batches, each batch
in one transaction with one audit event. When it reports nothing left under an old key, remove the
old key from the list. See docs/OPERATIONS.md.
"""

from __future__ import annotations

from django.db import transaction

from accounts.codes import AccountsAction
from audit.services import audit_record

from ..crypto import _fernet, keyed_digest
from ..models import CustomerProfile

BATCH = 1000


def field_keys_rotate(*, batch: int = BATCH) -> int:
    """Re-encrypt every national ID under the first key; returns the number of profiles rewritten."""
    fernet = _fernet()
    rewritten = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                CustomerProfile.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .exclude(national_id_encrypted="")
                .order_by("pk")[:batch]
            )
            if not rows:
                return rewritten
            for row in rows:
                plain = fernet.decrypt(row.national_id_encrypted.encode()).decode()
                row.national_id_encrypted = fernet.rotate(row.national_id_encrypted.encode()).decode()
                row.national_id_digest = keyed_digest(plain)
            CustomerProfile.objects.bulk_update(rows, ["national_id_encrypted", "national_id_digest"])
            audit_record(
                action=AccountsAction.FIELD_KEYS_ROTATED,
                actor=None,
                object_type="accounts.customerprofile",
                data={"profiles": len(rows), "first_id": rows[0].pk, "last_id": rows[-1].pk},
            )
            rewritten += len(rows)
            last_pk = rows[-1].pk
