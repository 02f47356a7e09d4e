"""Rule-set parameters for the contact-compliance engine.

A ``RuleSet`` is plain data: the statutory parameters of one jurisdiction, possibly
tightened per product by a compliance officer. ``tighten`` is the only way to derive a
stricter rule set and refuses anything that would fall below the statutory floor.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import time
from typing import Any, Final

# Channels whose contacts are bound by the local contact window and by the times the
# consumer declared inconvenient: those whose moment of arrival the collector chooses.
# A letter's delivery time is the post's, not the collector's, so letters are never
# judged by the clock. In-app messages: see ``CN_WINDOW_CHANNELS``.
DEFAULT_WINDOW_CHANNELS: Final = frozenset({"call", "sms", "email", "visit"})
# The CBA guideline (2026-01-30) bans "电话催收、外访催收及其他催收" from 22:00 to 08:00: an
# in-app message (a push to the phone, timed by the collector) is such other collection.
CN_WINDOW_CHANNELS: Final = DEFAULT_WINDOW_CHANNELS | {"in_app"}

US_TIMEZONES: Final = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Parameters of one jurisdiction's contact rules (end of window exclusive)."""

    code: str
    window_start: time
    window_end: time
    # Zones assumed when the consumer's location is unknown: the time must be allowed
    # in every one of them.
    default_timezones: tuple[str, ...]
    window_channels: frozenset[str] = DEFAULT_WINDOW_CHANNELS
    us_calls_per_7_days: int = 7
    conversation_cooldown_days: int = 7
    cn_daily_unanswered_cap: int = 6
    cn_daily_connected_cap: int = 3
    lost_contact_failed_calls: int = 3
    lost_contact_days: int = 3
    visit_min_staff: int = 2
    # Which jurisdiction-specific rules apply.
    applies_call_frequency: bool = False
    applies_conversation_cooldown: bool = False
    applies_daily_unanswered_cap: bool = False
    applies_daily_connected_cap: bool = False
    applies_third_party_lost_contact: bool = False
    # US: third parties only for location information, once per person, or one of the
    # 1006.6(d)(1) exceptions (no relaying messages).
    applies_regf_third_party: bool = False
    # US: the employer prohibition (1006.6(b)(3)) and the media of 1006.22(f): a work
    # email address, postcards, debt language on envelopes.
    applies_regf_place_and_media: bool = False
    # US: no collection communication after the initial one before the validation notice
    # (1006.34(a)(1)); the notice electronically only with consent or a safe harbour (1006.42).
    applies_regf_validation_notice: bool = False


CN: Final = RuleSet(
    code="CN",
    window_start=time(8, 0),
    window_end=time(22, 0),
    default_timezones=("Asia/Shanghai",),
    window_channels=CN_WINDOW_CHANNELS,
    applies_daily_unanswered_cap=True,
    applies_daily_connected_cap=True,
    applies_third_party_lost_contact=True,
)

US_REGF: Final = RuleSet(
    code="US-REGF",
    window_start=time(8, 0),
    window_end=time(21, 0),
    default_timezones=US_TIMEZONES,
    applies_call_frequency=True,
    applies_conversation_cooldown=True,
    applies_regf_third_party=True,
    applies_regf_place_and_media=True,
    applies_regf_validation_notice=True,
)

STATUTORY: Final[dict[str, RuleSet]] = {CN.code: CN, US_REGF.code: US_REGF}


def get_ruleset(code: str) -> RuleSet:
    """Return the statutory rule set for a jurisdiction code (``KeyError`` if unknown)."""
    try:
        return STATUTORY[code]
    except KeyError:
        known = ", ".join(sorted(STATUTORY))
        raise KeyError(f"unknown jurisdiction {code!r} (known: {known})") from None


# Direction in which each numeric parameter gets stricter.
_STRICTER_WHEN_LOWER: Final = frozenset({"us_calls_per_7_days", "cn_daily_unanswered_cap", "cn_daily_connected_cap"})
# More failed calls / days before lost contact delays third-party contact; a longer
# cooldown and more staff are stricter too.
_STRICTER_WHEN_HIGHER: Final = frozenset(
    {
        "conversation_cooldown_days",
        "lost_contact_failed_calls",
        "lost_contact_days",
        "visit_min_staff",
    }
)
_FLAGS: Final = frozenset(
    {
        "applies_call_frequency",
        "applies_conversation_cooldown",
        "applies_daily_unanswered_cap",
        "applies_daily_connected_cap",
        "applies_third_party_lost_contact",
        "applies_regf_third_party",
        "applies_regf_place_and_media",
    }
)
_SET_VALUED: Final = frozenset({"default_timezones", "window_channels"})


def tighten(base: RuleSet, **overrides: Any) -> RuleSet:
    """Return ``base`` with ``overrides`` applied, refusing any loosening.

    The floor is the statutory rule set of ``base.code`` (or ``base`` itself for a code
    without one): a product may be stricter than the law, never laxer. Raises
    ``ValueError`` naming the offending parameter (``TypeError`` for a value of the
    wrong type).
    """
    floor = STATUTORY.get(base.code, base)
    field_names = {f.name for f in dataclasses.fields(RuleSet)}
    normalized: dict[str, Any] = {}
    for name, value in overrides.items():
        if name not in field_names:
            raise ValueError(f"unknown rule parameter {name!r}")
        if name == "default_timezones":
            value = tuple(value)
        elif name == "window_channels":
            value = frozenset(value)
        _check_not_looser(name, value, getattr(floor, name))
        normalized[name] = value
    result = dataclasses.replace(base, **normalized)
    if result.window_start >= result.window_end:
        raise ValueError("window_start must be earlier than window_end")
    return result


def _check_not_looser(name: str, value: Any, statutory: Any) -> None:
    if name == "code":
        if value != statutory:
            raise ValueError("the jurisdiction code of a rule set cannot be changed")
    elif name == "window_start":
        _require_type(name, value, time)
        if value < statutory:
            raise ValueError(f"window_start {value} is earlier than the statutory {statutory}")
    elif name == "window_end":
        _require_type(name, value, time)
        if value > statutory:
            raise ValueError(f"window_end {value} is later than the statutory {statutory}")
    elif name in _STRICTER_WHEN_LOWER:
        _require_int(name, value)
        if value > statutory:
            raise ValueError(f"{name} {value} is above the statutory {statutory}")
        if value < 0:
            raise ValueError(f"{name} cannot be negative")
    elif name in _STRICTER_WHEN_HIGHER:
        _require_int(name, value)
        if value < statutory:
            raise ValueError(f"{name} {value} is below the statutory {statutory}")
    elif name in _FLAGS:
        _require_type(name, value, bool)
        if statutory and not value:
            raise ValueError(f"{name} is required by law and cannot be switched off")
    elif name in _SET_VALUED:
        # Adding zones or channels restricts more contacts; removing one would not.
        if not set(statutory) <= set(value):
            raise ValueError(f"{name} must keep every statutory entry")
    else:  # pragma: no cover - every RuleSet field is handled above
        raise ValueError(f"rule parameter {name!r} cannot be overridden")


def _require_type(name: str, value: Any, expected: type) -> None:
    if not isinstance(value, expected):
        raise TypeError(f"{name} must be a {expected.__name__}")


def _require_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer")
