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
    THIRD_PARTY_PURPOSE = "THIRD_PARTY_PURPOSE"
    LOCATION_REPEATED = "LOCATION_REPEATED"
    EMPLOYER_PROHIBITS = "EMPLOYER_PROHIBITS"
    WORK_EMAIL = "WORK_EMAIL"
    POSTCARD = "POSTCARD"
    ENVELOPE_LANGUAGE = "ENVELOPE_LANGUAGE"
    TIME_BARRED_SUIT_THREAT = "TIME_BARRED_SUIT_THREAT"
    COLLECTION_BEFORE_VALIDATION_NOTICE = "COLLECTION_BEFORE_VALIDATION_NOTICE"
    ELECTRONIC_DELIVERY_WITHOUT_CONSENT = "ELECTRONIC_DELIVERY_WITHOUT_CONSENT"


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
    # Asking a third party for the debtor's location or contact details.
    LOCATION_INFO = "location_info"
    # CN: asking a third party to pass a message on to the debtor (转告).
    RELAY_MESSAGE = "relay_message"
    OPT_OUT_CONFIRMATION = "opt_out_confirmation"
    # The notices still allowed after a cease request (12 CFR 1006.6(c)(2)): efforts are
    # terminated; the collector or creditor may invoke specified remedies; it intends to
    # invoke a specified remedy.
    COLLECTION_ENDED_NOTICE = "collection_ended_notice"
    REMEDY_NOTICE = "remedy_notice"
    REMEDY_INTENT_NOTICE = "remedy_intent_notice"
    # US: the validation notice of 12 CFR 1006.34 (delivered per 1006.42).
    VALIDATION_NOTICE = "validation_notice"


class ThirdPartyException(enum.StrEnum):
    """Third parties a collector may communicate with about the debt (12 CFR 1006.6(d)(1)):
    the consumer's attorney, a consumer reporting agency, the creditor or its attorney, the
    collector's attorney, anyone with the consumer's prior consent given directly to the
    collector, or with a court's express permission."""

    CONSUMER_ATTORNEY = "consumer_attorney"
    CONSUMER_REPORTING_AGENCY = "consumer_reporting_agency"
    CREDITOR = "creditor"
    CREDITOR_ATTORNEY = "creditor_attorney"
    COLLECTOR_ATTORNEY = "collector_attorney"
    CONSUMER_CONSENT = "consumer_consent"
    COURT_PERMISSION = "court_permission"


class Outcome(enum.StrEnum):
    """Known outcomes. History accepts other strings too; they match no rule by name."""

    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    CONVERSATION = "conversation"
    NOT_CONNECTED = "not_connected"
    INVALID_NUMBER = "invalid_number"
    # The number is not in service: the call is not placed to anyone (comment 14(b)(3)(ii)-1).
    NOT_IN_SERVICE = "not_in_service"
    DELIVERED = "delivered"
    REFUSED_CONTACT = "refused_contact"


UNANSWERED_OUTCOMES: Final = frozenset({Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.NOT_CONNECTED})
# A number that reaches no one: lost contact at once (CN), and no call placed (US 7-in-7).
DEAD_NUMBER_OUTCOMES: Final = frozenset({Outcome.INVALID_NUMBER, Outcome.NOT_IN_SERVICE})
# A failed attempt to reach the debtor, for CN lost contact.
FAILED_CALL_OUTCOMES: Final = UNANSWERED_OUTCOMES | DEAD_NUMBER_OUTCOMES
# Holds and attorney representation stop collecting, not notices the consumer is owed.
COLLECTION_PURPOSES: Final = frozenset(
    {
        Purpose.COLLECTION,
        Purpose.LOCATION_INFO,
        Purpose.RELAY_MESSAGE,
        Purpose.REMEDY_NOTICE,
        Purpose.REMEDY_INTENT_NOTICE,
    }
)
# What a cease request still allows (12 CFR 1006.6(c)(2)).
AFTER_CEASE_PURPOSES: Final = frozenset(
    {Purpose.COLLECTION_ENDED_NOTICE, Purpose.REMEDY_NOTICE, Purpose.REMEDY_INTENT_NOTICE}
)
# Why a third party may be contacted without an exception: location (US, CN) and, in CN,
# passing on a message; anything else is collecting from them. A third party's own
# opt-out may be confirmed.
THIRD_PARTY_PURPOSES: Final = frozenset({Purpose.LOCATION_INFO, Purpose.RELAY_MESSAGE, Purpose.OPT_OUT_CONFIRMATION})
ELECTRONIC_MESSAGE_CHANNELS: Final = frozenset({Channel.EMAIL, Channel.SMS})
# Electronic media, whose opt-out may be confirmed once electronically (1006.14(h)(2)(i)).
ELECTRONIC_CHANNELS: Final = frozenset({Channel.EMAIL, Channel.SMS, Channel.IN_APP})
# Outcomes that show a message reached a third party (a communication, 1006.10(c)).
REACHED_OUTCOMES: Final = frozenset({Outcome.CONVERSATION, Outcome.DELIVERED})


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
        # A dispute case, or a dispute inside a US validation period (15 U.S.C. 1692g(b)).
        return self.reason in ("dispute", "validation_dispute")


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
    # The collector knows or has reason to know the employer prohibits the consumer from
    # receiving such communications at work (12 CFR 1006.6(b)(3)).
    employer_prohibits: bool = False
    # US (12 CFR 1006.34): debts whose validation notice is owed and not yet sent, and those
    # of them on which a communication has already been made (the initial communication).
    validation_notice_pending: frozenset[str] = frozenset()
    communicated_debts: frozenset[str] = frozenset()
    # The consumer's E-SIGN consent (15 U.S.C. 7001(c)) to electronic required disclosures.
    esign_consent: bool = False
    # Debts whose limitation period has run (or that staff marked so): no suit, no threat of
    # suit (12 CFR 1006.26(b)).
    time_barred_debts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "time_barred_debts", frozenset(self.time_barred_debts))


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
    # Known for contacts recorded by this system; None when the record does not say.
    purpose: Purpose | None = None

    def __post_init__(self) -> None:
        _require_aware("HistoryContact.at", self.at)
        if self.purpose is not None:
            object.__setattr__(self, "purpose", Purpose(self.purpose))
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
    # US: the third party is one the collector may talk to about the debt (1006.6(d)(1)).
    third_party_exception: ThirdPartyException | None = None
    # US: a further location contact because the person asked for it or the collector
    # reasonably believes the earlier answer was wrong or incomplete (1006.10(c)).
    location_follow_up: bool = False
    # At the consumer's place of employment (a work number, a visit to the workplace).
    at_workplace: bool = False
    # An email address the collector knows or should know the employer provided.
    work_email: bool = False
    # Mail: a postcard, or an envelope showing anything beyond the permitted content
    # (12 CFR 1006.22(f)(1), (f)(2)).
    postcard: bool = False
    envelope_debt_language: bool = False
    # The communication threatens or announces legal action: a suit, a lawyer's letter, a
    # referral for litigation (12 CFR 1006.26(b) on a time-barred debt).
    legal_action: bool = False

    def __post_init__(self) -> None:
        _require_aware("ProposedContact.at", self.at)
        object.__setattr__(self, "channel", Channel(self.channel))
        object.__setattr__(self, "to", Party(self.to))
        object.__setattr__(self, "purpose", Purpose(self.purpose))
        if self.third_party_exception is not None:
            object.__setattr__(self, "third_party_exception", ThirdPartyException(self.third_party_exception))
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
