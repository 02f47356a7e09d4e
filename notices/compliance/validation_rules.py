"""US validation-notice rules of the engine (pure): 12 CFR 1006.34(a)(1) — the validation notice
is the initial communication or follows it within five days, with no other collection
communication in between — and 1006.42 — the notice goes electronically only with the
consumer's E-SIGN consent or when the consumer used that address or number to communicate
with the collector (a safe harbour)."""

from __future__ import annotations

from collections.abc import Sequence

from notices.compliance.inputs import (
    COLLECTION_PURPOSES,
    ELECTRONIC_CHANNELS,
    ELECTRONIC_MESSAGE_CHANNELS,
    REACHED_OUTCOMES,
    Channel,
    Consumer,
    Direction,
    HistoryContact,
    Party,
    ProposedContact,
    Purpose,
    ReasonCode,
)


def validation_notice_reasons(
    consumer: Consumer, history: Sequence[HistoryContact], proposed: ProposedContact
) -> set[ReasonCode]:
    """Reasons a contact with the consumer breaks the validation-notice rules."""
    if proposed.purpose == Purpose.VALIDATION_NOTICE:
        if (
            proposed.channel in ELECTRONIC_CHANNELS
            and not consumer.esign_consent
            and not _consumer_used_endpoint(history, proposed)
        ):
            return {ReasonCode.ELECTRONIC_DELIVERY_WITHOUT_CONSENT}
        return set()
    if proposed.purpose not in COLLECTION_PURPOSES:
        return set()
    for debt in sorted(proposed.debts & consumer.validation_notice_pending):
        if _validation_notice_sent(history, proposed, debt):
            continue
        if debt in consumer.communicated_debts or _communicated_about(history, proposed, debt):
            return {ReasonCode.COLLECTION_BEFORE_VALIDATION_NOTICE}
    return set()


def _consumer_used_endpoint(history: Sequence[HistoryContact], proposed: ProposedContact) -> bool:
    """The consumer wrote to the collector from this email address (or texted from this
    number) before: the alternative procedure of 1006.42(c)-(d) for that address."""
    if proposed.channel not in ELECTRONIC_MESSAGE_CHANNELS or proposed.endpoint is None:
        return False
    return any(
        entry.direction == Direction.INBOUND
        and entry.channel == proposed.channel
        and entry.endpoint == proposed.endpoint
        and entry.at < proposed.at
        for entry in history
    )


def _validation_notice_sent(history: Sequence[HistoryContact], proposed: ProposedContact, debt: str) -> bool:
    return any(
        entry.direction == Direction.OUTBOUND
        and entry.to == Party.DEBTOR
        and entry.purpose == Purpose.VALIDATION_NOTICE
        and debt in entry.debts
        and entry.at <= proposed.at
        for entry in history
    )


def _communicated_about(history: Sequence[HistoryContact], proposed: ProposedContact, debt: str) -> bool:
    """An earlier collection communication with the consumer about ``debt``: a call or visit
    that reached them, or a message sent."""
    for entry in history:
        if (
            entry.direction != Direction.OUTBOUND
            or entry.to != Party.DEBTOR
            or entry.at > proposed.at
            or debt not in entry.debts
            or entry.purpose not in COLLECTION_PURPOSES
        ):
            continue
        if entry.channel in (Channel.CALL, Channel.VISIT):
            if entry.outcome in REACHED_OUTCOMES:
                return True
        elif entry.outcome is None or entry.outcome in REACHED_OUTCOMES:
            return True
    return False
