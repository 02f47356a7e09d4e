"""Third-party guarantees (第三方保障): when a charged-off contract has a guarantor or a credit
insurer, a supervisor prepares a claim (with its package), submits it, records the guarantor's
decision and posts the payout to the ledger as a third-party payment."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import LEGAL_ROUTE
from audit.services import audit_record
from contracts.models import Contract, ContractStatus
from contracts.selectors import contract_payoff
from contracts.services import payment_post
from core.errors import ApplicationError, ConflictError, NotFoundError
from core.money import format_money, parse_amount
from notices.pdf import render_document

from ..codes import CasesAction, CasesError
from ..evidence_files import communications_csv, ledger_csv, payments_csv, schedule_csv
from ..models import ClaimStatus, Guarantee, GuaranteeClaim, GuaranteeKind
from ._common import require_perm

# The payment channel of a guarantor's or insurer's payout: a third-party payment, allocated by
# the contract's own order like any other (``payment_post``).
GUARANTEE_CHANNEL = "guarantee"


@transaction.atomic
def guarantee_add(
    *,
    actor: User,
    contract_id: int,
    kind: str,
    provider: str,
    reference: str,
    covered_amount: Decimal | str | None = None,
) -> Guarantee:
    """Record the guarantor or insurer that answers for a contract (from its signed documents)."""
    require_perm(actor, LEGAL_ROUTE)
    contract = Contract.objects.select_for_update().select_related("customer").filter(pk=contract_id).first()
    if contract is None:
        raise NotFoundError(code=CasesError.CLAIM_NOT_FOUND, message=_("Contract not found."))
    if kind not in GuaranteeKind.values:
        raise ApplicationError(code=CasesError.CLAIM_DETAILS, message=_("Choose guarantor or insurer."), field="kind")
    provider, reference = provider.strip(), reference.strip()
    if not provider or not reference:
        raise ApplicationError(
            code=CasesError.CLAIM_DETAILS, message=_("Name the guarantor and the guarantee number."), field="provider"
        )
    if Guarantee.objects.filter(kind=kind, reference=reference).exists():
        raise ApplicationError(
            code=CasesError.CLAIM_DETAILS, message=_("This guarantee number is already recorded."), field="reference"
        )
    covered = None if covered_amount in (None, "") else parse_amount(covered_amount)
    guarantee = Guarantee.objects.create(
        contract=contract, kind=kind, provider=provider[:200], reference=reference[:100], covered_amount=covered
    )
    audit_record(
        action=CasesAction.GUARANTEE_ADDED,
        actor=actor,
        obj=guarantee,
        subject_user_id=contract.customer.user_id,
        data={
            "contract": contract.number,
            "kind": kind,
            "provider": provider,
            "reference": reference,
            "covered": covered,
        },
    )
    return guarantee


def _owed(contract: Contract) -> Decimal:
    """What settles the contract today (``payoff_amount``: interest not yet due excluded)."""
    return contract_payoff(contract=contract, on=timezone.localdate())


def _claim_for_update(claim_id: int) -> GuaranteeClaim:
    claim = (
        GuaranteeClaim.objects.select_for_update()
        .select_related("guarantee", "contract__customer")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        raise NotFoundError(code=CasesError.CLAIM_NOT_FOUND, message=_("Claim not found."))
    return claim


def _move(claim: GuaranteeClaim, to: str, *, actor: User, data: dict[str, object]) -> None:
    if not claim.can(to):
        raise ConflictError(
            code=CasesError.CLAIM_TRANSITION,
            message=_("The claim cannot go from “%(a)s” to “%(b)s”.")
            % {"a": claim.get_status_display(), "b": ClaimStatus(to).label},
        )
    before = claim.status
    claim.status = to
    claim.status_changed_at = timezone.now()
    claim.save(update_fields=["status", "status_changed_at", "amount_paid", "payment", "provider_reference", "note"])
    audit_record(
        action=CasesAction.CLAIM_STATUS,
        actor=actor,
        obj=claim,
        subject_user_id=claim.contract.customer.user_id,
        data={"contract": claim.contract.number, "from": before, "to": to, **data},
    )


@transaction.atomic
def guarantee_claim_prepare(
    *, actor: User, guarantee_id: int, amount: Decimal | str | None = None, note: str = ""
) -> GuaranteeClaim:
    """Prepare a claim on a guarantee. Only for a charged-off contract (the guarantee answers
    for a debt the lender has given up collecting in the ordinary course); the amount claimed is
    what the customer owes, at most what the guarantee covers; one open claim per guarantee."""
    require_perm(actor, LEGAL_ROUTE)
    guarantee = Guarantee.objects.select_for_update().filter(pk=guarantee_id).first()
    if guarantee is None:
        raise NotFoundError(code=CasesError.CLAIM_NOT_FOUND, message=_("Guarantee not found."))
    contract = Contract.objects.select_for_update().select_related("customer").get(pk=guarantee.contract_id)
    if contract.status != ContractStatus.CHARGED_OFF:
        raise ApplicationError(
            code=CasesError.CLAIM_NOT_CHARGED_OFF, message=_("A guarantee is claimed only for a charged-off contract.")
        )
    if guarantee.claims.filter(status__in=[ClaimStatus.PREPARED, ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED]).exists():
        raise ApplicationError(code=CasesError.REQUEST_OPEN, message=_("A claim on this guarantee is already open."))
    owed = _owed(contract)
    limit = owed if guarantee.covered_amount is None else min(owed, guarantee.covered_amount)
    value = limit if amount in (None, "") else parse_amount(amount)
    if value <= 0 or value > limit:
        raise ApplicationError(
            code=CasesError.CLAIM_AMOUNT,
            message=_("The claim must be more than zero and at most %(limit)s.") % {"limit": format_money(limit)},
            field="amount",
        )
    now = timezone.now()
    claim = GuaranteeClaim.objects.create(
        guarantee=guarantee,
        contract=contract,
        amount_claimed=value,
        note=note.strip(),
        prepared_by=actor,
        prepared_at=now,
        status_changed_at=now,
    )
    audit_record(
        action=CasesAction.CLAIM_PREPARED,
        actor=actor,
        obj=claim,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "guarantee": guarantee.reference, "amount": value, "owed": owed},
    )
    return claim


@transaction.atomic
def guarantee_claim_submit(*, actor: User, claim_id: int, provider_reference: str = "") -> GuaranteeClaim:
    require_perm(actor, LEGAL_ROUTE)
    claim = _claim_for_update(claim_id)
    claim.provider_reference = provider_reference.strip()[:100]
    _move(claim, ClaimStatus.SUBMITTED, actor=actor, data={"provider_reference": claim.provider_reference})
    return claim


@transaction.atomic
def guarantee_claim_decide(*, actor: User, claim_id: int, accepted: bool, note: str = "") -> GuaranteeClaim:
    """Record the guarantor's answer; a rejection needs the guarantor's reason."""
    require_perm(actor, LEGAL_ROUTE)
    claim = _claim_for_update(claim_id)
    note = note.strip()
    if not accepted and len(note) < 5:
        raise ApplicationError(
            code=CasesError.REASON_MISSING, message=_("Please give the reason (at least 5 characters)."), field="note"
        )
    if note:
        claim.note = note
    _move(claim, ClaimStatus.ACCEPTED if accepted else ClaimStatus.REJECTED, actor=actor, data={"note": note})
    return claim


@transaction.atomic
def guarantee_claim_payout(
    *, actor: User, claim_id: int, amount: Decimal | str, reference: str, received_at: dt.datetime
) -> GuaranteeClaim:
    """Post the guarantor's payout as a third-party payment (channel ``guarantee``) through
    ``payment_post``: it is allocated in the contract's order and reduces the balance by exactly
    the amount; at most the amount claimed."""
    require_perm(actor, LEGAL_ROUTE)
    claim = _claim_for_update(claim_id)
    value = parse_amount(amount)
    reference = reference.strip()
    if not reference:
        raise ApplicationError(
            code=CasesError.CLAIM_AMOUNT, message=_("Give the guarantor's payment reference."), field="reference"
        )
    if value <= 0 or value > claim.amount_claimed:
        raise ApplicationError(
            code=CasesError.CLAIM_AMOUNT,
            message=_("The payout must be more than zero and at most %(limit)s.")
            % {"limit": format_money(claim.amount_claimed)},
            field="amount",
        )
    if not claim.can(ClaimStatus.PAID):
        raise ConflictError(code=CasesError.CLAIM_TRANSITION, message=_("Only an accepted claim is paid out."))
    payment, _created = payment_post(
        actor=actor,
        contract_id=claim.contract_id,
        channel=GUARANTEE_CHANNEL,
        external_reference=f"{claim.guarantee.reference}:{reference}"[:100],
        amount=value,
        received_at=received_at,
    )
    claim.amount_paid = value
    claim.payment = payment
    _move(claim, ClaimStatus.PAID, actor=actor, data={"amount": value, "payment": payment.pk})
    return claim


@transaction.atomic
def guarantee_claim_withdraw(*, actor: User, claim_id: int, note: str) -> GuaranteeClaim:
    require_perm(actor, LEGAL_ROUTE)
    claim = _claim_for_update(claim_id)
    if len(note.strip()) < 5:
        raise ApplicationError(
            code=CasesError.REASON_MISSING, message=_("Please give the reason (at least 5 characters)."), field="note"
        )
    claim.note = note.strip()
    _move(claim, ClaimStatus.WITHDRAWN, actor=actor, data={"note": claim.note})
    return claim


def _claim_letter(claim: GuaranteeClaim, owed: Decimal) -> bytes:
    contract = claim.contract
    guarantee = claim.guarantee
    return render_document(
        title=_("Claim under guarantee %(reference)s") % {"reference": guarantee.reference},
        paragraphs=[
            _("To: %(provider)s") % {"provider": guarantee.provider},
            _(
                "Contract %(number)s was charged off on default. Under %(kind)s %(reference)s we claim "
                "%(amount)s of the %(owed)s the customer owes."
            )
            % {
                "number": contract.number,
                "kind": guarantee.get_kind_display(),
                "reference": guarantee.reference,
                "amount": format_money(claim.amount_claimed),
                "owed": format_money(owed),
            },
            _("Enclosed: the repayment schedule, the ledger, the payments and the communication log."),
        ],
        reference=f"GC-{claim.pk}",
        issued_at=timezone.now(),
    )


@transaction.atomic
def guarantee_claim_package(*, actor: User, claim_id: int) -> bytes:
    """The claim package (ZIP): the claim letter (PDF) and the contract's schedule, ledger,
    payments and communication log (CSV). Making it is audited (it carries personal data)."""
    require_perm(actor, LEGAL_ROUTE)
    claim = GuaranteeClaim.objects.select_related("guarantee", "contract__customer").filter(pk=claim_id).first()
    if claim is None:
        raise NotFoundError(code=CasesError.CLAIM_NOT_FOUND, message=_("Claim not found."))
    contract = claim.contract
    owed = _owed(contract)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("claim_letter.pdf", _claim_letter(claim, owed))
        archive.writestr("schedule.csv", schedule_csv(contract))
        archive.writestr("ledger.csv", ledger_csv(contract))
        archive.writestr("payments.csv", payments_csv(contract))
        archive.writestr("communications.csv", communications_csv(contract))
    audit_record(
        action=CasesAction.PII_VIEWED,
        actor=actor,
        obj=claim,
        subject_user_id=contract.customer.user_id,
        data={"purpose": "guarantee_claim_package", "contract": contract.number},
    )
    return buffer.getvalue()
