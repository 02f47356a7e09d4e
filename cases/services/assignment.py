"""Assignment of overdue accounts to agents and teams, and saved queue views."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import ASSIGN_ACCOUNTS, WORK_ACCOUNTS
from accounts.selectors import user_is_agency
from audit.services import audit_record
from contracts.models import Contract
from core.errors import ApplicationError

from ..codes import CasesAction, CasesError
from ..models import Assignment, SavedView, Team
from ._common import require_perm

MAX_BULK = 500


def _assignee(agent_id: int | None, team_id: int | None) -> tuple[User | None, Team | None]:
    agent = team = None
    if team_id:
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise ApplicationError(code=CasesError.ASSIGNEE_INVALID, message=_("Unknown team."), field="team")
    if agent_id:
        agent = User.objects.filter(pk=agent_id, is_active=True, is_staff=True).first()
        if agent is None or not agent.has_perm(WORK_ACCOUNTS) or user_is_agency(agent):
            raise ApplicationError(
                code=CasesError.ASSIGNEE_INVALID,
                message=_("Accounts are assigned only to the lender's own active agents."),
                field="agent",
            )
        if team is not None and not team.members.filter(pk=agent.pk).exists():
            raise ApplicationError(
                code=CasesError.ASSIGNEE_INVALID, message=_("The agent is not a member of that team."), field="agent"
            )
    return agent, team


@transaction.atomic
def accounts_assign(
    *, actor: User, contract_ids: Iterable[int], agent_id: int | None = None, team_id: int | None = None
) -> int:
    """Assign (or re-assign, or with neither agent nor team un-assign) one or many accounts.
    Supervisors only (``cases.assign_accounts``); all or nothing; one audit event per account
    with who had it before."""
    require_perm(actor, ASSIGN_ACCOUNTS)
    ids = sorted({int(pk) for pk in contract_ids})
    if not ids:
        raise ApplicationError(code=CasesError.NOTHING_SELECTED, message=_("Select at least one account."))
    if len(ids) > MAX_BULK:
        raise ApplicationError(
            code=CasesError.NOTHING_SELECTED,
            message=_("Assign at most %(max)s accounts at a time.") % {"max": MAX_BULK},
        )
    agent, team = _assignee(agent_id, team_id)
    contracts = list(Contract.objects.select_for_update().filter(pk__in=ids).select_related("customer"))
    if len(contracts) != len(ids):
        raise ApplicationError(code=CasesError.NOTHING_SELECTED, message=_("Some of the accounts do not exist."))
    existing = {a.contract_id: a for a in Assignment.objects.select_for_update().filter(contract_id__in=ids)}
    now = timezone.now()
    for contract in contracts:
        assignment = existing.get(contract.pk)
        before = (
            {"agent": assignment.agent_id, "team": assignment.team_id} if assignment else {"agent": None, "team": None}
        )
        if assignment is None:
            assignment = Assignment(contract=contract)
        assignment.agent = agent
        assignment.team = team
        assignment.assigned_by = actor
        assignment.assigned_at = now
        assignment.save()
        audit_record(
            action=CasesAction.ASSIGNMENT_SET,
            actor=actor,
            obj=assignment,
            subject_user_id=contract.customer.user_id,
            data={
                "contract": contract.number,
                "before": before,
                "after": {"agent": agent.pk if agent else None, "team": team.pk if team else None},
                "bulk": len(ids) > 1,
            },
        )
    return len(contracts)


@transaction.atomic
def saved_view_save(*, actor: User, name: str, filters: dict[str, Any]) -> SavedView:
    """Save the queue's current filters under a name (the same name replaces them)."""
    require_perm(actor, WORK_ACCOUNTS)
    name = name.strip()
    if not name or len(name) > 60:
        raise ApplicationError(
            code=CasesError.VIEW_NAME, message=_("Give the view a name of at most 60 characters."), field="name"
        )
    clean = {str(k): str(v) for k, v in filters.items() if v not in (None, "", False)}
    view, _created = SavedView.objects.update_or_create(owner=actor, name=name, defaults={"filters": clean})
    audit_record(action=CasesAction.SAVED_VIEW_SAVED, actor=actor, obj=view, data={"name": name, "filters": clean})
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, view_id: int) -> None:
    view = SavedView.objects.select_for_update().filter(pk=view_id, owner=actor).first()
    if view is None:
        raise ApplicationError(code=CasesError.VIEW_NAME, message=_("No such saved view."))
    audit_record(action=CasesAction.SAVED_VIEW_DELETED, actor=actor, obj=view, data={"name": view.name})
    view.delete()


@transaction.atomic
def team_save(*, actor: User, team: Team, changed: list[str]) -> Team:
    """Create or rename a team (admin); audited. Members are recorded by ``members_recorded``."""
    require_perm(actor, ASSIGN_ACCOUNTS)
    created = team.pk is None
    team.full_clean()
    team.save()
    audit_record(
        action=CasesAction.TEAM_SAVED,
        actor=actor,
        obj=team,
        data={"created": created, "changed": sorted(changed), "name": team.name},
    )
    return team
