from __future__ import annotations

from django.db.models import QuerySet
from django_otp.plugins.otp_static.models import StaticToken

from accounts.codes import AccountsError
from core.errors import NotFoundError

from .models import CustomerProfile, User
from .roles import Role


def user_has_role(user: User, role: Role) -> bool:
    return user.groups.filter(name=role).exists()


def user_is_admin(user: User) -> bool:
    """Administrators: active staff who are superusers or hold the admin role."""
    return bool(user.is_active and user.is_staff and (user.is_superuser or user_has_role(user, Role.ADMIN)))


def backup_codes_remaining(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def customer_profiles_for_staff(*, user: User) -> QuerySet[CustomerProfile]:
    """Customers a staff user may see. Agencies see only accounts placed with them
    (placements arrive with casework; until then an agency sees none)."""
    qs = CustomerProfile.objects.select_related("user").order_by("customer_number")
    if user_has_role(user, Role.AGENCY) and not user.is_superuser:
        return qs.none()
    return qs


def customer_profile_get_for_staff(*, user: User, pk: int) -> CustomerProfile:
    profile = customer_profiles_for_staff(user=user).prefetch_related("emergency_contacts").filter(pk=pk).first()
    if profile is None:
        raise NotFoundError(code=AccountsError.CUSTOMER_NOT_FOUND, message="Customer not found.")
    return profile


def customer_profile_for_user(*, user: User) -> CustomerProfile:
    """The login's customer profile (already loaded with the request's user: no query)."""
    try:
        return user.customer_profile
    except CustomerProfile.DoesNotExist as exc:
        raise NotFoundError(
            code=AccountsError.CUSTOMER_NOT_FOUND, message="No customer profile for this login."
        ) from exc
