from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .identifiers import normalise_identifier
from .models import User


class _UserWithProfileMixin:
    """The signed-in user and their customer profile in one query per request."""

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("customer_profile").filter(pk=user_id).first()
        return user if user is not None and user.is_active else None


class EmailOrPhoneBackend(_UserWithProfileMixin, ModelBackend):
    """Authenticate by email address or mainland mobile number, however formatted."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        try:
            kind, value = normalise_identifier(username)
        except ValidationError:
            return None
        user = User.objects.filter(**{kind: value}).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class LoginCodeBackend(_UserWithProfileMixin, ModelBackend):
    """Customers may sign in with their mobile number and a one-time SMS code."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, code: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or not code:
            return None
        from .services import login_code_check

        user = login_code_check(phone=username, code=code)
        return user if user is not None and self.user_can_authenticate(user) else None
