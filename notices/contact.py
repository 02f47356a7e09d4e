"""Judging a real contact: the customer's state and history from the database, fed to the
pure compliance engine. Every contact (automated notice, staff call, visit, agency action)
goes through ``contact_judge``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers
from django.db.models import Q
from django.utils import timezone
from phonenumbers import timezone as phone_timezones

from accounts.models import ContactPreference, CustomerProfile
from contracts.models import CollectionHold, Contract, ContractStatus, PlanStatus
from contracts.selectors import contract_limitation
from notices.compliance import (
    Consumer,
    HistoryContact,
    Hold,
    LocalTimeRange,
    OptOut,
    ProposedContact,
    RuleSet,
    Verdict,
    evaluate,
    get_ruleset,
    tighten,
)
from notices.compliance.engine import Channel, Direction, Party, ThirdPartyException
from notices.compliance.engine import Purpose as EnginePurpose

from .models import COLLECTION_PURPOSES, ContactAttempt, ContactRuleTightening, Purpose
from .validation_inputs import NONE, ValidationStanding, validation_standing_load

_ENGINE_PURPOSES = {purpose.value: purpose for purpose in EnginePurpose}
HISTORY_DAYS = 14  # the longest look-back any rule needs (7 days) with margin
TIGHTENING_FIELDS = (
    "window_start",
    "window_end",
    "cn_daily_unanswered_cap",
    "cn_daily_connected_cap",
    "us_calls_per_7_days",
    "visit_min_staff",
)


# While a complaint about contact frequency is open, that customer's limits are lowered.
REDUCED_LIMITS = {"cn_daily_unanswered_cap": 2, "cn_daily_connected_cap": 1, "us_calls_per_7_days": 3}


def ruleset_for(profile: CustomerProfile, contract: Contract | None) -> RuleSet:
    """The statutory rules of the customer's jurisdiction, tightened for the product if set,
    and tightened further while the customer's complaint about contact frequency is open."""
    tightening = None
    if contract is not None:
        tightening = ContactRuleTightening.objects.filter(
            product_id=contract.product_id, jurisdiction=profile.jurisdiction
        ).first()
    reduced = ContactPreference.objects.filter(profile=profile, reduced_contact_limits=True).exists()
    return ruleset_from(profile.jurisdiction, tightening, reduced_limits=reduced)


def ruleset_from(jurisdiction: str, tightening: ContactRuleTightening | None, *, reduced_limits: bool) -> RuleSet:
    """``ruleset_for`` from values already loaded (pure): the nightly ladder loads them in bulk."""
    rules = get_ruleset(jurisdiction)
    if tightening is not None:
        overrides = {
            name: getattr(tightening, name) for name in TIGHTENING_FIELDS if getattr(tightening, name) is not None
        }
        if overrides:
            rules = tighten(rules, **overrides)
    if reduced_limits:
        rules = tighten(rules, **{k: min(v, getattr(rules, k)) for k, v in REDUCED_LIMITS.items()})
    return rules


def consumer_timezones(profile: CustomerProfile) -> tuple[str, ...]:
    """The profile's zone plus every zone its numbers may be in (US area codes span zones)."""
    zones: list[str] = [profile.timezone]
    for raw in [profile.phone, *(profile.alternate_phones or [])]:
        if not raw:
            continue
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException:
            continue
        for zone in phone_timezones.time_zones_for_number(number):
            if zone not in zones and zone != "Etc/Unknown":
                zones.append(zone)
    return tuple(zones)


def _inconvenient(preference: ContactPreference | None) -> tuple[LocalTimeRange, ...]:
    if preference is None:
        return ()
    ranges = []
    for text in preference.inconvenient_times or []:
        try:
            start, end = str(text).split("-")
            h1, m1 = (int(x) for x in start.strip().split(":"))
            h2, m2 = (int(x) for x in end.strip().split(":"))
        except ValueError:
            continue
        ranges.append(LocalTimeRange(start=h1 * 3600 + m1 * 60, end=h2 * 3600 + m2 * 60))
    return tuple(ranges)


def consumer_state(
    profile: CustomerProfile, *, apply_holds: bool = True, time_barred_debts: Iterable[str] = ()
) -> Consumer:
    preference = ContactPreference.objects.filter(profile=profile).first()
    holds: list[Hold] = []
    if apply_holds:
        for hold in CollectionHold.objects.filter(contract__customer=profile, released_on__isnull=True).select_related(
            "contract"
        ):
            holds.append(Hold(debt=hold.contract.number, reason=hold.reason))
        for number in Contract.objects.filter(
            customer=profile, plans__status=PlanStatus.ACTIVE, status=ContractStatus.CURRENT
        ).values_list("number", flat=True):
            holds.append(Hold(debt=number, reason="plan"))
    validation = validation_standing_load([profile.pk]).get(profile.pk, NONE) if apply_holds else NONE
    return consumer_from(
        profile,
        preference,
        holds,
        timezones=consumer_timezones(profile),
        time_barred_debts=time_barred_debts,
        validation=validation,
    )


def consumer_from(
    profile: CustomerProfile,
    preference: ContactPreference | None,
    holds: Iterable[Hold],
    *,
    timezones: tuple[str, ...] | None = None,
    time_barred_debts: Iterable[str] = (),
    validation: ValidationStanding = NONE,
) -> Consumer:
    """The engine's view of the customer from values already loaded (pure). ``holds`` are the
    open collection holds (a hold's debt is a contract number; a current contract on an
    active plan counts as held with reason "plan"), empty for service messages, and so is
    ``validation`` (the US debts whose validation notice is still owed); ``time_barred_debts``
    the numbers of the contracts that are time-barred."""
    return Consumer(
        timezones=consumer_timezones(profile) if timezones is None else timezones,
        inconvenient_times=_inconvenient(preference),
        late_contact_consent=bool(preference and preference.late_contact_consent),
        attorney=bool(preference and preference.attorney_name),
        cease=bool(preference and preference.cease_requested_on),
        opt_outs=tuple(OptOut(channel=Channel(c)) for c in (preference.opt_outs if preference else [])),
        holds=tuple(holds),
        employer_prohibits=bool(preference and preference.employer_prohibits_work_contact),
        time_barred_debts=frozenset(time_barred_debts),
        validation_notice_pending=validation.pending,
        communicated_debts=validation.communicated,
        esign_consent=bool(preference and preference.has_esign_consent),
    )


def history_filter(until: dt.datetime) -> Q:
    """The contact attempts the engine needs at ``until``: every allowed one of the last
    ``HISTORY_DAYS``, and, of any age, those rules without a time limit look at: contacts
    with third parties (a location contact is allowed once per person, 12 CFR 1006.10(c)),
    the consumer's emails (a work address the consumer wrote from, 1006.22(f)(3)) and
    opt-out confirmations (one per opt-out, 1006.14(h)(2)(i))."""
    since = until - dt.timedelta(days=HISTORY_DAYS)
    unlimited = (
        Q(to="third_party", direction="outbound")
        | Q(channel="email", direction="inbound")
        | Q(purpose=EnginePurpose.OPT_OUT_CONFIRMATION.value)
    )
    return Q(at__lte=until, verdict="allowed") & (Q(at__gte=since) | unlimited)


def contact_history(profile: CustomerProfile, until: dt.datetime) -> list[HistoryContact]:
    attempts = ContactAttempt.objects.filter(history_filter(until), customer=profile).select_related("contract")
    return [history_entry(a, a.contract.number if a.contract else None) for a in attempts]


def history_entry(attempt: ContactAttempt, contract_number: str | None) -> HistoryContact:
    """One allowed contact attempt as the engine's history entry (pure)."""
    return HistoryContact(
        at=attempt.at,
        channel=Channel(attempt.channel),
        direction=Direction(attempt.direction),
        to=Party(attempt.to),
        endpoint=attempt.endpoint or None,
        contact=attempt.third_party_id or None,
        debts=frozenset([contract_number]) if contract_number else frozenset(),
        outcome=attempt.outcome or None,
        by=attempt.by,
        consent=attempt.consent,
        # Collection notices (reminders, letters, ...) are collection to the engine; other
        # notice purposes (pre-due reminders, case messages) are unknown to it.
        purpose=_ENGINE_PURPOSES.get(attempt.purpose)
        or (EnginePurpose.COLLECTION if attempt.purpose in COLLECTION_PURPOSES else None),
    )


@dataclass(frozen=True)
class ProposedDetails:
    channel: str
    at: dt.datetime
    purpose: str  # a notices Purpose value, or "collection" for staff work
    endpoint: str = ""
    to: str = "debtor"
    third_party_id: str = ""
    by: str = "lender"
    consent: bool = False
    discloses_debt: bool = True
    opt_out_notice: bool = False
    staff_count: int | None = None
    reply_to_consumer: bool = False
    # A third party: why it is contacted (an engine purpose such as "location_info" or, in
    # CN, "relay_message"); empty means location, or collection when the debt is disclosed.
    third_party_purpose: str = ""
    third_party_exception: str = ""
    location_follow_up: bool = False
    at_workplace: bool = False
    work_email: bool = False
    # Threatens or announces legal action (a lawyer's letter, a referral for suit, a template
    # marked so): refused on a time-barred debt.
    legal_action: bool = False


def is_collection(purpose: str) -> bool:
    return purpose == "collection" or purpose in COLLECTION_PURPOSES


def contact_judge(
    *,
    profile: CustomerProfile,
    contract: Contract | None,
    proposed: ProposedDetails,
    window_end: dt.time | None = None,
) -> Verdict:
    """The compliance engine's verdict on one proposed contact (reads only). ``window_end``
    ends the contact window earlier than the rules do (a lender's own policy for staff calls);
    it never makes it later."""
    consumer = consumer_state(
        profile,
        apply_holds=is_collection(proposed.purpose),
        time_barred_debts=time_barred_numbers(contract, proposed),
    )
    rules = ruleset_for(profile, contract)
    if window_end is not None and window_end < rules.window_end:
        rules = tighten(rules, window_end=window_end)
    return evaluate(
        rules,
        consumer,
        contact_history(profile, proposed.at),
        engine_proposal(proposed, contract.number if contract else None),
    )


def time_barred_numbers(contract: Contract | None, proposed: ProposedDetails) -> frozenset[str]:
    """The contract's number if it is time-barred on the contact's local date; read only for a
    contact with legal content, the only kind the rule judges (12 CFR 1006.26(b))."""
    if contract is None or not proposed.legal_action:
        return frozenset()
    limitation = contract_limitation(contract=contract, on_date=timezone.localdate(proposed.at))
    return frozenset([contract.number]) if limitation.is_time_barred else frozenset()


def engine_proposal(proposed: ProposedDetails, contract_number: str | None) -> ProposedContact:
    """The proposed contact in the engine's terms (pure)."""
    return ProposedContact(
        at=proposed.at,
        channel=Channel(proposed.channel),
        to=Party(proposed.to),
        endpoint=proposed.endpoint or None,
        contact=proposed.third_party_id or None,
        debts=frozenset([contract_number]) if contract_number else frozenset(),
        by=proposed.by,
        consent=proposed.consent,
        purpose=engine_purpose(proposed),
        discloses_debt=proposed.discloses_debt,
        opt_out_notice=proposed.opt_out_notice,
        reply_to_consumer=proposed.reply_to_consumer,
        staff_count=proposed.staff_count,
        third_party_exception=ThirdPartyException(proposed.third_party_exception)
        if proposed.third_party_exception
        else None,
        location_follow_up=proposed.location_follow_up,
        at_workplace=proposed.at_workplace,
        work_email=proposed.work_email,
        legal_action=proposed.legal_action,
    )


def engine_purpose(proposed: ProposedDetails) -> EnginePurpose:
    """The engine's purpose of a proposed contact: collection with the debtor; with a third
    party the stated purpose, else location (collection when the debt would be disclosed)."""
    if proposed.to != "third_party":
        if proposed.purpose == Purpose.VALIDATION_NOTICE:
            return EnginePurpose.VALIDATION_NOTICE
        return EnginePurpose.COLLECTION
    if proposed.third_party_purpose:
        return EnginePurpose(proposed.third_party_purpose)
    return EnginePurpose.COLLECTION if proposed.discloses_debt else EnginePurpose.LOCATION_INFO
