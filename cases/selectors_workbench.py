"""Small reads of the workbench pages: saved views, teams, agents one may assign to."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import WORK_ACCOUNTS, Role

from .models import SavedView, Team


def saved_views_for(*, user: User) -> list[SavedView]:
    return list(SavedView.objects.filter(owner=user).order_by("name"))


def teams_for_assignment() -> list[tuple[int, str]]:
    return [(t.pk, t.name) for t in Team.objects.order_by("name")]


def assignable_agents() -> list[tuple[int, str]]:
    """The lender's own active staff who work accounts (agents and supervisors; no agency)."""
    app_label, codename = WORK_ACCOUNTS.split(".")
    users: QuerySet[User] = (
        User.objects.filter(
            is_active=True,
            is_staff=True,
            groups__permissions__codename=codename,
            groups__permissions__content_type__app_label=app_label,
        )
        .exclude(groups__name=Role.AGENCY)
        .distinct()
        .order_by("full_name", "email")
    )
    return [(u.pk, str(u)) for u in users]
