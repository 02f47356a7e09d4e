"""The scenario format (one JSON object per line of ``scenarios.jsonl``): building engine
inputs from a scenario and comparing a verdict with its ``expect`` object."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notices.compliance.clock import _SECONDS_PER_DAY
from notices.compliance.inputs import (
    Channel,
    Consumer,
    Direction,
    HistoryContact,
    Hold,
    LocalTimeRange,
    OptOut,
    Party,
    ProposedContact,
    Purpose,
    ScenarioError,
    ThirdPartyException,
    Verdict,
)
from notices.compliance.rules import STATUTORY, RuleSet

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
        employer_prohibits=_parse_bool(data.get("employer_prohibits"), "consumer.employer_prohibits"),
        time_barred_debts=_parse_debts(data.get("time_barred_debts"), "consumer.time_barred_debts"),
        validation_notice_pending=_parse_debts(
            data.get("validation_notice_pending"), "consumer.validation_notice_pending"
        ),
        communicated_debts=_parse_debts(data.get("communicated_debts"), "consumer.communicated_debts"),
        esign_consent=_parse_bool(data.get("esign_consent"), "consumer.esign_consent"),
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
        purpose=None if data.get("purpose") is None else _parse_enum(Purpose, data["purpose"], f"{where}.purpose"),
    )


def _parse_proposed(data: Any) -> ProposedContact:
    where = "proposed"
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{where}: must be an object")
    contact = _optional_str(data.get("contact"), f"{where}.contact")
    staff_count = data.get("staff_count")
    if staff_count is not None and (isinstance(staff_count, bool) or not isinstance(staff_count, int)):
        raise ScenarioError(f"{where}.staff_count: must be an integer or null, got {staff_count!r}")
    to = _parse_party(data.get("to"), contact, f"{where}.to")
    discloses_debt = _parse_bool(data.get("discloses_debt"), f"{where}.discloses_debt")
    return ProposedContact(
        at=_parse_datetime(_required(data, "at", where), f"{where}.at"),
        channel=_parse_enum(Channel, _required(data, "channel", where), f"{where}.channel"),
        to=to,
        endpoint=_optional_str(data.get("endpoint"), f"{where}.endpoint"),
        contact=contact,
        debts=_parse_debts(data.get("debts"), f"{where}.debts"),
        by=_optional_str(data.get("by"), f"{where}.by") or "lender",
        consent=_parse_bool(data.get("consent"), f"{where}.consent"),
        purpose=_parse_enum(Purpose, data.get("purpose"), f"{where}.purpose", _default_purpose(to, discloses_debt)),
        discloses_debt=discloses_debt,
        opt_out_notice=_parse_bool(data.get("opt_out_notice"), f"{where}.opt_out_notice"),
        reply_to_consumer=_parse_bool(data.get("reply_to_consumer"), f"{where}.reply_to_consumer"),
        staff_count=staff_count,
        third_party_exception=(
            None
            if data.get("third_party_exception") is None
            else _parse_enum(ThirdPartyException, data["third_party_exception"], f"{where}.third_party_exception")
        ),
        location_follow_up=_parse_bool(data.get("location_follow_up"), f"{where}.location_follow_up"),
        at_workplace=_parse_bool(data.get("at_workplace"), f"{where}.at_workplace"),
        work_email=_parse_bool(data.get("work_email"), f"{where}.work_email"),
        postcard=_parse_bool(data.get("postcard"), f"{where}.postcard"),
        envelope_debt_language=_parse_bool(data.get("envelope_debt_language"), f"{where}.envelope_debt_language"),
        legal_action=_parse_bool(data.get("legal_action"), f"{where}.legal_action"),
    )


def _default_purpose(to: Party, discloses_debt: bool) -> Purpose:
    """Without a stated purpose a contact with the debtor is collection; one with a third
    party asks for location, unless it discloses the debt (as ``notices.contact`` does)."""
    if to == Party.THIRD_PARTY and not discloses_debt:
        return Purpose.LOCATION_INFO
    return Purpose.COLLECTION


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
