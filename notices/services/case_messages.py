"""Messages about a case (acknowledgement, resolution), written to the outbox in the
caller's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import ContactChannel, ContactPreference, CustomerProfile
from contracts.models import Contract
from core.errors import ApplicationError

from ..codes import NoticesError
from ..models import Notice, NoticeStatus, Purpose
from ..selectors import active_template, notice_context, opt_out_text
from .outbox import _write_notice, queue_delivery


def service_message_schedule(
    *,
    profile: CustomerProfile,
    contract: Contract | None,
    purpose: str,
    key: str,
    context: dict[str, Any],
    now: dt.datetime | None = None,
    system: str = "appeals",
) -> list[Notice]:
    """A message about a case (acknowledgement, resolution) or a service message (a visit
    announced, on-site service restored): in the app, and by the
    customer's preferred electronic channel. Written to the outbox in the caller's transaction."""
    now = now or timezone.now()
    preference = ContactPreference.objects.filter(profile=profile).first()
    prefers_email = preference is not None and preference.preferred_channel == ContactChannel.EMAIL
    electronic = ContactChannel.EMAIL if prefers_email else ContactChannel.SMS
    channels = [ContactChannel.IN_APP]
    if profile.email if prefers_email else profile.phone:
        channels.append(electronic)
    created: list[Notice] = []
    for channel in channels:
        full_key = f"{key}:{channel}"
        template = active_template(purpose, channel, profile.language or settings.LANGUAGE_CODE)
        if Notice.objects.filter(idempotency_key=full_key).exists() or template is None:
            continue
        base = {
            "customer_name": profile.legal_name,
            "company_name": "Fairdue",
            "contract_number": contract.number if contract else "",
        }
        with translation.override(template.locale):
            base["opt_out"] = opt_out_text(channel)
        created.append(
            _write_notice(
                profile=profile,
                contract=contract,
                step=None,
                purpose=purpose,
                channel=channel,
                key=full_key,
                template=template,
                context={**base, **context},
                now=now,
                system=system,
            )
        )
    queue_delivery([n.pk for n in created if n.status == NoticeStatus.PENDING], now=now)
    return created


@transaction.atomic
def service_restored_notify(*, contract_id: int, restored_on: dt.date) -> list[Notice]:
    """On-site service came back (payment, plan or staff): in the app and by the preferred
    electronic channel. Once per restoration (the key); nothing if it was suspended again since."""
    contract = Contract.objects.select_related("customer").get(pk=contract_id)
    if contract.service_state != "restored":
        return []
    profile = contract.customer
    with translation.override(profile.language or settings.LANGUAGE_CODE):
        day = formats.date_format(restored_on, "DATE_FORMAT")
    return service_message_schedule(
        profile=profile,
        contract=contract,
        purpose=Purpose.SERVICE_RESTORED,
        key=f"restored:{contract.pk}:{restored_on.isoformat()}",
        context={"restored_on": day, "reason": contract.service_reason},
        system="delinquency_sweep",
    )


def lawyer_letter_write(*, contract: Contract, key: str, final_grace_date: dt.date, now: dt.datetime) -> Notice:
    """The legal route's lawyer's letter (PDF, by post): the itemised amounts and the final grace
    date, judged by the compliance engine like any contact, written to the outbox in the caller's
    transaction and queued after commit. Once per key."""
    existing = Notice.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    profile = contract.customer
    template = active_template(Purpose.LAWYER_LETTER, ContactChannel.LETTER, profile.language or settings.LANGUAGE_CODE)
    if template is None:
        raise ApplicationError(
            code=NoticesError.TEMPLATE_NOT_ACTIVE, message=_("There is no active lawyer's letter template.")
        )
    with translation.override(template.locale):
        context = notice_context(contract, timezone.localdate(now), ContactChannel.LETTER)
        context["final_grace_date"] = final_grace_date.isoformat()
    notice = _write_notice(
        profile=profile,
        contract=contract,
        step=None,
        purpose=Purpose.LAWYER_LETTER,
        channel=ContactChannel.LETTER,
        key=key,
        template=template,
        context=context,
        now=now,
        system="legal_route",
    )
    if notice.status == NoticeStatus.PENDING:
        queue_delivery([notice.pk], now=now)
    return notice
