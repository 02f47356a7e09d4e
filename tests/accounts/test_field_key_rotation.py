"""Rotating the field-encryption key: after `field_keys_rotate` every national ID decrypts with the
new key alone, and the lookup digest follows the new key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.test import override_settings

from accounts import crypto
from accounts.models import CustomerProfile
from tests.accounts.factories import make_customer

pytestmark = pytest.mark.django_db


def test_rotation_re_encrypts_under_the_new_key_and_the_old_key_can_then_be_dropped(settings) -> None:
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    profiles = [make_customer() for _ in range(3)]
    plain = {p.pk: p.national_id_plain() for p in profiles}
    new = Fernet.generate_key().decode()
    try:
        with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
            crypto._fernet.cache_clear()
            call_command("field_keys_rotate")
            expected_digest = {pk: crypto.keyed_digest(value) for pk, value in plain.items()}
        with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
            crypto._fernet.cache_clear()
            for profile in CustomerProfile.objects.filter(pk__in=plain):
                assert profile.national_id_plain() == plain[profile.pk]
                assert profile.national_id_digest == expected_digest[profile.pk]
        with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
            crypto._fernet.cache_clear()
            with pytest.raises(InvalidToken):
                CustomerProfile.objects.get(pk=profiles[0].pk).national_id_plain()
    finally:
        crypto._fernet.cache_clear()
