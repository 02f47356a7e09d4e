"""Encryption at rest for personal data such as national ID numbers."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt_text(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def keyed_digest(value: str) -> str:
    """Stable HMAC for uniqueness checks without storing the value itself."""
    key = settings.FIELD_ENCRYPTION_KEYS[0].encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def mask_national_id(value: str) -> str:
    """``310101199001011234`` → ``3101**********1234``."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
