"""Tests of the pure contact-compliance engine (no database, no Django settings)."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notices.compliance import (
    STATUTORY,
    Consumer,
    HistoryContact,
    Hold,
    LocalTimeRange,
    OptOut,
    ProposedContact,
    ReasonCode,
    RuleSet,
    ScenarioError,
    Verdict,
    evaluate,
    get_ruleset,
    matches_expectation,
    parse_expectation,
    parse_scenario,
    tighten,
)

HERE = Path(__file__).resolve().parent
SHARED_SCENARIOS = HERE.parents[2] / "shared" / "compliance" / "scenarios.jsonl"
EXTRA_SCENARIOS = HERE / "scenarios_extra.jsonl"
# The corrected third-party, opt-out, cease, workplace, mail and CN quiet-hour rules.
CONTACT_RULE_SCENARIOS = HERE / "scenarios_contact_rules.jsonl"

CHICAGO = ZoneInfo("America/Chicago")
SHANGHAI = ZoneInfo("Asia/Shanghai")
CN = STATUTORY["CN"]
US = STATUTORY["US-REGF"]


def chicago(day: int, hour: int, minute: int = 0, month: int = 4) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHICAGO)


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 4, day, hour, minute, tzinfo=SHANGHAI)


def us_consumer(**changes: Any) -> Consumer:
    return Consumer(timezones=("America/Chicago",), **changes)


def cn_consumer(**changes: Any) -> Consumer:
    return Consumer(timezones=("Asia/Shanghai",), **changes)


def call(at: datetime, **changes: Any) -> HistoryContact:
    fields: dict[str, Any] = {
        "channel": "call",
        "endpoint": "mobile",
        "debts": frozenset({"A"}),
        "outcome": "no_answer",
    }
    fields.update(changes)
    return HistoryContact(at=at, **fields)


def proposal(at: datetime, **changes: Any) -> ProposedContact:
    fields: dict[str, Any] = {
        "channel": "call",
        "endpoint": "mobile",
        "debts": frozenset({"A"}),
    }
    fields.update(changes)
    return ProposedContact(at=at, **fields)


def third_party(at: datetime, **changes: Any) -> ProposedContact:
    fields: dict[str, Any] = {
        "to": "third_party",
        "contact": "C1",
        "endpoint": "C1-mobile",
        "purpose": "location_info",
    }
    fields.update(changes)
    return proposal(at, **fields)


def reasons_of(verdict: Verdict) -> list[str]:
    return [str(reason) for reason in verdict.reasons]


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


# --------------------------------------------------------------------- reason codes


def test_reason_codes_are_exactly_the_readme_table_in_order() -> None:
    assert [code.value for code in ReasonCode] == [
        "TIME_WINDOW",
        "DESIGNATED_INCONVENIENT",
        "CALL_FREQUENCY_7IN7",
        "CONVERSATION_COOLDOWN",
        "DAILY_UNANSWERED_CAP",
        "DAILY_CONNECTED_CAP",
        "DISPUTE_HOLD",
        "COLLECTION_HOLD",
        "CEASE_REQUESTED",
        "CHANNEL_OPT_OUT",
        "OPT_OUT_NOTICE_MISSING",
        "ATTORNEY_REPRESENTED",
        "THIRD_PARTY_NOT_ALLOWED",
        "THIRD_PARTY_REFUSED",
        "THIRD_PARTY_DISCLOSURE",
        "VISIT_STAFF_MINIMUM",
        "THIRD_PARTY_PURPOSE",
        "LOCATION_REPEATED",
        "EMPLOYER_PROHIBITS",
        "WORK_EMAIL",
        "POSTCARD",
        "ENVELOPE_LANGUAGE",
        "TIME_BARRED_SUIT_THREAT",
        "COLLECTION_BEFORE_VALIDATION_NOTICE",
        "ELECTRONIC_DELIVERY_WITHOUT_CONSENT",
    ]


RULES_README = HERE.parents[1] / "notices" / "compliance" / "README.md"


def test_the_rules_readme_documents_every_reason_code_in_order() -> None:
    text = RULES_README.read_text(encoding="utf-8")
    table = text.split("## Reason codes", 1)[1].split("\n## ", 1)[0]
    codes = [line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert codes[1:] == [code.value for code in ReasonCode]  # the first row is the header


SEVEN_CALLS = [
    call(chicago(6, 9)),
    call(chicago(6, 12)),
    call(chicago(6, 18)),
    call(chicago(7, 9)),
    call(chicago(7, 13)),
    call(chicago(8, 10)),
    call(chicago(9, 10)),
]


def _each_reason_cases() -> list[Any]:
    """One minimal case per reason code: (ruleset, consumer, history, proposal,
    expected next_allowed_at)."""
    cases: dict[ReasonCode, tuple[Any, ...]] = {}
    cases[ReasonCode.TIME_WINDOW] = (
        US,
        us_consumer(),
        [],
        proposal(chicago(7, 7, 59)),
        chicago(7, 8),
    )
    cases[ReasonCode.CALL_FREQUENCY_7IN7] = (
        US,
        us_consumer(),
        SEVEN_CALLS,
        proposal(chicago(10, 10)),
        chicago(13, 8),
    )
    cases[ReasonCode.CONVERSATION_COOLDOWN] = (
        US,
        us_consumer(),
        [call(chicago(6, 14), outcome="conversation")],
        proposal(chicago(12, 10)),
        chicago(13, 8),
    )
    cases[ReasonCode.DAILY_UNANSWERED_CAP] = (
        CN,
        cn_consumer(),
        [call(shanghai(7, 9 + i)) for i in range(6)],
        proposal(shanghai(7, 19)),
        shanghai(8, 8),
    )
    cases[ReasonCode.DAILY_CONNECTED_CAP] = (
        CN,
        cn_consumer(),
        [call(shanghai(7, 9 + i), outcome="conversation") for i in range(3)],
        proposal(shanghai(7, 16)),
        shanghai(8, 8),
    )
    cases[ReasonCode.DESIGNATED_INCONVENIENT] = (
        CN,
        cn_consumer(inconvenient_times=(LocalTimeRange(12 * 3600, 13 * 3600),)),
        [],
        proposal(shanghai(7, 12, 30)),
        shanghai(7, 13),
    )
    cases[ReasonCode.DISPUTE_HOLD] = (
        US,
        us_consumer(holds=(Hold(debt="A", reason="dispute"),)),
        [],
        proposal(chicago(7, 10)),
        None,
    )
    cases[ReasonCode.COLLECTION_HOLD] = (
        CN,
        cn_consumer(holds=(Hold(debt="A", reason="hardship_review"),)),
        [],
        proposal(shanghai(7, 10)),
        None,
    )
    cases[ReasonCode.CEASE_REQUESTED] = (
        US,
        us_consumer(cease=True),
        [],
        proposal(chicago(7, 10)),
        None,
    )
    cases[ReasonCode.CHANNEL_OPT_OUT] = (
        CN,
        cn_consumer(opt_outs=(OptOut(channel="call"),)),  # type: ignore[arg-type]
        [],
        proposal(shanghai(7, 10)),
        None,
    )
    cases[ReasonCode.OPT_OUT_NOTICE_MISSING] = (
        US,
        us_consumer(),
        [],
        proposal(chicago(7, 10), channel="email", endpoint="email"),
        None,
    )
    cases[ReasonCode.ATTORNEY_REPRESENTED] = (
        CN,
        cn_consumer(attorney=True),
        [],
        proposal(shanghai(7, 10)),
        None,
    )
    cases[ReasonCode.THIRD_PARTY_NOT_ALLOWED] = (
        CN,
        cn_consumer(),
        [call(shanghai(7, 9)), call(shanghai(7, 10)), call(shanghai(7, 11))],
        third_party(shanghai(7, 15)),
        shanghai(8, 8),
    )
    cases[ReasonCode.THIRD_PARTY_REFUSED] = (
        US,
        us_consumer(),
        [call(chicago(6, 10), to="third_party", contact="C1", outcome="refused_contact")],
        third_party(chicago(7, 10)),
        None,
    )
    cases[ReasonCode.THIRD_PARTY_DISCLOSURE] = (
        US,
        us_consumer(),
        [],
        third_party(chicago(7, 10), discloses_debt=True),
        None,
    )
    cases[ReasonCode.VISIT_STAFF_MINIMUM] = (
        CN,
        cn_consumer(),
        [],
        proposal(shanghai(7, 14), channel="visit", endpoint="home", staff_count=1),
        None,
    )
    cases[ReasonCode.THIRD_PARTY_PURPOSE] = (
        US,
        us_consumer(),
        [],
        third_party(chicago(7, 10), purpose="collection"),
        None,
    )
    cases[ReasonCode.LOCATION_REPEATED] = (
        US,
        us_consumer(),
        [call(chicago(3, 20, month=3), to="third_party", contact="C1", endpoint="C1-mobile", outcome="conversation")],
        third_party(chicago(7, 10)),
        None,
    )
    cases[ReasonCode.EMPLOYER_PROHIBITS] = (
        US,
        us_consumer(employer_prohibits=True),
        [],
        proposal(chicago(7, 10), endpoint="work", at_workplace=True),
        None,
    )
    cases[ReasonCode.WORK_EMAIL] = (
        US,
        us_consumer(),
        [],
        proposal(chicago(7, 10), channel="email", endpoint="work-email", opt_out_notice=True, work_email=True),
        None,
    )
    cases[ReasonCode.POSTCARD] = (
        US,
        us_consumer(),
        [],
        proposal(chicago(7, 10), channel="letter", endpoint="home", postcard=True),
        None,
    )
    cases[ReasonCode.ENVELOPE_LANGUAGE] = (
        US,
        us_consumer(),
        [],
        proposal(chicago(7, 10), channel="letter", endpoint="home", envelope_debt_language=True),
        None,
    )
    cases[ReasonCode.TIME_BARRED_SUIT_THREAT] = (
        US,
        us_consumer(time_barred_debts=frozenset({"A"})),
        [],
        proposal(chicago(7, 10), channel="letter", endpoint="home", legal_action=True),
        None,
    )
    cases[ReasonCode.COLLECTION_BEFORE_VALIDATION_NOTICE] = (
        US,
        us_consumer(validation_notice_pending=frozenset({"A"})),
        [call(chicago(6, 10), channel="sms", outcome=None, purpose="collection")],
        proposal(chicago(7, 10), channel="letter", endpoint="home"),
        None,
    )
    cases[ReasonCode.ELECTRONIC_DELIVERY_WITHOUT_CONSENT] = (
        US,
        us_consumer(),
        [],
        proposal(
            chicago(7, 10), channel="email", endpoint="c@example.com", purpose="validation_notice", opt_out_notice=True
        ),
        None,
    )
    return [pytest.param(code, *cases[code], id=code.value) for code in ReasonCode]


@pytest.mark.parametrize(
    ("code", "ruleset", "consumer", "history", "proposed", "next_allowed_at"),
    _each_reason_cases(),
)
def test_each_reason_code_alone(
    code: ReasonCode,
    ruleset: RuleSet,
    consumer: Consumer,
    history: list[HistoryContact],
    proposed: ProposedContact,
    next_allowed_at: datetime | None,
) -> None:
    verdict = evaluate(ruleset, consumer, history, proposed)

    assert not verdict.allowed
    assert verdict.reasons == [code]
    assert verdict.next_allowed_at == next_allowed_at


def test_allowed_contact_has_no_reasons_and_no_next_time() -> None:
    verdict = evaluate(US, us_consumer(), [], proposal(chicago(7, 10)))

    assert verdict == Verdict(allowed=True, reasons=[], next_allowed_at=None)
    assert verdict.as_dict() == {"verdict": "allowed", "reasons": [], "next_allowed_at": None}


def test_reasons_follow_table_order_and_permanent_reason_clears_next_time() -> None:
    consumer = us_consumer(cease=True)
    proposed = proposal(chicago(7, 22), channel="sms", endpoint="sms")

    verdict = evaluate(US, consumer, [], proposed)

    assert reasons_of(verdict) == ["TIME_WINDOW", "CEASE_REQUESTED", "OPT_OUT_NOTICE_MISSING"]
    assert verdict.next_allowed_at is None


def test_next_allowed_at_is_in_first_consumer_zone_and_serialised_with_offset() -> None:
    consumer = Consumer(timezones=("America/Los_Angeles", "America/New_York"))
    proposed = proposal(datetime(2026, 4, 7, 10, tzinfo=ZoneInfo("America/New_York")))

    verdict = evaluate(US, consumer, [], proposed)

    assert verdict.as_dict()["next_allowed_at"] == "2026-04-07T08:00:00-07:00"


# --------------------------------------------------------------------- time window


@pytest.mark.parametrize(
    ("ruleset", "zone", "hour", "minute", "allowed"),
    [
        (US, CHICAGO, 8, 0, True),
        (US, CHICAGO, 7, 59, False),
        (US, CHICAGO, 20, 59, True),
        (US, CHICAGO, 21, 0, False),
        (CN, SHANGHAI, 21, 59, True),
        (CN, SHANGHAI, 22, 0, False),
        (CN, SHANGHAI, 8, 0, True),
    ],
)
def test_window_is_start_inclusive_end_exclusive(
    ruleset: RuleSet, zone: ZoneInfo, hour: int, minute: int, allowed: bool
) -> None:
    consumer = Consumer(timezones=(zone.key,))
    at = datetime(2026, 4, 7, hour, minute, tzinfo=zone)

    assert evaluate(ruleset, consumer, [], proposal(at)).allowed is allowed


@pytest.mark.parametrize(("ruleset", "zone"), [(CN, SHANGHAI), (US, CHICAGO)])
def test_letters_ignore_the_window(ruleset: RuleSet, zone: ZoneInfo) -> None:
    at = datetime(2026, 4, 7, 3, tzinfo=zone)
    verdict = evaluate(ruleset, Consumer(timezones=(zone.key,)), [], proposal(at, channel="letter"))
    assert verdict.allowed


def test_in_app_messages_keep_the_cn_quiet_hours_only() -> None:
    cn_verdict = evaluate(CN, cn_consumer(), [], proposal(shanghai(7, 23), channel="in_app"))
    assert reasons_of(cn_verdict) == ["TIME_WINDOW"]
    assert cn_verdict.next_allowed_at == shanghai(8, 8)
    assert evaluate(US, us_consumer(), [], proposal(chicago(7, 23), channel="in_app")).allowed


@pytest.mark.parametrize("channel", ["call", "sms", "email", "visit"])
def test_window_channels(channel: str) -> None:
    proposed = proposal(chicago(7, 21, 30), channel=channel, opt_out_notice=True, staff_count=2)
    verdict = evaluate(US, us_consumer(), [], proposed)
    assert reasons_of(verdict) == ["TIME_WINDOW"]
    assert verdict.next_allowed_at == chicago(8, 8)


def test_late_contact_consent_lifts_the_window() -> None:
    consumer = cn_consumer(late_contact_consent=True)
    assert evaluate(CN, consumer, [], proposal(shanghai(7, 23))).allowed


def test_time_must_be_allowed_in_every_zone() -> None:
    consumer = Consumer(timezones=("America/New_York", "America/Los_Angeles"))
    new_york = ZoneInfo("America/New_York")

    early = evaluate(US, consumer, [], proposal(datetime(2026, 4, 7, 10, tzinfo=new_york)))
    ok = evaluate(US, consumer, [], proposal(datetime(2026, 4, 7, 11, tzinfo=new_york)))

    assert reasons_of(early) == ["TIME_WINDOW"]
    assert early.next_allowed_at == datetime(2026, 4, 7, 11, tzinfo=new_york)
    assert ok.allowed


def test_unknown_us_zone_means_every_us_zone() -> None:
    utc = ZoneInfo("UTC")
    blocked = evaluate(US, Consumer(), [], proposal(datetime(2026, 4, 7, 17, tzinfo=utc)))
    allowed = evaluate(US, Consumer(), [], proposal(datetime(2026, 4, 7, 18, tzinfo=utc)))

    # Honolulu (UTC-10) opens last, New York (UTC-4 in April) closes first.
    assert blocked.next_allowed_at == datetime(2026, 4, 7, 18, tzinfo=utc)
    assert allowed.allowed
    late = evaluate(US, Consumer(), [], proposal(datetime(2026, 4, 8, 1, tzinfo=utc)))
    assert late.next_allowed_at == datetime(2026, 4, 8, 18, tzinfo=utc)


def test_unknown_cn_zone_means_shanghai() -> None:
    verdict = evaluate(CN, Consumer(), [], proposal(shanghai(7, 23)))
    assert verdict.next_allowed_at == shanghai(8, 8)
    assert verdict.next_allowed_at is not None
    assert verdict.next_allowed_at.utcoffset() == timedelta(hours=8)


def test_next_allowed_across_spring_forward() -> None:
    new_york = ZoneInfo("America/New_York")
    consumer = Consumer(timezones=("America/New_York",))
    proposed = proposal(datetime(2026, 3, 7, 21, 30, tzinfo=new_york))

    verdict = evaluate(US, consumer, [], proposed)

    assert verdict.as_dict()["next_allowed_at"] == "2026-03-08T08:00:00-04:00"


def test_inconvenient_range_in_the_skipped_spring_hour_ends_when_clocks_jump() -> None:
    new_york = ZoneInfo("America/New_York")
    consumer = Consumer(
        timezones=("America/New_York",),
        late_contact_consent=True,
        inconvenient_times=_ranges_from("01:30-02:30"),
    )
    proposed = proposal(datetime(2026, 3, 8, 1, 45, tzinfo=new_york))

    verdict = evaluate(US, consumer, [], proposed)

    assert verdict.as_dict()["next_allowed_at"] == "2026-03-08T03:00:00-04:00"


def test_inconvenient_range_in_the_repeated_autumn_hour_covers_both_passes() -> None:
    new_york = ZoneInfo("America/New_York")
    consumer = Consumer(
        timezones=("America/New_York",),
        late_contact_consent=True,
        inconvenient_times=_ranges_from("01:00-02:00"),
    )
    first_pass = datetime(2026, 11, 1, 1, 30, tzinfo=new_york)
    second_pass = first_pass.replace(fold=1)

    verdict = evaluate(US, consumer, [], proposal(first_pass))

    assert not evaluate(US, consumer, [], proposal(second_pass)).allowed
    assert verdict.as_dict()["next_allowed_at"] == "2026-11-01T02:00:00-05:00"


# --------------------------------------------------------------------- inconvenient times


def _ranges_from(*items: Any) -> Any:
    data = {
        "jurisdiction": "CN",
        "consumer": {"inconvenient_times": list(items)},
        "proposed": {"at": "2026-04-07T10:00:00+08:00", "channel": "letter"},
    }
    return parse_scenario(data)[1].inconvenient_times


@pytest.mark.parametrize(
    "item",
    [
        "12:00-13:00",
        ["12:00", "13:00"],
        {"start": "12:00", "end": "13:00"},
        {"from": "12:00", "to": "13:00"},
    ],
)
def test_inconvenient_time_formats(item: Any) -> None:
    consumer = cn_consumer(inconvenient_times=_ranges_from(item))

    inside = evaluate(CN, consumer, [], proposal(shanghai(7, 12, 59)))
    after = evaluate(CN, consumer, [], proposal(shanghai(7, 13)))

    assert reasons_of(inside) == ["DESIGNATED_INCONVENIENT"]
    assert inside.next_allowed_at == shanghai(7, 13)
    assert after.allowed


def test_inconvenient_range_across_midnight() -> None:
    consumer = cn_consumer(inconvenient_times=_ranges_from("21:00-09:00"))

    verdict = evaluate(CN, consumer, [], proposal(shanghai(7, 21, 30)))

    assert reasons_of(verdict) == ["DESIGNATED_INCONVENIENT"]
    assert verdict.next_allowed_at == shanghai(8, 9)


def test_inconvenient_covering_the_whole_window_is_never_lifted() -> None:
    consumer = us_consumer(inconvenient_times=_ranges_from("06:00-22:00"))
    verdict = evaluate(US, consumer, [], proposal(chicago(7, 10)))
    assert reasons_of(verdict) == ["DESIGNATED_INCONVENIENT"]
    assert verdict.next_allowed_at is None


def test_inconvenient_applies_even_with_late_contact_consent() -> None:
    consumer = cn_consumer(late_contact_consent=True, inconvenient_times=_ranges_from("22:00-23:00"))
    verdict = evaluate(CN, consumer, [], proposal(shanghai(7, 22, 30)))
    assert verdict.next_allowed_at == shanghai(7, 23)


class TestReplyToConsumerException:
    consumer = us_consumer(inconvenient_times=_ranges_from("12:00-13:00"))
    inbound = call(chicago(7, 12, 5), channel="sms", direction="inbound", outcome="delivered")
    reply = proposal(chicago(7, 12, 20), channel="sms", opt_out_notice=True, reply_to_consumer=True)

    def test_first_reply_in_same_medium_is_allowed(self) -> None:
        assert evaluate(US, self.consumer, [self.inbound], self.reply).allowed

    def test_only_the_first_reply(self) -> None:
        answered = call(chicago(7, 12, 10), channel="sms", outcome="delivered")
        verdict = evaluate(US, self.consumer, [self.inbound, answered], self.reply)
        assert reasons_of(verdict) == ["DESIGNATED_INCONVENIENT"]

    def test_needs_the_reply_flag(self) -> None:
        proposed = dataclasses.replace(self.reply, reply_to_consumer=False)
        assert not evaluate(US, self.consumer, [self.inbound], proposed).allowed

    def test_needs_the_same_medium(self) -> None:
        inbound = dataclasses.replace(self.inbound, channel="email")
        assert not evaluate(US, self.consumer, [inbound], self.reply).allowed

    def test_needs_the_inbound_message_inside_an_inconvenient_time(self) -> None:
        inbound = dataclasses.replace(self.inbound, at=chicago(7, 11))
        assert not evaluate(US, self.consumer, [inbound], self.reply).allowed

    def test_ignores_later_inbound_messages(self) -> None:
        inbound = dataclasses.replace(self.inbound, at=chicago(7, 12, 30))
        assert not evaluate(US, self.consumer, [inbound], self.reply).allowed


# --------------------------------------------------------------------- US call limits


def test_seventh_call_allowed_eighth_blocked_until_window_slides() -> None:
    allowed = evaluate(US, us_consumer(), SEVEN_CALLS[:6], proposal(chicago(10, 10)))
    blocked = evaluate(US, us_consumer(), SEVEN_CALLS, proposal(chicago(10, 10)))

    assert allowed.allowed
    assert reasons_of(blocked) == ["CALL_FREQUENCY_7IN7"]
    assert blocked.next_allowed_at == chicago(13, 8)
    assert evaluate(US, us_consumer(), SEVEN_CALLS, proposal(chicago(13, 8))).allowed


@pytest.mark.parametrize(
    "changes",
    [
        {"outcome": "not_connected"},
        {"consent": True},
        {"direction": "inbound"},
        {"by": "agency"},
        {"debts": frozenset({"B"})},
        {"to": "third_party", "contact": "C1"},
        {"channel": "sms"},
    ],
    ids=lambda changes: "-".join(changes),
)
def test_calls_that_do_not_count_toward_7in7(changes: dict[str, Any]) -> None:
    history = [*SEVEN_CALLS[:6], dataclasses.replace(SEVEN_CALLS[6], **changes)]
    assert evaluate(US, us_consumer(), history, proposal(chicago(10, 10))).allowed


def test_7in7_counts_every_number_of_the_debtor() -> None:
    history = [dataclasses.replace(c, endpoint=f"n{i}") for i, c in enumerate(SEVEN_CALLS)]
    verdict = evaluate(US, us_consumer(), history, proposal(chicago(10, 10), endpoint="x"))
    assert reasons_of(verdict) == ["CALL_FREQUENCY_7IN7"]


def test_7in7_debt_group_counts_as_one_debt() -> None:
    history = [dataclasses.replace(c, debts=frozenset({"A" if i < 4 else "B"})) for i, c in enumerate(SEVEN_CALLS)]
    proposed = proposal(chicago(10, 10), debts=frozenset({"B"}))

    grouped = evaluate(US, us_consumer(debt_groups=(frozenset({"A", "B"}),)), history, proposed)
    separate = evaluate(US, us_consumer(), history, proposed)

    assert reasons_of(grouped) == ["CALL_FREQUENCY_7IN7"]
    assert separate.allowed


def test_7in7_is_per_third_party() -> None:
    history = [dataclasses.replace(c, to="third_party", contact="C1") for c in SEVEN_CALLS]
    same = evaluate(US, us_consumer(), history, third_party(chicago(10, 10)))
    other = evaluate(US, us_consumer(), history, third_party(chicago(10, 10), contact="C2"))
    debtor = evaluate(US, us_consumer(), history, proposal(chicago(10, 10)))

    assert reasons_of(same) == ["CALL_FREQUENCY_7IN7"]
    assert other.allowed
    assert debtor.allowed


def test_prior_consent_call_is_not_limited() -> None:
    proposed = proposal(chicago(10, 10), consent=True)
    assert evaluate(US, us_consumer(), SEVEN_CALLS, proposed).allowed


class TestConversationCooldown:
    conversation = call(chicago(6, 14), outcome="conversation")

    @pytest.mark.parametrize("day", [6, 7, 12])
    def test_blocked_through_day_seven(self, day: int) -> None:
        verdict = evaluate(US, us_consumer(), [self.conversation], proposal(chicago(day, 20)))
        assert reasons_of(verdict) == ["CONVERSATION_COOLDOWN"]
        assert verdict.next_allowed_at == chicago(13, 8)

    def test_allowed_on_day_eight(self) -> None:
        assert evaluate(US, us_consumer(), [self.conversation], proposal(chicago(13, 8))).allowed

    def test_inbound_conversation_starts_it(self) -> None:
        inbound = dataclasses.replace(self.conversation, direction="inbound")
        assert not evaluate(US, us_consumer(), [inbound], proposal(chicago(8, 10))).allowed

    @pytest.mark.parametrize(
        "changes",
        [{"consent": True}, {"by": "agency"}, {"debts": frozenset({"B"})}, {"to": "third_party"}],
        ids=lambda changes: "-".join(changes),
    )
    def test_conversations_that_do_not_count(self, changes: dict[str, Any]) -> None:
        history = [dataclasses.replace(self.conversation, **changes)]
        assert evaluate(US, us_consumer(), history, proposal(chicago(8, 10))).allowed

    def test_debt_group(self) -> None:
        consumer = us_consumer(debt_groups=(frozenset({"A", "B"}),))
        proposed = proposal(chicago(8, 10), debts=frozenset({"B"}))
        assert not evaluate(US, consumer, [self.conversation], proposed).allowed

    def test_with_7in7_waits_for_both(self) -> None:
        history = [*SEVEN_CALLS, call(chicago(9, 16), outcome="conversation")]
        verdict = evaluate(US, us_consumer(), history, proposal(chicago(10, 10)))
        assert reasons_of(verdict) == ["CALL_FREQUENCY_7IN7", "CONVERSATION_COOLDOWN"]
        assert verdict.next_allowed_at == chicago(16, 8)

    def test_day_counted_in_each_zone(self) -> None:
        new_york = ZoneInfo("America/New_York")
        consumer = Consumer(timezones=("America/New_York", "America/Los_Angeles"))
        # 01:30 on the 7th in New York is still the 6th in Los Angeles.
        history = [call(datetime(2026, 4, 7, 1, 30, tzinfo=new_york), outcome="conversation")]
        verdict = evaluate(US, consumer, history, proposal(datetime(2026, 4, 13, 12, tzinfo=new_york)))
        assert verdict.next_allowed_at == datetime(2026, 4, 14, 11, tzinfo=new_york)


def test_us_only_limits_do_not_apply_in_cn() -> None:
    history = [dataclasses.replace(c, at=c.at.replace(tzinfo=SHANGHAI)) for c in SEVEN_CALLS]
    history.append(call(shanghai(9, 20), outcome="conversation"))
    assert evaluate(CN, cn_consumer(), history, proposal(shanghai(10, 10))).allowed


# --------------------------------------------------------------------- CN daily caps


def test_unanswered_cap_counts_lender_and_agencies_per_endpoint() -> None:
    history = [
        call(shanghai(7, 9)),
        call(shanghai(7, 10), outcome="voicemail", by="agency"),
        call(shanghai(7, 11), outcome="not_connected", by="agency"),
        call(shanghai(7, 12)),
        call(shanghai(7, 13), by="agency"),
        call(shanghai(7, 14), outcome="voicemail"),
    ]
    blocked = evaluate(CN, cn_consumer(), history, proposal(shanghai(7, 15)))
    five = evaluate(CN, cn_consumer(), history[:5], proposal(shanghai(7, 15)))
    other_number = evaluate(CN, cn_consumer(), history, proposal(shanghai(7, 15), endpoint="home"))
    next_day = evaluate(CN, cn_consumer(), history, proposal(shanghai(8, 8)))

    assert reasons_of(blocked) == ["DAILY_UNANSWERED_CAP"]
    assert blocked.next_allowed_at == shanghai(8, 8)
    assert five.allowed
    assert other_number.allowed
    assert next_day.allowed


def test_answered_calls_do_not_count_toward_unanswered_cap() -> None:
    history = [call(shanghai(7, 9 + i)) for i in range(5)]
    history.append(call(shanghai(7, 14), outcome="conversation"))
    assert evaluate(CN, cn_consumer(), history, proposal(shanghai(7, 15))).allowed


def test_connected_cap_counts_outbound_debtor_conversations_only() -> None:
    two = [call(shanghai(7, 9), outcome="conversation"), call(shanghai(7, 10), outcome="conversation")]
    inbound = call(shanghai(7, 11), outcome="conversation", direction="inbound")
    to_third_party = call(shanghai(7, 12), outcome="conversation", to="third_party", contact="C9")
    third = call(shanghai(7, 13), outcome="conversation", by="agency", endpoint="work")

    assert evaluate(CN, cn_consumer(), [*two, inbound, to_third_party], proposal(shanghai(7, 16))).allowed
    verdict = evaluate(CN, cn_consumer(), [*two, third], proposal(shanghai(7, 16)))
    assert reasons_of(verdict) == ["DAILY_CONNECTED_CAP"]
    assert verdict.next_allowed_at == shanghai(8, 8)


def test_daily_cap_blocks_when_reached_in_any_zone() -> None:
    utc = ZoneInfo("UTC")
    consumer = Consumer(timezones=("Asia/Shanghai", "Europe/London"))
    # 18:00-23:00 on the 7th in London is the early morning of the 8th in Shanghai.
    history = [call(datetime(2026, 4, 7, 17 + i, tzinfo=utc)) for i in range(6)]

    verdict = evaluate(CN, consumer, history, proposal(shanghai(8, 15, 30)))

    assert reasons_of(verdict) == ["DAILY_UNANSWERED_CAP"]
    assert verdict.next_allowed_at == shanghai(9, 15)


# --------------------------------------------------------------------- holds, consent, media


def test_hold_covers_the_debt_group_and_only_collection_purposes() -> None:
    consumer = us_consumer(holds=(Hold(debt="A", reason="dispute"),), debt_groups=(frozenset({"A", "B"}),))
    on_b = evaluate(US, consumer, [], proposal(chicago(7, 10), debts=frozenset({"B"})))
    on_c = evaluate(US, consumer, [], proposal(chicago(7, 10), debts=frozenset({"C"})))
    location = evaluate(US, consumer, [], third_party(chicago(7, 10)))
    ended = evaluate(
        US,
        consumer,
        [],
        proposal(chicago(7, 10), channel="letter", purpose="collection_ended_notice"),
    )

    assert reasons_of(on_b) == ["DISPUTE_HOLD"]
    assert on_c.allowed
    assert reasons_of(location) == ["DISPUTE_HOLD"]
    assert ended.allowed


def test_cease_allows_only_the_collection_ended_notice() -> None:
    consumer = cn_consumer(cease=True)
    letter = proposal(shanghai(7, 10), channel="letter")
    assert reasons_of(evaluate(CN, consumer, [], letter)) == ["CEASE_REQUESTED"]
    ended = dataclasses.replace(letter, purpose="collection_ended_notice")
    assert evaluate(CN, consumer, [], ended).allowed


def test_opt_out_by_endpoint_and_confirmation_exception() -> None:
    consumer = us_consumer(
        opt_outs=(OptOut(channel="call", endpoint="work"), OptOut(channel="sms"))  # type: ignore[arg-type]
    )
    assert evaluate(US, consumer, [], proposal(chicago(7, 10))).allowed
    work = evaluate(US, consumer, [], proposal(chicago(7, 10), endpoint="work"))
    assert reasons_of(work) == ["CHANNEL_OPT_OUT"]
    confirmation = proposal(chicago(7, 10), channel="sms", purpose="opt_out_confirmation")
    assert evaluate(US, consumer, [], confirmation).allowed


@pytest.mark.parametrize(("channel", "blocked"), [("sms", True), ("email", True), ("in_app", False)])
def test_opt_out_notice_needed_on_email_and_sms(channel: str, blocked: bool) -> None:
    verdict = evaluate(CN, cn_consumer(), [], proposal(shanghai(7, 10), channel=channel))
    assert (reasons_of(verdict) == ["OPT_OUT_NOTICE_MISSING"]) is blocked


class TestAttorney:
    def test_for_named_debts_and_their_group(self) -> None:
        consumer = us_consumer(attorney_debts=frozenset({"A"}))
        grouped = us_consumer(attorney_debts=frozenset({"A"}), debt_groups=(frozenset({"A", "B"}),))
        on_b = proposal(chicago(7, 10), debts=frozenset({"B"}))

        assert evaluate(US, consumer, [], on_b).allowed
        assert reasons_of(evaluate(US, grouped, [], on_b)) == ["ATTORNEY_REPRESENTED"]

    def test_blocks_third_party_location_requests(self) -> None:
        verdict = evaluate(US, us_consumer(attorney=True), [], third_party(chicago(7, 10)))
        assert reasons_of(verdict) == ["ATTORNEY_REPRESENTED"]

    def test_allows_opt_out_confirmation(self) -> None:
        proposed = proposal(chicago(7, 10), channel="sms", purpose="opt_out_confirmation")
        assert evaluate(US, us_consumer(attorney=True), [], proposed).allowed

    def test_parsed_from_a_list_of_debts(self) -> None:
        _, consumer, _, _ = parse_scenario(
            {
                "jurisdiction": "US-REGF",
                "consumer": {"attorney": ["A"]},
                "proposed": {"at": "2026-04-07T10:00:00-05:00", "channel": "call"},
            }
        )
        assert consumer.attorney is False
        assert consumer.attorney_debts == frozenset({"A"})


# --------------------------------------------------------------------- CN third parties


class TestLostContact:
    def blocked_until(
        self, history: list[HistoryContact], at: datetime, **changes: Any
    ) -> tuple[list[str], datetime | None]:
        verdict = evaluate(CN, cn_consumer(), history, third_party(at, **changes))
        return reasons_of(verdict), verdict.next_allowed_at

    def test_invalid_number_is_lost_at_once(self) -> None:
        history = [call(shanghai(7, 9), outcome="invalid_number")]
        assert self.blocked_until(history, shanghai(7, 10)) == ([], None)

    def test_three_failed_calls_count_from_next_day(self) -> None:
        history = [call(shanghai(7, 9)), call(shanghai(7, 10), outcome="voicemail"), call(shanghai(7, 11))]
        assert self.blocked_until(history, shanghai(7, 15)) == (
            ["THIRD_PARTY_NOT_ALLOWED"],
            shanghai(8, 8),
        )
        assert self.blocked_until(history, shanghai(8, 8)) == ([], None)
        # Without a window, from local midnight.
        assert self.blocked_until(history, shanghai(7, 15), channel="letter")[1] == shanghai(8, 0)

    def test_failed_calls_on_three_days_is_lost_at_once(self) -> None:
        history = [call(shanghai(5, 10)), call(shanghai(6, 10)), call(shanghai(7, 10))]
        assert self.blocked_until(history, shanghai(7, 15)) == ([], None)

    def test_not_foreseeable_has_no_next_time(self) -> None:
        history = [call(shanghai(6, 10)), call(shanghai(7, 10))]
        assert self.blocked_until(history, shanghai(7, 15)) == (["THIRD_PARTY_NOT_ALLOWED"], None)

    @pytest.mark.parametrize("direction", ["outbound", "inbound"])
    def test_a_conversation_starts_over(self, direction: str) -> None:
        history = [
            call(shanghai(4, 10)),
            call(shanghai(5, 10)),
            call(shanghai(5, 20), outcome="conversation", direction=direction),
            call(shanghai(6, 10)),
            call(shanghai(7, 10)),
        ]
        assert self.blocked_until(history, shanghai(7, 15)) == (["THIRD_PARTY_NOT_ALLOWED"], None)

    def test_calls_to_other_people_do_not_count(self) -> None:
        history = [call(shanghai(5 + i, 10), to="third_party", contact="C2") for i in range(3)]
        assert self.blocked_until(history, shanghai(7, 15))[0] == ["THIRD_PARTY_NOT_ALLOWED"]

    def test_refusal_and_disclosure_still_apply_once_lost(self) -> None:
        history = [
            call(shanghai(6, 9), outcome="invalid_number"),
            call(shanghai(6, 10), to="third_party", contact="C1", outcome="refused_contact"),
        ]
        assert self.blocked_until(history, shanghai(7, 10)) == (["THIRD_PARTY_REFUSED"], None)
        assert self.blocked_until(history, shanghai(7, 10), contact="C2", discloses_debt=True) == (
            ["THIRD_PARTY_DISCLOSURE"],
            None,
        )

    def test_us_has_no_lost_contact_rule(self) -> None:
        assert evaluate(US, us_consumer(), [], third_party(chicago(7, 10))).allowed


# --------------------------------------------------------------------- visits


@pytest.mark.parametrize(("staff", "allowed"), [(None, False), (0, False), (1, False), (2, True), (3, True)])
def test_visit_staff_minimum(staff: int | None, allowed: bool) -> None:
    proposed = proposal(chicago(7, 14), channel="visit", endpoint="home", staff_count=staff)
    assert evaluate(US, us_consumer(), [], proposed).allowed is allowed


# --------------------------------------------------------------------- next_allowed_at is exact


ZONE_SETS = [
    ("America/Chicago",),
    ("America/New_York", "America/Los_Angeles"),
    ("Asia/Shanghai",),
    ("Asia/Shanghai", "Europe/London"),
    ("America/Denver", "America/Phoenix"),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    jurisdiction=st.sampled_from(["CN", "US-REGF"]),
    zones=st.sampled_from(ZONE_SETS),
    start_minutes=st.integers(min_value=0, max_value=60 * 24 * 300),
    call_offsets=st.lists(st.integers(min_value=1, max_value=60 * 24 * 8), max_size=12),
    outcome=st.sampled_from(["no_answer", "conversation", "voicemail"]),
    inconvenient=st.sampled_from([(), ("12:00-13:30",), ("20:00-09:00",)]),
    third=st.booleans(),
)
def test_next_allowed_at_is_the_earliest_allowed_instant(
    jurisdiction: str,
    zones: tuple[str, ...],
    start_minutes: int,
    call_offsets: list[int],
    outcome: str,
    inconvenient: tuple[str, ...],
    third: bool,
) -> None:
    utc = ZoneInfo("UTC")
    at = datetime(2026, 1, 1, tzinfo=utc) + timedelta(minutes=start_minutes)
    ruleset = get_ruleset(jurisdiction)
    consumer = Consumer(timezones=zones, inconvenient_times=_ranges_from(*inconvenient))
    history = [call(at - timedelta(minutes=offset), outcome=outcome) for offset in call_offsets]
    proposed = third_party(at) if third else proposal(at)

    verdict = evaluate(ruleset, consumer, history, proposed)

    if verdict.next_allowed_at is None:
        return
    later = dataclasses.replace(proposed, at=verdict.next_allowed_at)
    assert evaluate(ruleset, consumer, history, later).allowed
    just_before = dataclasses.replace(proposed, at=verdict.next_allowed_at - timedelta(seconds=1))
    assert just_before.at >= at
    assert not evaluate(ruleset, consumer, history, just_before).allowed


# --------------------------------------------------------------------- rule sets


def test_statutory_rule_sets() -> None:
    assert get_ruleset("CN").window_start == time(8) and CN.window_end == time(22)
    assert US.window_end == time(21)
    assert US.applies_call_frequency and not CN.applies_call_frequency
    assert CN.applies_third_party_lost_contact and not US.applies_third_party_lost_contact
    assert US.applies_regf_third_party and not CN.applies_regf_third_party
    assert US.applies_regf_place_and_media and not CN.applies_regf_place_and_media
    assert "in_app" in CN.window_channels and "in_app" not in US.window_channels
    assert "letter" not in CN.window_channels | US.window_channels
    with pytest.raises(KeyError):
        get_ruleset("EU")


@pytest.mark.parametrize(
    "overrides",
    [
        {"window_start": time(9)},
        {"window_end": time(20)},
        {"us_calls_per_7_days": 5},
        {"cn_daily_unanswered_cap": 3, "cn_daily_connected_cap": 2},
        {"conversation_cooldown_days": 10},
        {"visit_min_staff": 3},
        {"lost_contact_failed_calls": 5, "lost_contact_days": 4},
        {"applies_call_frequency": True},
        {"window_channels": {"call", "sms", "email", "visit", "in_app", "letter"}},
    ],
)
def test_tighten_accepts_stricter_values(overrides: dict[str, Any]) -> None:
    tightened = tighten(CN, **overrides)
    for name, value in overrides.items():
        assert getattr(tightened, name) == value
    assert STATUTORY["CN"] == CN  # the statutory set is untouched


@pytest.mark.parametrize(
    "overrides",
    [
        {"window_start": time(7, 59)},
        {"window_end": time(22, 1)},
        {"us_calls_per_7_days": 8},
        {"cn_daily_unanswered_cap": 7},
        {"cn_daily_connected_cap": 4},
        {"conversation_cooldown_days": 6},
        {"visit_min_staff": 1},
        {"lost_contact_failed_calls": 2},
        {"lost_contact_days": 2},
        {"applies_daily_unanswered_cap": False},
        {"window_channels": {"call"}},
        {"default_timezones": ("Asia/Tokyo",)},
        {"code": "US-REGF"},
        {"window_start": time(12), "window_end": time(11)},
        {"no_such_parameter": 1},
    ],
)
def test_tighten_refuses_loosening(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        tighten(CN, **overrides)


def test_tighten_is_checked_against_the_statute_not_the_base() -> None:
    strict = tighten(US, window_start=time(10))
    assert tighten(strict, window_start=time(9)).window_start == time(9)
    with pytest.raises(ValueError, match="window_start"):
        tighten(strict, window_start=time(7))


def test_tighten_rejects_wrong_types() -> None:
    with pytest.raises(TypeError):
        tighten(US, us_calls_per_7_days="5")


def test_tightened_rules_are_enforced() -> None:
    ruleset = tighten(CN, window_start=time(9), cn_daily_unanswered_cap=3)
    history = [call(shanghai(7, 9 + i)) for i in range(3)]

    early = evaluate(ruleset, cn_consumer(), [], proposal(shanghai(7, 8, 30)))
    capped = evaluate(ruleset, cn_consumer(), history, proposal(shanghai(7, 15)))

    assert early.next_allowed_at == shanghai(7, 9)
    assert reasons_of(capped) == ["DAILY_UNANSWERED_CAP"]
    assert capped.next_allowed_at == shanghai(8, 9)


# --------------------------------------------------------------------- inputs


def test_engine_inputs_require_aware_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ProposedContact(at=datetime(2026, 4, 7, 10), channel="call")  # type: ignore[arg-type]


def test_string_fields_are_coerced_to_enums() -> None:
    entry = HistoryContact(at=chicago(7, 10), channel="sms", direction="inbound")  # type: ignore[arg-type]
    assert entry.channel == "sms" and entry.channel.name == "SMS"
    with pytest.raises(ValueError):
        HistoryContact(at=chicago(7, 10), channel="fax")  # type: ignore[arg-type]


def _scenario(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "x",
        "jurisdiction": "CN",
        "consumer": {"timezones": ["Asia/Shanghai"]},
        "history": [{"at": "2026-04-07T09:00:00+08:00", "channel": "call"}],
        "proposed": {"at": "2026-04-07T10:00:00+08:00", "channel": "call"},
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"jurisdiction": None}, "jurisdiction"),
        ({"jurisdiction": "EU"}, "jurisdiction"),
        ({"proposed": None}, "proposed"),
        ({"proposed": {"channel": "call"}}, "proposed: missing key 'at'"),
        ({"proposed": {"at": "2026-04-07T10:00:00+08:00"}}, "proposed: missing key 'channel'"),
        ({"proposed": {"at": "2026-04-07T10:00:00", "channel": "call"}}, "no UTC offset"),
        ({"proposed": {"at": "yesterday", "channel": "call"}}, "invalid ISO-8601"),
        ({"proposed": {"at": 1712455200, "channel": "call"}}, "proposed.at"),
        ({"proposed": {"at": "2026-04-07T10:00:00+08:00", "channel": "fax"}}, "proposed.channel"),
        ({"proposed": {"at": "2026-04-07T10:00:00+08:00", "channel": "call", "to": "x"}}, "proposed.to"),
        (
            {"proposed": {"at": "2026-04-07T10:00:00+08:00", "channel": "call", "third_party_exception": "x"}},
            "proposed.third_party_exception",
        ),
        (
            {"proposed": {"at": "2026-04-07T10:00:00+08:00", "channel": "letter", "postcard": "yes"}},
            "proposed.postcard",
        ),
        ({"consumer": {"employer_prohibits": 1}}, "consumer.employer_prohibits"),
        (
            {"history": [{"at": "2026-04-07T10:00:00+08:00", "channel": "call", "purpose": "x"}]},
            "history[0].purpose",
        ),
        (
            {"proposed": {"at": "2026-04-07T10:00:00+08:00", "channel": "call", "purpose": "x"}},
            "proposed.purpose",
        ),
        (
            {"proposed": {"at": "2026-04-07T10:00:00+08:00", "channel": "visit", "staff_count": "2"}},
            "staff_count",
        ),
        (
            {"proposed": {"at": "2026-04-07T10:00:00+08:00", "channel": "call", "consent": "yes"}},
            "proposed.consent",
        ),
        ({"history": [{"channel": "call"}]}, "history[0]: missing key 'at'"),
        ({"history": [{"at": "2026-04-07T09:00:00", "channel": "call"}]}, "history[0].at"),
        ({"history": [{"at": "2026-04-07T09:00:00+08:00", "channel": "pigeon"}]}, "history[0].channel"),
        ({"history": {"at": "2026-04-07T09:00:00+08:00"}}, "history"),
        ({"consumer": {"timezones": ["Mars/Olympus"]}}, "consumer.timezones[0]"),
        ({"consumer": {"inconvenient_times": ["noon"]}}, "consumer.inconvenient_times[0]"),
        ({"consumer": {"inconvenient_times": ["12:00-25:00"]}}, "consumer.inconvenient_times[0]"),
        ({"consumer": {"opt_outs": [{"channel": "fax"}]}}, "consumer.opt_outs[0].channel"),
        ({"consumer": []}, "consumer"),
    ],
)
def test_parse_scenario_rejects_malformed_input(changes: dict[str, Any], message: str) -> None:
    data = _scenario(**changes)
    data = {key: value for key, value in data.items() if value is not None}
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_scenario(data)


def test_parse_scenario_defaults_missing_fields() -> None:
    ruleset, consumer, history, proposed = parse_scenario(
        {
            "jurisdiction": "US-REGF",
            "history": [{"at": "2026-04-06T09:00:00Z", "channel": "call", "contact": "C1"}],
            "proposed": {"at": "2026-04-07T10:00:00Z", "channel": "call"},
        }
    )
    assert ruleset is US
    assert consumer == Consumer()
    assert history[0].direction == "outbound" and history[0].by == "lender"
    assert history[0].to == "third_party"  # a contact id implies a third party
    assert proposed.to == "debtor" and proposed.purpose == "collection"
    assert proposed.consent is False and proposed.staff_count is None
    assert proposed.debts == frozenset()


def test_parse_scenario_accepts_utc_designator_and_holds_without_debt() -> None:
    _, consumer, _, proposed = parse_scenario(
        {
            "jurisdiction": "CN",
            "consumer": {"holds": [{"reason": "deceased"}]},
            "proposed": {"at": "2026-04-07T02:00:00Z", "channel": "call", "debts": ["Z"]},
        }
    )
    verdict = evaluate(CN, consumer, [], proposed)
    assert reasons_of(verdict) == ["COLLECTION_HOLD"]


# --------------------------------------------------------------------- expectations


def test_matches_expectation_compares_instants_and_subsets() -> None:
    verdict = Verdict(
        allowed=False,
        reasons=[ReasonCode.TIME_WINDOW, ReasonCode.CHANNEL_OPT_OUT],
        next_allowed_at=shanghai(8, 8),
    )
    assert matches_expectation({"verdict": "blocked", "reasons": ["TIME_WINDOW"]}, verdict)
    assert matches_expectation(
        {"verdict": "blocked", "reasons": [], "next_allowed_at": "2026-04-08T00:00:00Z"}, verdict
    )
    assert not matches_expectation(
        {"verdict": "blocked", "reasons": [], "next_allowed_at": "2026-04-08T08:00:00Z"}, verdict
    )
    assert not matches_expectation({"verdict": "blocked", "next_allowed_at": None}, verdict)
    assert not matches_expectation({"verdict": "allowed", "reasons": []}, verdict)
    assert not matches_expectation({"verdict": "blocked", "reasons": ["CEASE_REQUESTED"]}, verdict)


def test_parse_expectation_rejects_bad_values() -> None:
    with pytest.raises(ScenarioError, match="verdict"):
        parse_expectation({"verdict": "maybe"})
    with pytest.raises(ScenarioError, match="next_allowed_at"):
        parse_expectation({"verdict": "blocked", "next_allowed_at": "2026-04-08T08:00:00"})


# --------------------------------------------------------------------- scenario files


def _file_cases(path: Path) -> list[Any]:
    if not path.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{path} not present"))]
    return [pytest.param(row, id=row.get("id")) for row in load_jsonl(path)]


@pytest.mark.parametrize("row", _file_cases(SHARED_SCENARIOS))
def test_shared_scenarios(row: dict[str, Any]) -> None:
    verdict = evaluate(*parse_scenario(row))
    assert matches_expectation(row["expect"], verdict), verdict.as_dict()


@pytest.mark.parametrize("row", _file_cases(EXTRA_SCENARIOS) + _file_cases(CONTACT_RULE_SCENARIOS))
def test_extra_scenarios(row: dict[str, Any]) -> None:
    verdict = evaluate(*parse_scenario(row))
    assert matches_expectation(row["expect"], verdict), verdict.as_dict()
    # These expectations list every reason, so compare exactly.
    assert reasons_of(verdict) == row["expect"]["reasons"]


def test_extra_scenarios_cover_every_reason_code_and_both_jurisdictions() -> None:
    rows = load_jsonl(EXTRA_SCENARIOS) + load_jsonl(CONTACT_RULE_SCENARIOS)
    assert len({row["id"] for row in rows}) == len(rows)
    expected_codes = {code for row in rows for code in row["expect"]["reasons"]}
    assert expected_codes == {code.value for code in ReasonCode}
    assert {row["jurisdiction"] for row in rows} == {"CN", "US-REGF"}
    assert len(rows) >= 40
