"""The audit log's keys, kept outside the database.

- ``AUDIT_CHAIN_KEY``: the HMAC key of the chain hash (any string; 32+ random bytes).
- ``AUDIT_SIGNING_KEY`` (PEM, or base64 of the 32-byte Ed25519 seed) or ``AUDIT_SIGNING_KEY_FILE``
  (a PEM file): the private key that signs checkpoints. Anyone holding only the public key
  (``manage.py audit_public_key``) can verify checkpoints and inclusion proofs.

Embedded default (``make run``, tests): the chain key is derived from ``SECRET_KEY`` and a
signing key is generated once under ``FAIRDUE_VAR_DIR/audit/``; ``check --deploy`` warns when
production runs on these defaults.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


def chain_key_configured() -> bool:
    return bool(getattr(settings, "AUDIT_CHAIN_KEY", ""))


def signing_key_configured() -> bool:
    return bool(getattr(settings, "AUDIT_SIGNING_KEY", "") or getattr(settings, "AUDIT_SIGNING_KEY_FILE", ""))


def chain_key() -> bytes:
    configured = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if configured:
        return str(configured).encode()
    return hashlib.sha256(b"fairdue-audit-chain\x00" + settings.SECRET_KEY.encode()).digest()


def _load_private(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("AUDIT_SIGNING_KEY is not an Ed25519 key")
        return key
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text))


def _default_key_path() -> Path:
    return Path(settings.VAR_DIR) / "audit" / "signing-key.pem"


@cache
def _signing_key_cached(source: str) -> Ed25519PrivateKey:
    if source.startswith("file:"):
        return _load_private(Path(source[5:]).read_text())
    return _load_private(source)


def signing_key() -> Ed25519PrivateKey:
    configured = getattr(settings, "AUDIT_SIGNING_KEY", "")
    if configured:
        return _signing_key_cached(str(configured))
    path = Path(getattr(settings, "AUDIT_SIGNING_KEY_FILE", "") or _default_key_path())
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Exclusive create: two processes starting together keep one key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    return _signing_key_cached(f"file:{path}")


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_pem() -> str:
    return (
        public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    )


def checkpoint_dir() -> Path:
    configured = getattr(settings, "AUDIT_CHECKPOINT_DIR", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "audit" / "checkpoints"
