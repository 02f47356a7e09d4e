"""Reads of the legal-route pages: cases by status, one case with what may be done next, its
steps and bundles, and a contract's cases."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, QuerySet
from django.utils.translation import gettext as _

from contracts.models import Contract
from core.errors import NotFoundError
from notices.models import Notice, Purpose

from .codes import CasesError
from .models import LEGAL_TRANSITIONS, JudgmentOutcome, LegalBundle, LegalCase, LegalStatus, LegalStep

LEGAL_PAGE_SIZE = 50
# The action that moves a case to each status, in the workflow's order.
ACTION_TO = {
    "refer": LegalStatus.REFERRED,
    "file": LegalStatus.FILED,
    "judgment": LegalStatus.JUDGMENT,
    "enforce": LegalStatus.ENFORCEMENT,
    "close": LegalStatus.CLOSED,
}


def legal_cases_list(*, status: str = "") -> QuerySet[LegalCase]:
    """Cases, newest first, of one status (empty: every status). One query a page."""
    cases = LegalCase.objects.select_related("contract", "contract__customer").order_by("-opened_at", "-id")
    if status in LegalStatus.values:
        cases = cases.filter(status=status)
    return cases


def legal_status_counts() -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, in the workflow's order. One query."""
    counts = dict(LegalCase.objects.order_by().values_list("status").annotate(n=Count("id")))
    return [(value, str(label), counts.get(value, 0)) for value, label in LegalStatus.choices]


def legal_actions(case: LegalCase) -> list[str]:
    allowed = LEGAL_TRANSITIONS[case.status]
    actions = [name for name, to in ACTION_TO.items() if to in allowed]
    if case.judgment_outcome == JudgmentOutcome.FOR_CUSTOMER and "enforce" in actions:
        actions.remove("enforce")
    return actions


@dataclass(frozen=True)
class LegalCasePage:
    case: LegalCase
    actions: list[str]
    steps: list[LegalStep]
    bundles: list[LegalBundle]


def legal_case_page(*, pk: int) -> LegalCasePage:
    case = (
        LegalCase.objects.select_related("contract", "contract__customer", "letter", "opened_by", "referral")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFoundError(code=CasesError.LEGAL_CASE_NOT_FOUND, message=_("Legal case not found."))
    return LegalCasePage(
        case=case,
        actions=legal_actions(case),
        steps=list(LegalStep.objects.filter(case=case).select_related("actor")),
        bundles=list(LegalBundle.objects.filter(case=case).select_related("made_by")),
    )


def contract_legal_cases(*, contract: Contract) -> list[LegalCase]:
    return list(LegalCase.objects.filter(contract=contract).select_related("letter").order_by("-opened_at", "-id"))


def legal_case_for_customer(*, contract: Contract, letters: list[Notice]) -> LegalCase | None:
    """The legal case a customer sees on their contract page, given the letters sent to them
    about it: the open case, else the one that closed last, once its own lawyer's letter is
    among them. A legal case starts with that letter (written by the legal route, not by a
    ladder step), so a contract without one costs no query."""
    sent = {n.pk for n in letters if n.purpose == Purpose.LAWYER_LETTER and n.step_id is None}
    if not sent:
        return None
    case = (
        LegalCase.objects.filter(contract=contract)
        .order_by(F("closed_on").desc(nulls_first=True), "-opened_at", "-id")
        .first()
    )
    return case if case is not None and case.letter_id in sent else None
