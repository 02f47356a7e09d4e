"""Contact-compliance engine: a pure function from (rules, consumer, history, proposal)
to a verdict.

Every outbound contact, automated or made by staff, is judged here. Nothing in this
module touches the database, so the same code runs in services, Celery tasks and the
``contact_check`` command.

Counting is by the consumer's local calendar day. A consumer may be in several zones:
a time of day must be allowed in all of them and a day-based limit blocks if it is
reached in any of them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notices.compliance.rules import STATUTORY, RuleSet


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


_REASON_ORDER: Final = {code: index for index, code in enumerate(ReasonCode)}


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

# How far ahead next_allowed_at is searched (at least). Every statutory time-based rule
# clears within about a week, so running out means the contact cannot become allowed
# (for instance the consumer declared the whole contact window inconvenient).
_MIN_SEARCH_DAYS: Final = 31
_SECONDS_PER_DAY: Final = 86_400


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


# --------------------------------------------------------------------------- engine


def evaluate(
    ruleset: RuleSet,
    consumer: Consumer,
    history: Sequence[HistoryContact],
    proposed: ProposedContact,
) -> Verdict:
    """Judge ``proposed`` against ``ruleset`` given the consumer state and history.

    ``next_allowed_at`` is the earliest instant at or after ``proposed.at`` at which the
    same contact would be allowed, expressed in the consumer's first zone; it is None
    when the contact is allowed or when a violated rule does not lapse with time.
    """
    check = _Check(ruleset, consumer, history, proposed)
    standing = check.standing_reasons()
    timed = check.timed_reasons(proposed.at)
    reasons = sorted(standing | timed, key=_REASON_ORDER.__getitem__)
    if not reasons:
        return Verdict(allowed=True, reasons=[], next_allowed_at=None)
    next_allowed_at = None if standing else check.next_allowed_at()
    if next_allowed_at is not None:
        next_allowed_at = next_allowed_at.astimezone(check.display_zone)
    return Verdict(allowed=False, reasons=list(reasons), next_allowed_at=next_allowed_at)


class _Check:
    """One evaluation: the inputs plus what can be computed once for every instant.

    Rules split into standing ones (holds, cease, opt-outs, representation, ...), which
    do not change with time and so make a block permanent, and timed ones, whose outcome
    depends only on the local wall time and local date of the contact in each zone.
    """

    def __init__(
        self,
        ruleset: RuleSet,
        consumer: Consumer,
        history: Sequence[HistoryContact],
        proposed: ProposedContact,
    ) -> None:
        self.rules = ruleset
        self.consumer = consumer
        self.proposed = proposed
        self.history = sorted(history, key=lambda entry: entry.at)
        zone_names = consumer.timezones or ruleset.default_timezones
        self.zones = tuple(ZoneInfo(name) for name in zone_names)
        self.display_zone = self.zones[0]
        self.debt_groups = _expand_debt_groups(proposed.debts, consumer.debt_groups)
        self.related_debts = frozenset().union(*self.debt_groups)
        self.time_restricted = proposed.channel in ruleset.window_channels
        self.inconvenient_applies = (
            self.time_restricted and bool(consumer.inconvenient_times) and not self._inconvenient_reply_excepted()
        )
        self._day_cache: dict[tuple[int, date], frozenset[ReasonCode]] = {}
        self._day_rules = self._build_day_rules()
        self._lost_from: list[datetime | None] | None = None
        if ruleset.applies_third_party_lost_contact and proposed.to == Party.THIRD_PARTY:
            self._lost_from = [self._lost_contact_from(zone) for zone in self.zones]

    # ----------------------------------------------------------- standing rules

    def standing_reasons(self) -> set[ReasonCode]:
        proposed, consumer = self.proposed, self.consumer
        reasons: set[ReasonCode] = set()
        if proposed.purpose in COLLECTION_PURPOSES:
            for hold in consumer.holds:
                if hold.debt is None or hold.debt in self.related_debts:
                    reasons.add(ReasonCode.DISPUTE_HOLD if hold.is_dispute else ReasonCode.COLLECTION_HOLD)
        if consumer.cease and proposed.purpose != Purpose.COLLECTION_ENDED_NOTICE:
            reasons.add(ReasonCode.CEASE_REQUESTED)
        if proposed.purpose != Purpose.OPT_OUT_CONFIRMATION:
            if any(self._opt_out_matches(opt_out) for opt_out in consumer.opt_outs):
                reasons.add(ReasonCode.CHANNEL_OPT_OUT)
            if proposed.channel in ELECTRONIC_MESSAGE_CHANNELS and not proposed.opt_out_notice:
                reasons.add(ReasonCode.OPT_OUT_NOTICE_MISSING)
        if self._attorney_bars_contact():
            reasons.add(ReasonCode.ATTORNEY_REPRESENTED)
        if proposed.to == Party.THIRD_PARTY:
            if any(
                entry.outcome == Outcome.REFUSED_CONTACT and self._same_third_party(entry) for entry in self.history
            ):
                reasons.add(ReasonCode.THIRD_PARTY_REFUSED)
            if proposed.discloses_debt:
                reasons.add(ReasonCode.THIRD_PARTY_DISCLOSURE)
        if proposed.channel == Channel.VISIT and (
            proposed.staff_count is None or proposed.staff_count < self.rules.visit_min_staff
        ):
            reasons.add(ReasonCode.VISIT_STAFF_MINIMUM)
        return reasons

    def _opt_out_matches(self, opt_out: OptOut) -> bool:
        if opt_out.channel != self.proposed.channel:
            return False
        return opt_out.endpoint is None or opt_out.endpoint == self.proposed.endpoint

    def _attorney_bars_contact(self) -> bool:
        consumer, proposed = self.consumer, self.proposed
        represented = consumer.attorney or bool(consumer.attorney_debts & self.related_debts)
        if not represented:
            return False
        if proposed.to == Party.DEBTOR:
            return proposed.purpose in COLLECTION_PURPOSES
        # Once an attorney is known, location questions go to the attorney
        # (15 U.S.C. 1692b(6)), not to third parties.
        return proposed.purpose == Purpose.LOCATION_INFO

    def _same_third_party(self, entry: HistoryContact) -> bool:
        proposed = self.proposed
        if proposed.contact is not None:
            return entry.contact == proposed.contact
        # Without a contact id the endpoint is the only identity we have.
        return entry.to == Party.THIRD_PARTY and proposed.endpoint is not None and entry.endpoint == proposed.endpoint

    def _same_person(self, entry: HistoryContact) -> bool:
        if self.proposed.to == Party.DEBTOR:
            return entry.to == Party.DEBTOR
        return entry.to == Party.THIRD_PARTY and self._same_third_party(entry)

    # -------------------------------------------------------------- timed rules

    def timed_reasons(self, at: datetime) -> set[ReasonCode]:
        reasons: set[ReasonCode] = set()
        local_times = [at.astimezone(zone) for zone in self.zones]
        if self.time_restricted and not self.consumer.late_contact_consent:
            start, end = self.rules.window_start, self.rules.window_end
            if any(not start <= local.time() < end for local in local_times):
                reasons.add(ReasonCode.TIME_WINDOW)
        if self.inconvenient_applies and any(
            time_range.contains(_seconds_of_day(local))
            for local in local_times
            for time_range in self.consumer.inconvenient_times
        ):
            reasons.add(ReasonCode.DESIGNATED_INCONVENIENT)
        for zone_index, local in enumerate(local_times):
            reasons |= self._day_reasons(zone_index, local.date())
        if self._lost_from is not None and not all(
            lost_from is not None and lost_from <= at for lost_from in self._lost_from
        ):
            reasons.add(ReasonCode.THIRD_PARTY_NOT_ALLOWED)
        return reasons

    def _inconvenient_reply_excepted(self) -> bool:
        """The first reply in a medium the consumer used during an inconvenient time."""
        proposed = self.proposed
        if not proposed.reply_to_consumer:
            return False
        earlier = [entry for entry in self.history if entry.at < proposed.at and entry.channel == proposed.channel]
        outbound_times = [e.at for e in earlier if e.direction == Direction.OUTBOUND]
        last_outbound = max(outbound_times, default=None)
        return any(
            entry.direction == Direction.INBOUND
            and (last_outbound is None or entry.at > last_outbound)
            and self._in_inconvenient_time(entry.at)
            for entry in earlier
        )

    def _in_inconvenient_time(self, at: datetime) -> bool:
        return any(
            time_range.contains(_seconds_of_day(at.astimezone(zone)))
            for zone in self.zones
            for time_range in self.consumer.inconvenient_times
        )

    def _day_reasons(self, zone_index: int, day: date) -> frozenset[ReasonCode]:
        key = (zone_index, day)
        cached = self._day_cache.get(key)
        if cached is None:
            cached = frozenset(code for code, rule in self._day_rules if rule(zone_index, day))
            self._day_cache[key] = cached
        return cached

    def _build_day_rules(
        self,
    ) -> list[tuple[ReasonCode, Callable[[int, date], bool]]]:
        """The day-based counting rules that apply, each a test of (zone, local day)."""
        rules, proposed = self.rules, self.proposed
        day_rules: list[tuple[ReasonCode, Callable[[int, date], bool]]] = []
        if proposed.channel != Channel.CALL:
            return day_rules
        us_call_limited = not proposed.consent
        if rules.applies_call_frequency and us_call_limited:
            day_rules.append((ReasonCode.CALL_FREQUENCY_7IN7, self._seven_in_seven_rule()))
        if rules.applies_conversation_cooldown and us_call_limited:
            day_rules.append((ReasonCode.CONVERSATION_COOLDOWN, self._cooldown_rule()))
        if rules.applies_daily_unanswered_cap:
            day_rules.append((ReasonCode.DAILY_UNANSWERED_CAP, self._unanswered_cap_rule()))
        if rules.applies_daily_connected_cap and proposed.to == Party.DEBTOR:
            day_rules.append((ReasonCode.DAILY_CONNECTED_CAP, self._connected_cap_rule()))
        return day_rules

    def _local_dates(self, entries: Iterable[HistoryContact]) -> list[list[date]]:
        """Local dates of ``entries`` per zone."""
        entries = list(entries)
        return [[entry.at.astimezone(zone).date() for entry in entries] for zone in self.zones]

    def _seven_in_seven_rule(self) -> Callable[[int, date], bool]:
        """12 CFR 1006.14(b)(2)(i)(A): no more than 7 calls in 7 consecutive days per
        debt, per person, counting this collector's own calls without prior consent."""
        proposed = self.proposed
        calls = [
            entry
            for entry in self.history
            if entry.channel == Channel.CALL
            and entry.direction == Direction.OUTBOUND
            and entry.outcome != Outcome.NOT_CONNECTED
            and not entry.consent
            and entry.by == proposed.by
            and self._same_person(entry)
        ]
        per_group = [self._local_dates(call for call in calls if call.debts & group) for group in self.debt_groups]
        cap = self.rules.us_calls_per_7_days

        def blocked(zone_index: int, day: date) -> bool:
            first_day = day - timedelta(days=6)
            return any(sum(1 for d in dates[zone_index] if first_day <= d <= day) >= cap for dates in per_group)

        return blocked

    def _cooldown_rule(self) -> Callable[[int, date], bool]:
        """12 CFR 1006.14(b)(2)(i)(B): no call within 7 days after a telephone
        conversation about the debt; the conversation day is day 1."""
        proposed = self.proposed
        conversations = self._local_dates(
            entry
            for entry in self.history
            if entry.channel == Channel.CALL
            and entry.outcome == Outcome.CONVERSATION
            and not entry.consent
            and entry.by == proposed.by
            and self._same_person(entry)
            and entry.debts & self.related_debts
        )
        last_blocked_offset = self.rules.conversation_cooldown_days - 1

        def blocked(zone_index: int, day: date) -> bool:
            return any(0 <= (day - d).days <= last_blocked_offset for d in conversations[zone_index])

        return blocked

    def _unanswered_cap_rule(self) -> Callable[[int, date], bool]:
        """CN: at most 6 unanswered attempts per endpoint per local day, all collectors."""
        attempts = self._local_dates(
            entry
            for entry in self.history
            if entry.direction == Direction.OUTBOUND
            and entry.outcome in UNANSWERED_OUTCOMES
            and entry.endpoint == self.proposed.endpoint
        )
        return self._daily_count_rule(attempts, self.rules.cn_daily_unanswered_cap)

    def _connected_cap_rule(self) -> Callable[[int, date], bool]:
        """CN: at most 3 connected outbound calls with the debtor per local day."""
        connected = self._local_dates(
            entry
            for entry in self.history
            if entry.channel == Channel.CALL
            and entry.direction == Direction.OUTBOUND
            and entry.to == Party.DEBTOR
            and entry.outcome == Outcome.CONVERSATION
        )
        return self._daily_count_rule(connected, self.rules.cn_daily_connected_cap)

    @staticmethod
    def _daily_count_rule(dates: list[list[date]], cap: int) -> Callable[[int, date], bool]:
        def blocked(zone_index: int, day: date) -> bool:
            return sum(1 for d in dates[zone_index] if d == day) >= cap

        return blocked

    def _lost_contact_from(self, zone: ZoneInfo) -> datetime | None:
        """When the debtor counts as lost contact (CN) in ``zone``, judged from calls
        up to the proposed time; None if not lost and not foreseeably so.

        Lost at once on an invalid number or after failed calls on N consecutive local
        days; from the next local midnight after N consecutive failed calls. Reaching
        the debtor starts over.
        """
        rules = self.rules
        lost_from: datetime | None = None
        streak = 0
        failed_days: set[date] = set()
        for entry in self.history:
            if entry.at > self.proposed.at:
                break
            if entry.channel != Channel.CALL or entry.to != Party.DEBTOR:
                continue
            if entry.direction == Direction.INBOUND:
                # A conversation the debtor started proves they can be reached.
                if entry.outcome == Outcome.CONVERSATION:
                    lost_from, streak, failed_days = None, 0, set()
                continue
            if entry.outcome not in FAILED_CALL_OUTCOMES:
                # Any answered call (or one of unknown outcome) reached the debtor.
                lost_from, streak, failed_days = None, 0, set()
                continue
            streak += 1
            day = entry.at.astimezone(zone).date()
            failed_days.add(day)
            candidates = [lost_from]
            if entry.outcome == Outcome.INVALID_NUMBER:
                candidates.append(entry.at)
            if streak == rules.lost_contact_failed_calls:
                candidates.append(_local_midnight(day + timedelta(days=1), zone))
            if all(day - timedelta(days=k) in failed_days for k in range(rules.lost_contact_days)):
                candidates.append(entry.at)
            lost_from = min((c for c in candidates if c is not None), default=None)
        return lost_from

    # --------------------------------------------------------- next_allowed_at

    def next_allowed_at(self) -> datetime | None:
        """First instant after the proposed time at which no timed rule blocks.

        Timed rules change outcome only at local midnights, window and inconvenient-
        range boundaries and DST transitions, so checking those instants is exact.
        """
        for candidate in self._candidate_instants():
            if not self.timed_reasons(candidate):
                return candidate
        return None

    def _candidate_instants(self) -> list[datetime]:
        start = self.proposed.at
        boundaries = {
            0,
            _time_seconds(self.rules.window_start),
            _time_seconds(self.rules.window_end),
        }
        for time_range in self.consumer.inconvenient_times:
            boundaries.update(time_range.boundaries)
        local_times = sorted(_time_of_seconds(s) for s in boundaries if s < _SECONDS_PER_DAY)
        rules = self.rules
        search_days = max(
            _MIN_SEARCH_DAYS,
            rules.conversation_cooldown_days + 8,
            rules.lost_contact_days + 2,
        )
        instants: set[datetime] = set()
        for zone in self.zones:
            first_day = start.astimezone(zone).date()
            for offset in range(search_days + 1):
                day = first_day + timedelta(days=offset)
                for local_time in local_times:
                    for fold in (0, 1):
                        local = datetime.combine(day, local_time, tzinfo=zone).replace(fold=fold)
                        instants.add(local.astimezone(UTC))
                transition = _offset_change_between(
                    _local_midnight(day, zone),
                    _local_midnight(day + timedelta(days=1), zone),
                    zone,
                )
                if transition is not None:
                    instants.add(transition)
        return sorted(instant for instant in instants if instant > start)


def _expand_debt_groups(debts: Iterable[str], groups: Sequence[frozenset[str]]) -> tuple[frozenset[str], ...]:
    """One set per proposed debt: the debt plus every group it belongs to."""
    expanded: dict[frozenset[str], None] = {}
    for debt in sorted(debts):
        members = {debt}
        for group in groups:
            if debt in group:
                members |= group
        expanded[frozenset(members)] = None
    return tuple(expanded)


def _seconds_of_day(local: datetime) -> float:
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6


def _time_seconds(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _time_of_seconds(seconds: int) -> time:
    return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def _offset_change_between(start: datetime, end: datetime, zone: ZoneInfo) -> datetime | None:
    """The instant in (start, end] at which ``zone``'s UTC offset changes, if any."""
    before = start.astimezone(zone).utcoffset()
    if end.astimezone(zone).utcoffset() == before:
        return None
    low, high = start, end
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0) if high.microsecond else high


# --------------------------------------------------------------------------- parsing

_E = TypeVar("_E", bound=enum.StrEnum)

_TIME_PATTERN: Final = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_RANGE_SEPARATOR: Final = re.compile(r"\s*[-\u2013~]\s*")


def parse_scenario(
    data: Mapping[str, Any],
) -> tuple[RuleSet, Consumer, list[HistoryContact], ProposedContact]:
    """Build engine inputs from one scenario object (the ``scenarios.jsonl`` format).

    Missing optional fields take safe defaults; anything present but malformed, and a
    missing jurisdiction, proposal, time or channel, raises ``ScenarioError``.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError("a scenario must be a JSON object")
    ruleset = _parse_jurisdiction(data.get("jurisdiction"))
    consumer_data = _optional_mapping(data, "consumer")
    consumer = _parse_consumer(consumer_data)
    history_data = _optional_list(data, "history", "history")
    history = [_parse_history_entry(entry, f"history[{index}]") for index, entry in enumerate(history_data)]
    if "proposed" not in data:
        raise ScenarioError("missing key 'proposed'")
    proposed = _parse_proposed(data["proposed"])
    return ruleset, consumer, history, proposed


@dataclass(frozen=True, slots=True)
class Expectation:
    """The ``expect`` object of a scenario; only the given parts are compared."""

    verdict: str | None = None
    reasons: tuple[str, ...] = ()
    has_next_allowed_at: bool = False
    next_allowed_at: datetime | None = None


def parse_expectation(data: Any) -> Expectation:
    if not isinstance(data, Mapping):
        raise ScenarioError("'expect' must be an object")
    verdict = data.get("verdict")
    if verdict is not None and verdict not in ("allowed", "blocked"):
        raise ScenarioError(f"expect.verdict: must be 'allowed' or 'blocked', got {verdict!r}")
    reasons = data.get("reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise ScenarioError("expect.reasons: must be a list of reason codes")
    has_next = "next_allowed_at" in data
    next_at = data.get("next_allowed_at")
    return Expectation(
        verdict=verdict,
        reasons=tuple(reasons),
        has_next_allowed_at=has_next,
        next_allowed_at=None if next_at is None else _parse_datetime(next_at, "expect.next_allowed_at"),
    )


def matches_expectation(expect: Expectation | Mapping[str, Any], verdict: Verdict) -> bool:
    """Verdict equal, expected reasons a subset, and the same next-allowed instant when
    one is expected (any UTC offset)."""
    if not isinstance(expect, Expectation):
        expect = parse_expectation(expect)
    if expect.verdict is not None and expect.verdict != verdict.verdict:
        return False
    if not set(expect.reasons) <= {str(reason) for reason in verdict.reasons}:
        return False
    if expect.has_next_allowed_at:
        # Aware datetimes compare as instants, whatever their offsets.
        return expect.next_allowed_at == verdict.next_allowed_at
    return True


def _parse_jurisdiction(value: Any) -> RuleSet:
    if value is None:
        raise ScenarioError("missing key 'jurisdiction'")
    if not isinstance(value, str) or value.strip().upper() not in STATUTORY:
        known = ", ".join(sorted(STATUTORY))
        raise ScenarioError(f"jurisdiction: unknown {value!r} (known: {known})")
    return STATUTORY[value.strip().upper()]


def _parse_consumer(data: Mapping[str, Any]) -> Consumer:
    timezones = tuple(
        _parse_timezone(name, f"consumer.timezones[{index}]")
        for index, name in enumerate(_optional_list(data, "timezones", "consumer.timezones"))
    )
    ranges = tuple(
        _parse_time_range(item, f"consumer.inconvenient_times[{index}]")
        for index, item in enumerate(_optional_list(data, "inconvenient_times", "consumer.inconvenient_times"))
    )
    attorney_value = data.get("attorney")
    attorney = False
    attorney_debts: frozenset[str] = frozenset()
    if isinstance(attorney_value, list | tuple):
        attorney_debts = _parse_debts(attorney_value, "consumer.attorney")
    elif isinstance(attorney_value, Mapping):
        attorney_debts = _parse_debts(attorney_value.get("debts"), "consumer.attorney.debts")
        attorney = not attorney_debts
    else:
        attorney = _parse_bool(attorney_value, "consumer.attorney")
    opt_outs = tuple(
        _parse_opt_out(item, f"consumer.opt_outs[{index}]")
        for index, item in enumerate(_optional_list(data, "opt_outs", "consumer.opt_outs"))
    )
    holds = tuple(
        hold
        for index, item in enumerate(_optional_list(data, "holds", "consumer.holds"))
        for hold in _parse_hold(item, f"consumer.holds[{index}]")
    )
    groups = tuple(
        _parse_debts(group, f"consumer.debt_groups[{index}]")
        for index, group in enumerate(_optional_list(data, "debt_groups", "consumer.debt_groups"))
    )
    return Consumer(
        timezones=timezones,
        inconvenient_times=ranges,
        late_contact_consent=_parse_bool(data.get("late_contact_consent"), "consumer.late_contact_consent"),
        attorney=attorney,
        attorney_debts=attorney_debts,
        cease=_parse_bool(data.get("cease"), "consumer.cease"),
        opt_outs=opt_outs,
        holds=holds,
        debt_groups=groups,
    )


def _parse_history_entry(data: Any, where: str) -> HistoryContact:
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{where}: must be an object")
    contact = _optional_str(data.get("contact"), f"{where}.contact")
    return HistoryContact(
        at=_parse_datetime(_required(data, "at", where), f"{where}.at"),
        channel=_parse_enum(Channel, _required(data, "channel", where), f"{where}.channel"),
        direction=_parse_enum(Direction, data.get("direction"), f"{where}.direction", Direction.OUTBOUND),
        to=_parse_party(data.get("to"), contact, f"{where}.to"),
        endpoint=_optional_str(data.get("endpoint"), f"{where}.endpoint"),
        contact=contact,
        debts=_parse_debts(data.get("debts"), f"{where}.debts"),
        outcome=_optional_str(data.get("outcome"), f"{where}.outcome"),
        by=_optional_str(data.get("by"), f"{where}.by") or "lender",
        consent=_parse_bool(data.get("consent"), f"{where}.consent"),
    )


def _parse_proposed(data: Any) -> ProposedContact:
    where = "proposed"
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{where}: must be an object")
    contact = _optional_str(data.get("contact"), f"{where}.contact")
    staff_count = data.get("staff_count")
    if staff_count is not None and (isinstance(staff_count, bool) or not isinstance(staff_count, int)):
        raise ScenarioError(f"{where}.staff_count: must be an integer or null, got {staff_count!r}")
    return ProposedContact(
        at=_parse_datetime(_required(data, "at", where), f"{where}.at"),
        channel=_parse_enum(Channel, _required(data, "channel", where), f"{where}.channel"),
        to=_parse_party(data.get("to"), contact, f"{where}.to"),
        endpoint=_optional_str(data.get("endpoint"), f"{where}.endpoint"),
        contact=contact,
        debts=_parse_debts(data.get("debts"), f"{where}.debts"),
        by=_optional_str(data.get("by"), f"{where}.by") or "lender",
        consent=_parse_bool(data.get("consent"), f"{where}.consent"),
        purpose=_parse_enum(Purpose, data.get("purpose"), f"{where}.purpose", Purpose.COLLECTION),
        discloses_debt=_parse_bool(data.get("discloses_debt"), f"{where}.discloses_debt"),
        opt_out_notice=_parse_bool(data.get("opt_out_notice"), f"{where}.opt_out_notice"),
        reply_to_consumer=_parse_bool(data.get("reply_to_consumer"), f"{where}.reply_to_consumer"),
        staff_count=staff_count,
    )


def _parse_opt_out(data: Any, where: str) -> OptOut:
    if isinstance(data, str):
        return OptOut(channel=_parse_enum(Channel, data, where))
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{where}: must be an object with a 'channel'")
    return OptOut(
        channel=_parse_enum(Channel, _required(data, "channel", where), f"{where}.channel"),
        endpoint=_optional_str(data.get("endpoint"), f"{where}.endpoint"),
    )


def _parse_hold(data: Any, where: str) -> list[Hold]:
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{where}: must be an object")
    reason = _optional_str(data.get("reason"), f"{where}.reason") or ""
    debt = data.get("debt")
    if debt is not None:
        return [Hold(debt=_debt_id(debt, f"{where}.debt"), reason=reason)]
    if data.get("debts") is not None:
        return [Hold(debt=d, reason=reason) for d in sorted(_parse_debts(data["debts"], f"{where}.debts"))]
    # A hold that names no debt holds the whole account.
    return [Hold(debt=None, reason=reason)]


def _parse_time_range(data: Any, where: str) -> LocalTimeRange:
    start: Any
    end: Any
    if isinstance(data, str):
        parts = _RANGE_SEPARATOR.split(data.strip())
        if len(parts) != 2:
            raise ScenarioError(f"{where}: expected 'HH:MM-HH:MM', got {data!r}")
        start, end = parts
    elif isinstance(data, list | tuple) and len(data) == 2:
        start, end = data
    elif isinstance(data, Mapping):
        start = data.get("start", data.get("from"))
        end = data.get("end", data.get("to"))
    else:
        raise ScenarioError(f"{where}: expected 'HH:MM-HH:MM', [start, end] or {{start, end}}")
    start_seconds = _parse_local_time(start, f"{where}.start")
    if start_seconds == _SECONDS_PER_DAY:
        start_seconds = 0
    return LocalTimeRange(start=start_seconds, end=_parse_local_time(end, f"{where}.end"))


def _parse_local_time(value: Any, where: str) -> int:
    match = _TIME_PATTERN.match(value) if isinstance(value, str) else None
    if match is None:
        raise ScenarioError(f"{where}: expected a local time 'HH:MM', got {value!r}")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    total = hours * 3600 + minutes * 60 + seconds
    if minutes > 59 or seconds > 59 or total > _SECONDS_PER_DAY:
        raise ScenarioError(f"{where}: invalid local time {value!r}")
    return total


def _parse_timezone(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ScenarioError(f"{where}: expected an IANA zone name, got {value!r}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScenarioError(f"{where}: unknown time zone {value!r}") from None
    return value


def _parse_datetime(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise ScenarioError(f"{where}: expected an ISO-8601 datetime string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ScenarioError(f"{where}: invalid ISO-8601 datetime {value!r}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ScenarioError(f"{where}: datetime {value!r} has no UTC offset")
    return parsed


def _parse_enum(enum_type: type[_E], value: Any, where: str, default: _E | None = None) -> _E:
    if value is None and default is not None:
        return default
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_type)
        raise ScenarioError(f"{where}: unknown value {value!r} (expected one of {allowed})") from None


def _parse_party(value: Any, contact: str | None, where: str) -> Party:
    # A contact id only exists for third parties, so it implies the recipient.
    default = Party.THIRD_PARTY if contact is not None else Party.DEBTOR
    return _parse_enum(Party, value, where, default)


def _parse_debts(value: Any, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str | int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ScenarioError(f"{where}: expected a list of debt ids, got {value!r}")
    return frozenset(_debt_id(item, where) for item in value)


def _debt_id(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ScenarioError(f"{where}: debt ids must be strings, got {value!r}")
    return str(value)


def _parse_bool(value: Any, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ScenarioError(f"{where}: expected true or false, got {value!r}")
    return value


def _optional_str(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ScenarioError(f"{where}: expected a string, got {value!r}")
    return str(value)


def _required(data: Mapping[str, Any], key: str, where: str) -> Any:
    if data.get(key) is None:
        raise ScenarioError(f"{where}: missing key '{key}'")
    return data[key]


def _optional_mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ScenarioError(f"{key}: must be an object")
    return value


def _optional_list(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ScenarioError(f"{where}: must be a list")
    return value
