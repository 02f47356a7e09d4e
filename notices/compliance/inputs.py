"""Inputs and output of the contact-compliance engine: the vocabulary (channels, parties,
purposes, outcomes, reason codes), the consumer's state, the contact history, the proposed
contact and the verdict. Plain values only; nothing here touches the database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from notices.compliance.clock import _SECONDS_PER_DAY


class ReasonCode(enum.StrEnum):
    """Why a contact is blocked; declaration order is the order reasons are reported."""

    TIME_WINDOW = "TIME_WINDOW"
    DESIGNATED_INCONVENIENT = "DESIGNATED_INCONVENIENT"
    CALL_FREQUENCY_7IN7 = "CALL_FREQUENCY_7IN7"
    CONVERSATION_COOLDOWN = "CONVERSATION_COOLDOWN"
    DAILY_UNANSWERED_CAP = "DAILY_UNANSWERED_CAP"
    DAILY_CONNECTED_CAP = "DAILY_CONNECTED_CAP"
    DISPUTE_HOLD = "DISPUTE_HOLD"
    COLLECTION_HOLD = "COLLECTION_HOLD"
    CEASE_REQUESTED = "CEASE_REQUESTED"
    CHANNEL_OPT_OUT = "CHANNEL_OPT_OUT"
    OPT_OUT_NOTICE_MISSING = "OPT_OUT_NOTICE_MISSING"
    ATTORNEY_REPRESENTED = "ATTORNEY_REPRESENTED"
    THIRD_PARTY_NOT_ALLOWED = "THIRD_PARTY_NOT_ALLOWED"
    THIRD_PARTY_REFUSED = "THIRD_PARTY_REFUSED"
    THIRD_PARTY_DISCLOSURE = "THIRD_PARTY_DISCLOSURE"
    VISIT_STAFF_MINIMUM = "VISIT_STAFF_MINIMUM"


class Channel(enum.StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    VISIT = "visit"
    IN_APP = "in_app"


class Direction(enum.StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Party(enum.StrEnum):
    DEBTOR = "debtor"
    THIRD_PARTY = "third_party"


class Purpose(enum.StrEnum):
    COLLECTION = "collection"
    LOCATION_INFO = "location_info"
    OPT_OUT_CONFIRMATION = "opt_out_confirmation"
    COLLECTION_ENDED_NOTICE = "collection_ended_notice"


class Outcome(enum.StrEnum):
    """Known outcomes. History accepts other strings too; they match no rule by name."""

    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    CONVERSATION = "conversation"
    NOT_CONNECTED = "not_connected"
    INVALID_NUMBER = "invalid_number"
    DELIVERED = "delivered"
    REFUSED_CONTACT = "refused_contact"


UNANSWERED_OUTCOMES: Final = frozenset({Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.NOT_CONNECTED})
# A failed attempt to reach the debtor, for CN lost contact.
FAILED_CALL_OUTCOMES: Final = UNANSWERED_OUTCOMES | {Outcome.INVALID_NUMBER}
# Holds and attorney representation stop collecting, not notices the consumer is owed.
COLLECTION_PURPOSES: Final = frozenset({Purpose.COLLECTION, Purpose.LOCATION_INFO})
ELECTRONIC_MESSAGE_CHANNELS: Final = frozenset({Channel.EMAIL, Channel.SMS})


class ScenarioError(ValueError):
    """A scenario (or engine input) is malformed; the message names the offending field."""


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class LocalTimeRange:
    """A daily local-time range [start, end) in seconds after midnight.

    ``end`` may be 86 400 (end of day); ``end < start`` crosses midnight and
    ``end == start`` is empty.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start < _SECONDS_PER_DAY and 0 <= self.end <= _SECONDS_PER_DAY):
            raise ValueError(f"time range out of bounds: {self.start}-{self.end}")

    def contains(self, seconds: float) -> bool:
        if self.start < self.end:
            return self.start <= seconds < self.end
        if self.start > self.end:
            return seconds >= self.start or seconds < self.end
        return False

    @property
    def boundaries(self) -> tuple[int, int]:
        return self.start, self.end


@dataclass(frozen=True, slots=True)
class OptOut:
    """A medium the consumer refused; ``endpoint`` narrows it to one number or address."""

    channel: Channel
    endpoint: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "channel", Channel(self.channel))


@dataclass(frozen=True, slots=True)
class Hold:
    """A collection hold; ``debt`` None means every debt of the consumer."""

    debt: str | None
    reason: str = ""

    @property
    def is_dispute(self) -> bool:
        return self.reason == "dispute"


@dataclass(frozen=True, slots=True)
class Consumer:
    timezones: tuple[str, ...] = ()
    inconvenient_times: tuple[LocalTimeRange, ...] = ()
    late_contact_consent: bool = False
    # Represented for every debt; ``attorney_debts`` names specific debts instead.
    attorney: bool = False
    attorney_debts: frozenset[str] = frozenset()
    cease: bool = False
    opt_outs: tuple[OptOut, ...] = ()
    holds: tuple[Hold, ...] = ()
    debt_groups: tuple[frozenset[str], ...] = ()


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")


@dataclass(frozen=True, slots=True)
class HistoryContact:
    at: datetime
    channel: Channel
    direction: Direction = Direction.OUTBOUND
    to: Party = Party.DEBTOR
    endpoint: str | None = None
    contact: str | None = None
    debts: frozenset[str] = frozenset()
    outcome: str | None = None
    by: str = "lender"
    consent: bool = False

    def __post_init__(self) -> None:
        _require_aware("HistoryContact.at", self.at)
        # Accept plain strings from callers and store the enum members.
        object.__setattr__(self, "channel", Channel(self.channel))
        object.__setattr__(self, "direction", Direction(self.direction))
        object.__setattr__(self, "to", Party(self.to))
        object.__setattr__(self, "debts", frozenset(self.debts))


@dataclass(frozen=True, slots=True)
class ProposedContact:
    at: datetime
    channel: Channel
    to: Party = Party.DEBTOR
    endpoint: str | None = None
    contact: str | None = None
    debts: frozenset[str] = frozenset()
    by: str = "lender"
    consent: bool = False
    purpose: Purpose = Purpose.COLLECTION
    discloses_debt: bool = False
    opt_out_notice: bool = False
    reply_to_consumer: bool = False
    staff_count: int | None = None

    def __post_init__(self) -> None:
        _require_aware("ProposedContact.at", self.at)
        object.__setattr__(self, "channel", Channel(self.channel))
        object.__setattr__(self, "to", Party(self.to))
        object.__setattr__(self, "purpose", Purpose(self.purpose))
        object.__setattr__(self, "debts", frozenset(self.debts))


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    next_allowed_at: datetime | None = None

    @property
    def verdict(self) -> str:
        return "allowed" if self.allowed else "blocked"

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reasons": [str(reason) for reason in self.reasons],
            "next_allowed_at": (self.next_allowed_at.isoformat() if self.next_allowed_at else None),
        }
