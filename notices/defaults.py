"""The default escalation ladder and the default notice texts.

``install_defaults`` is idempotent: it adds what is missing and never overwrites what a
compliance officer has changed (edited steps, newer template versions). The data
migration ``0002_defaults`` runs a frozen copy of the same logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from django.db import transaction

from accounts.models import ContactChannel
from audit.services import audit_record
from contracts.models import RiskBand

from .codes import NoticesAction
from .default_texts import DEFAULT_TEXTS
from .models import Anchor, EscalationLadder, LadderStep, NoticeTemplate, Purpose
from .services.templates import template_save

if TYPE_CHECKING:
    from accounts.models import User

DEFAULT_LADDER_NAME: Final = "Default ladder"


@dataclass(frozen=True)
class StepSpec:
    code: str
    anchor: str
    offset_days: int
    channels: tuple[str, ...]
    purpose: str
    onsite_service_only: bool = False
    min_risk_band: str = ""


DEFAULT_LADDER_STEPS: Final[tuple[StepSpec, ...]] = (
    StepSpec("t-3", Anchor.DUE_DATE, -3, (ContactChannel.SMS, ContactChannel.IN_APP), Purpose.PRE_DUE_REMINDER),
    StepSpec("due", Anchor.DUE_DATE, 0, (ContactChannel.SMS, ContactChannel.IN_APP), Purpose.DUE_TODAY),
    StepSpec("dpd-1", Anchor.DAYS_PAST_DUE, 1, (ContactChannel.SMS, ContactChannel.EMAIL), Purpose.OVERDUE_REMINDER),
    StepSpec("dpd-3", Anchor.DAYS_PAST_DUE, 3, (ContactChannel.IN_APP,), Purpose.OVERDUE_BANNER),
    StepSpec("dpd-7", Anchor.DAYS_PAST_DUE, 7, (ContactChannel.CALL,), Purpose.CALL_TASK),
    StepSpec(
        "grace-end",
        Anchor.GRACE_END,
        1,
        (ContactChannel.LETTER, ContactChannel.SMS, ContactChannel.IN_APP),
        Purpose.SUSPENSION_NOTICE,
        onsite_service_only=True,
    ),
    StepSpec("dpd-30", Anchor.DAYS_PAST_DUE, 30, (ContactChannel.LETTER,), Purpose.LAWYER_LETTER),
    StepSpec("dpd-60", Anchor.DAYS_PAST_DUE, 60, (ContactChannel.CALL,), Purpose.LEGAL_REVIEW),
)


# Steps added after the first release (``0002_defaults`` has the ones above): install_defaults
# adds them to the default ladder at the next migrate, as any missing step.
LATER_LADDER_STEPS: Final[tuple[StepSpec, ...]] = (
    # A gentle reminder a week before the due date for customers at high risk of falling
    # 30 days behind (the early-warning score), judged by the compliance engine like any contact.
    StepSpec(
        "t-7-risk",
        Anchor.DUE_DATE,
        -7,
        (ContactChannel.SMS, ContactChannel.IN_APP),
        Purpose.PRE_DUE_REMINDER,
        min_risk_band=RiskBand.HIGH,
    ),
)


@dataclass
class InstallResult:
    ladder_created: bool = False
    steps_created: list[str] = field(default_factory=list)
    templates_created: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.ladder_created or bool(self.steps_created) or bool(self.templates_created)


@transaction.atomic
def install_defaults(*, actor: User | None = None) -> InstallResult:
    """Create the default ladder (product=None), its missing steps and a first active
    version of every default text that has no version in use. Safe to run again."""
    result = InstallResult()
    ladder = EscalationLadder.objects.select_for_update().filter(product__isnull=True).first()
    if ladder is None:
        ladder = EscalationLadder.objects.create(product=None, name=DEFAULT_LADDER_NAME)
        result.ladder_created = True
    existing_codes = set(ladder.steps.values_list("code", flat=True))
    for spec in (*DEFAULT_LADDER_STEPS, *LATER_LADDER_STEPS):
        if spec.code in existing_codes:
            continue
        LadderStep.objects.create(
            ladder=ladder,
            code=spec.code,
            anchor=spec.anchor,
            offset_days=spec.offset_days,
            channels=[str(channel) for channel in spec.channels],
            purpose=spec.purpose,
            onsite_service_only=spec.onsite_service_only,
            min_risk_band=spec.min_risk_band,
        )
        result.steps_created.append(spec.code)

    active = set(NoticeTemplate.objects.filter(is_active=True).values_list("purpose", "channel", "locale"))
    for (purpose, channel, locale), (subject, body) in DEFAULT_TEXTS.items():
        if (purpose, channel, locale) in active:
            continue
        template_save(actor=actor, purpose=purpose, channel=channel, locale=locale, subject=subject, body=body)
        result.templates_created.append(f"{purpose}/{channel}/{locale}")

    if result.ladder_created or result.steps_created:
        audit_record(
            action=NoticesAction.LADDER_DEFAULTS_INSTALLED,
            actor=actor,
            obj=ladder,
            data={"ladder_created": result.ladder_created, "steps_created": result.steps_created},
        )
    return result
