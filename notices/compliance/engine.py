"""Contact-compliance engine: a pure function from (rules, consumer, history, proposal)
to a verdict.

Every outbound contact, automated or made by staff, is judged here. Nothing in this
module touches the database, so the same code runs in services, Celery tasks and the
``contact_check`` command.

Counting is by the consumer's local calendar day. A consumer may be in several zones:
a time of day must be allowed in all of them and a day-based limit blocks if it is
reached in any of them.

The input types (``notices.compliance.inputs``) and the scenario format
(``notices.compliance.scenarios``) stay importable from this module too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from notices.compliance.clock import (
    _SECONDS_PER_DAY,
    _local_midnight,
    _offset_change_between,
    _seconds_of_day,
    _time_of_seconds,
    _time_seconds,
)
from notices.compliance.inputs import (
    AFTER_CEASE_PURPOSES,
    COLLECTION_PURPOSES,
    DEAD_NUMBER_OUTCOMES,
    ELECTRONIC_CHANNELS,
    ELECTRONIC_MESSAGE_CHANNELS,
    FAILED_CALL_OUTCOMES,
    REACHED_OUTCOMES,
    THIRD_PARTY_PURPOSES,
    UNANSWERED_OUTCOMES,
    Channel,
    Consumer,
    Direction,
    HistoryContact,
    OptOut,
    Outcome,
    Party,
    ProposedContact,
    Purpose,
    ReasonCode,
    Verdict,
)
from notices.compliance.inputs import Hold as Hold
from notices.compliance.inputs import LocalTimeRange as LocalTimeRange
from notices.compliance.inputs import ScenarioError as ScenarioError
from notices.compliance.inputs import ThirdPartyException as ThirdPartyException
from notices.compliance.rules import RuleSet
from notices.compliance.scenarios import Expectation as Expectation
from notices.compliance.scenarios import matches_expectation as matches_expectation
from notices.compliance.scenarios import parse_expectation as parse_expectation
from notices.compliance.scenarios import parse_scenario as parse_scenario
from notices.compliance.validation_rules import validation_notice_reasons

_REASON_ORDER: Final = {code: index for index, code in enumerate(ReasonCode)}

# How far ahead next_allowed_at is searched (at least). Every statutory time-based rule
# clears within about a week, so running out means the contact cannot become allowed
# (for instance the consumer declared the whole contact window inconvenient).
_MIN_SEARCH_DAYS: Final = 31


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
        # Times the consumer called inconvenient bind communications with the consumer
        # (12 CFR 1006.6(b)(1)), not location calls to other people.
        self.inconvenient_applies = (
            self.time_restricted
            and proposed.to == Party.DEBTOR
            and bool(consumer.inconvenient_times)
            and not self._inconvenient_reply_excepted()
        )
        self._day_cache: dict[tuple[int, date], frozenset[ReasonCode]] = {}
        self._day_rules = self._build_day_rules()
        self._lost_from: list[datetime | None] | None = None
        if ruleset.applies_third_party_lost_contact and proposed.to == Party.THIRD_PARTY:
            self._lost_from = [self._lost_contact_from(zone) for zone in self.zones]

    # ----------------------------------------------------------- standing rules

    def standing_reasons(self) -> set[ReasonCode]:
        proposed, consumer = self.proposed, self.consumer
        to_debtor = proposed.to == Party.DEBTOR
        reasons: set[ReasonCode] = set()
        if proposed.purpose in COLLECTION_PURPOSES:
            for hold in consumer.holds:
                if hold.debt is None or hold.debt in self.related_debts:
                    reasons.add(ReasonCode.DISPUTE_HOLD if hold.is_dispute else ReasonCode.COLLECTION_HOLD)
        # A cease request stops communications with the consumer (12 CFR 1006.6(c)), not
        # lawful location contacts with other people.
        if consumer.cease and to_debtor and proposed.purpose not in AFTER_CEASE_PURPOSES:
            reasons.add(ReasonCode.CEASE_REQUESTED)
        # An opt-out binds communications with the person who made it (1006.14(h)(1)).
        if (
            to_debtor
            and any(self._opt_out_matches(opt_out) for opt_out in consumer.opt_outs)
            and not self._opt_out_excepted()
        ):
            reasons.add(ReasonCode.CHANNEL_OPT_OUT)
        if (
            proposed.purpose != Purpose.OPT_OUT_CONFIRMATION
            and proposed.channel in ELECTRONIC_MESSAGE_CHANNELS
            and not proposed.opt_out_notice
        ):
            reasons.add(ReasonCode.OPT_OUT_NOTICE_MISSING)
        if self._attorney_bars_contact():
            reasons.add(ReasonCode.ATTORNEY_REPRESENTED)
        if not to_debtor:
            reasons |= self._third_party_reasons()
        if proposed.channel == Channel.VISIT and (
            proposed.staff_count is None or proposed.staff_count < self.rules.visit_min_staff
        ):
            reasons.add(ReasonCode.VISIT_STAFF_MINIMUM)
        if self.rules.applies_regf_place_and_media and to_debtor:
            reasons |= self._place_and_media_reasons()
        # 12 CFR 1006.26(b): no suit and no threat of suit on a time-barred debt, whoever the
        # communication is addressed to.
        if proposed.legal_action and consumer.time_barred_debts & (proposed.debts | self.related_debts):
            reasons.add(ReasonCode.TIME_BARRED_SUIT_THREAT)
        if self.rules.applies_regf_validation_notice and to_debtor:
            reasons |= validation_notice_reasons(consumer, self.history, proposed)
        return reasons

    def _third_party_reasons(self) -> set[ReasonCode]:
        proposed, rules = self.proposed, self.rules
        reasons: set[ReasonCode] = set()
        if any(entry.outcome == Outcome.REFUSED_CONTACT and self._same_third_party(entry) for entry in self.history):
            reasons.add(ReasonCode.THIRD_PARTY_REFUSED)
        excepted = rules.applies_regf_third_party and proposed.third_party_exception is not None
        if excepted:
            # The consumer's attorney, the creditor, ... may be told about the debt.
            return reasons
        if proposed.discloses_debt:
            reasons.add(ReasonCode.THIRD_PARTY_DISCLOSURE)
        allowed = THIRD_PARTY_PURPOSES
        if rules.applies_regf_third_party:
            # 1006.6(d)(1): location information only; a message left for the consumer
            # with someone else is itself a communication with a third party.
            allowed = allowed - {Purpose.RELAY_MESSAGE}
        if proposed.purpose not in allowed:
            # US 1006.6(d)(1); CN: "不应向联系人催收", "严禁对无关第三人进行催收".
            reasons.add(ReasonCode.THIRD_PARTY_PURPOSE)
        if (
            rules.applies_regf_third_party
            and proposed.purpose == Purpose.LOCATION_INFO
            and not proposed.location_follow_up
            and any(self._location_communication(entry) for entry in self.history)
        ):
            reasons.add(ReasonCode.LOCATION_REPEATED)
        return reasons

    def _location_communication(self, entry: HistoryContact) -> bool:
        """An earlier communication with this third party (1006.10(c): once per person).
        A call counts when it was answered; a message when it was sent (or delivered).
        Any earlier communication counts, whatever its recorded purpose, except the one
        confirming the person's own opt-out."""
        if entry.direction != Direction.OUTBOUND or entry.at >= self.proposed.at or not self._same_third_party(entry):
            return False
        if entry.purpose == Purpose.OPT_OUT_CONFIRMATION:
            return False
        if entry.channel == Channel.CALL or entry.channel == Channel.VISIT:
            return entry.outcome in REACHED_OUTCOMES
        return entry.outcome is None or entry.outcome in REACHED_OUTCOMES

    def _place_and_media_reasons(self) -> set[ReasonCode]:
        proposed, consumer = self.proposed, self.consumer
        reasons: set[ReasonCode] = set()
        # 1006.6(b)(3); the consumer's prior consent given directly lifts it (1006.6(b)).
        if consumer.employer_prohibits and proposed.at_workplace and not proposed.consent:
            reasons.add(ReasonCode.EMPLOYER_PROHIBITS)
        # 1006.22(f)(3): unless the consumer consented to that address or wrote from it.
        if (
            proposed.channel == Channel.EMAIL
            and proposed.work_email
            and not proposed.consent
            and not any(
                entry.channel == Channel.EMAIL
                and entry.direction == Direction.INBOUND
                and entry.at < proposed.at
                and entry.endpoint is not None
                and entry.endpoint == proposed.endpoint
                for entry in self.history
            )
        ):
            reasons.add(ReasonCode.WORK_EMAIL)
        if proposed.channel == Channel.LETTER:
            if proposed.postcard:
                reasons.add(ReasonCode.POSTCARD)
            if proposed.envelope_debt_language:
                reasons.add(ReasonCode.ENVELOPE_LANGUAGE)
        return reasons

    def _opt_out_excepted(self) -> bool:
        """12 CFR 1006.14(h)(2): one electronic confirmation of an electronic opt-out, and
        one reply in the opted-out medium to a message the consumer sent through it."""
        proposed = self.proposed
        if proposed.purpose == Purpose.OPT_OUT_CONFIRMATION and proposed.channel in ELECTRONIC_CHANNELS:
            return not any(
                entry.direction == Direction.OUTBOUND
                and entry.to == Party.DEBTOR
                and entry.channel == proposed.channel
                and entry.purpose == Purpose.OPT_OUT_CONFIRMATION
                and entry.at < proposed.at
                for entry in self.history
            )
        return proposed.reply_to_consumer and self._first_reply_in_medium(lambda entry: True)

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
        if proposed.third_party_exception is not None and self.rules.applies_regf_third_party:
            return False
        # Once an attorney is known, location questions go to the attorney
        # (15 U.S.C. 1692b(6)), not to third parties; so do messages for the consumer.
        return proposed.purpose in (Purpose.LOCATION_INFO, Purpose.RELAY_MESSAGE)

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
        return self.proposed.reply_to_consumer and self._first_reply_in_medium(
            lambda entry: self._in_inconvenient_time(entry.at)
        )

    def _first_reply_in_medium(self, qualifies: Callable[[HistoryContact], bool]) -> bool:
        """Whether the proposal is the first outbound message in its medium since an inbound
        message in that medium for which ``qualifies`` holds."""
        proposed = self.proposed
        earlier = [entry for entry in self.history if entry.at < proposed.at and entry.channel == proposed.channel]
        outbound_times = [e.at for e in earlier if e.direction == Direction.OUTBOUND]
        last_outbound = max(outbound_times, default=None)
        return any(
            entry.direction == Direction.INBOUND
            and (last_outbound is None or entry.at > last_outbound)
            and qualifies(entry)
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
            # Not "placed to" the person: not connected, or a number not in service
            # (comment 14(b)(3)(ii)-1).
            and entry.outcome != Outcome.NOT_CONNECTED
            and entry.outcome not in DEAD_NUMBER_OUTCOMES
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
            if entry.outcome in DEAD_NUMBER_OUTCOMES:
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
