from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
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


def user_is_agency(user: User) -> bool:
    """An external agency's user: sees only the accounts placed with its agency. Remembered on
    the user object, so a page asks the database once."""
    cached = getattr(user, "_is_agency_user", None)
    if cached is None:
        cached = bool(not user.is_superuser and user_has_role(user, Role.AGENCY))
        user._is_agency_user = cached  # type: ignore[attr-defined]
    return cached


def placed_with_user_agency(user: User, *, prefix: str = "") -> Q:
    """The rows (contracts, or through ``prefix`` the rows that lead to one) placed now with an
    agency the user belongs to: an active placement whose period has not ended. The placements
    are casework's (``cases.AgencyPlacement``); this layer names them only by their relation."""
    today = timezone.localdate()
    return Q(
        **{
            f"{prefix}agency_placements__status": "active",
            f"{prefix}agency_placements__placed_on__lte": today,
            f"{prefix}agency_placements__ends_on__gte": today,
            f"{prefix}agency_placements__agency__is_active": True,
            f"{prefix}agency_placements__agency__members": user,
        }
    )


def customer_profiles_for_staff(*, user: User) -> QuerySet[CustomerProfile]:
    """Customers a staff user may see. Agencies see only customers with an account placed
    with them now (``placed_with_user_agency``)."""
    qs = CustomerProfile.objects.select_related("user").order_by("customer_number")
    if user_is_agency(user):
        placed = CustomerProfile.objects.filter(placed_with_user_agency(user, prefix="contracts__")).values("pk")
        return qs.filter(pk__in=placed)
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
