"""Who may do what to a case, now: the one place the staff page and the services ask.

``case_actions_for`` lists the actions a user may take on a case in its current state (the
staff page offers nothing else); every transition service calls ``case_action_require``
first, so a crafted POST meets the same rule as the page.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ApplicationError, ConflictError

from .codes import AppealsError
from .models import Case

APPROVE_REMEDY_PERMISSION = "appeals.approve_case_remedy"


class CaseAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    INVESTIGATE = "investigate"
    RESOLVE = "resolve"
    APPROVE = "approve"
    DECIDE_APPEAL = "decide_appeal"
    CLOSE = "close"


def _not_now(message: str) -> ApplicationError:
    return ApplicationError(code=AppealsError.CASE_TRANSITION_NOT_ALLOWED, message=message)


def case_action_refusal(*, user: User | None, case: Case, action: CaseAction) -> ApplicationError | None:
    """Why ``user`` may not take ``action`` on ``case`` now (None: allowed).

    A remedy waiting for its second approval freezes the decision: nobody investigates or
    resolves again until someone other than the first reviewer, holding the approval
    permission, approves it. An appeal is decided by someone other than the first reviewer.
    ``user`` None is the system (closing cases on a schedule).
    """
    pending = bool(case.remedy.get("pending"))
    if action == CaseAction.ACKNOWLEDGE and not case.can_acknowledge():
        return _not_now(_("This case cannot be acknowledged now."))
    if action in (CaseAction.INVESTIGATE, CaseAction.RESOLVE) and pending:
        return ApplicationError(
            code=AppealsError.REMEDY_PENDING, message=_("The remedy is waiting for a second approval.")
        )
    if action == CaseAction.INVESTIGATE and not case.can_investigate():
        return _not_now(_("This case cannot be investigated now."))
    if action == CaseAction.RESOLVE and not case.can_resolve():
        decided_by = case.first_reviewer if case.outcome else None
        if decided_by is not None:
            # Typically two people deciding at once: the other decision was recorded first.
            return ConflictError(
                code=AppealsError.ALREADY_DECIDED,
                message=_(
                    "%(name)s has already decided this case (%(outcome)s); your decision was not recorded. "
                    "Read theirs below before doing anything else."
                )
                % {
                    "name": decided_by.full_name or decided_by.email,
                    "outcome": case.get_outcome_display(),
                },
            )
        return _not_now(_("This case cannot be resolved now."))
    if action == CaseAction.APPROVE:
        if not pending:
            return ApplicationError(
                code=AppealsError.NOTHING_TO_APPROVE, message=_("There is no remedy waiting for approval.")
            )
        if user is not None and user.pk == case.first_reviewer_id:
            return ApplicationError(
                code=AppealsError.APPROVER_IS_REVIEWER, message=_("The second approval must come from someone else.")
            )
        if user is None or not user.has_perm(APPROVE_REMEDY_PERMISSION):
            return ApplicationError(code=AppealsError.APPROVAL_NOT_ALLOWED, message=_("You cannot approve remedies."))
    if action == CaseAction.DECIDE_APPEAL:
        if not case.can_decide_appeal():
            return _not_now(_("There is no appeal to decide."))
        if user is not None and user.pk == case.first_reviewer_id:
            return ApplicationError(
                code=AppealsError.SAME_REVIEWER,
                message=_("An appeal is reviewed by someone other than the first reviewer."),
            )
    if action == CaseAction.CLOSE and not case.can_close():
        return _not_now(_("This case cannot be closed now."))
    return None


def case_action_require(*, user: User | None, case: Case, action: CaseAction) -> None:
    refusal = case_action_refusal(user=user, case=case, action=action)
    if refusal is not None:
        raise refusal


def case_actions_for(*, user: User, case: Case) -> list[CaseAction]:
    """The actions ``user`` may take on ``case`` now, in the order the page shows them."""
    return [action for action in CaseAction if case_action_refusal(user=user, case=case, action=action) is None]
