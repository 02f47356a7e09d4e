"""Delivery channels behind one interface.

A channel turns an outbox ``Notice`` into a real delivery and returns a ``DeliveryResult``;
it raises ``ChannelError`` (``transient=True`` for provider errors worth retrying with
backoff, ``False`` for terminal failures such as an invalid number). Channels never decide
*whether* to contact: the compliance engine has already allowed the contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from notices.models import Notice


@dataclass(frozen=True)
class DeliveryResult:
    provider_message_id: str = ""
    status: str = "sent"  # sent | delivered
    detail: str = ""


class ChannelError(Exception):
    def __init__(self, message: str, *, transient: bool = True, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        # Seconds the provider asked us to wait (HTTP 429 Retry-After): the outbox reschedules
        # the notice by that much instead of its usual backoff.
        self.retry_after = retry_after


class Channel(Protocol):
    name: str

    def send(self, notice: Notice) -> DeliveryResult: ...
