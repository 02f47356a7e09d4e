"""Administrators editing users, their roles and customer records (the admin's save paths):
every change audited with what changed."""

from __future__ import annotations

from typing import Any, ParamSpec, TypeVar

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.codes import AccountsAction, AccountsError
from audit.services import audit_record
from core.errors import ForbiddenError

from ..models import (
    CustomerProfile,
    User,
)

P = ParamSpec("P")
T = TypeVar("T")


# --- administrators editing users --------------------------------------------------------------
USER_ADMIN_FIELDS = ("email", "phone", "full_name", "language", "is_active", "is_staff", "is_superuser")


def _require_admin(actor: User) -> None:
    if not actor.has_perm("accounts.change_user"):
        raise ForbiddenError(code=AccountsError.USER_CHANGE_FORBIDDEN, message=_("Only administrators edit users."))


@transaction.atomic
def user_admin_save(*, actor: User, user: User, changed: list[str], created: bool) -> User:
    """An administrator creates or edits a user (admin form): saved here, audited with each
    changed field's value before and after (passwords never)."""
    _require_admin(actor)
    fields = [name for name in changed if name in USER_ADMIN_FIELDS]
    before: dict[str, Any] = {}
    if not created:
        current = User.objects.select_for_update().get(pk=user.pk)
        before = {name: getattr(current, name) for name in fields}
    user.save()
    audit_record(
        action=AccountsAction.USER_CREATED_BY_ADMIN if created else AccountsAction.USER_UPDATED,
        actor=actor,
        obj=user,
        subject_user_id=user.pk,
        data={"changes": {name: {"before": before.get(name), "after": getattr(user, name)} for name in fields}},
    )
    return user


@transaction.atomic
def user_roles_set(*, actor: User, user_id: int, group_ids: list[int]) -> list[str]:
    """An administrator sets a user's roles (groups); the change is audited before and after.
    Nobody changes their own roles."""
    _require_admin(actor)
    user = User.objects.select_for_update().get(pk=user_id)
    before = sorted(user.groups.values_list("name", flat=True))
    after = sorted(Group.objects.filter(pk__in=group_ids).values_list("name", flat=True))
    if before == after:
        return after
    if user.pk == actor.pk:
        raise ForbiddenError(code=AccountsError.OWN_ROLES, message=_("You cannot change your own roles."))
    user.groups.set(group_ids)
    audit_record(
        action=AccountsAction.ROLES_CHANGED,
        actor=actor,
        obj=user,
        subject_user_id=user.pk,
        data={"before": before, "after": after},
    )
    return after


@transaction.atomic
def customer_profile_admin_save(*, actor: User, profile: CustomerProfile, changed: list[str]) -> CustomerProfile:
    """An administrator corrects a customer's record in the admin; audited field by field
    (values are personal data: the event names the fields, not their contents)."""
    if not actor.has_perm("accounts.change_customerprofile"):
        raise ForbiddenError(
            code=AccountsError.USER_CHANGE_FORBIDDEN, message=_("Only administrators edit customer records.")
        )
    profile.save()
    audit_record(
        action=AccountsAction.CUSTOMER_UPDATED,
        actor=actor,
        obj=profile,
        subject_user_id=profile.user_id,
        data={"fields": sorted(changed)},
    )
    return profile
