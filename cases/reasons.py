"""The compliance engine's reason codes as staff read them (codes stay codes in the data)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REASON_TEXTS = {
    "TIME_WINDOW": gettext_lazy("outside the hours the law allows in the customer's local time"),
    "DESIGNATED_INCONVENIENT": gettext_lazy("inside a time the customer said is inconvenient"),
    "CALL_FREQUENCY_7IN7": gettext_lazy("seven calls about this debt in seven days already"),
    "CONVERSATION_COOLDOWN": gettext_lazy("a conversation took place in the last seven days"),
    "DAILY_UNANSWERED_CAP": gettext_lazy("the daily limit of unanswered attempts to this number is reached"),
    "DAILY_CONNECTED_CAP": gettext_lazy("the daily limit of connected calls is reached (lender and agencies together)"),
    "DISPUTE_HOLD": gettext_lazy("collection is on hold while a dispute is open"),
    "COLLECTION_HOLD": gettext_lazy("collection is on hold (a review, a repayment plan or a request)"),
    "CEASE_REQUESTED": gettext_lazy("the customer asked us to stop contacting them"),
    "CHANNEL_OPT_OUT": gettext_lazy("the customer opted out of this channel"),
    "ATTORNEY_REPRESENTED": gettext_lazy("the customer is represented by a lawyer"),
    "THIRD_PARTY_NOT_ALLOWED": gettext_lazy("this third party may not be contacted"),
    "THIRD_PARTY_REFUSED": gettext_lazy("this third party refused contact"),
    "THIRD_PARTY_DISCLOSURE": gettext_lazy("the debt may not be disclosed to a third party"),
    "VISIT_STAFF_MINIMUM": gettext_lazy("a visit needs at least two staff members"),
    "EMPLOYER_PROHIBITS": gettext_lazy("the employer prohibits contact at work"),
    "TIME_BARRED_SUIT_THREAT": gettext_lazy("the debt is time-barred: no legal action may be threatened"),
    "COLLECTION_BEFORE_VALIDATION_NOTICE": gettext_lazy("the validation notice must be sent first"),
}


def reason_text(code: str) -> str:
    text = REASON_TEXTS.get(code)
    return f"{text} ({code})" if text else code


def reasons_text(codes: Iterable[str]) -> str:
    return "; ".join(reason_text(code) for code in codes)


def local_time_text(moment: dt.datetime | None, zone: str) -> str:
    """A moment in the customer's zone, with the zone named (staff may sit elsewhere)."""
    if moment is None:
        return ""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{date_format(local, 'Y-m-d H:i')} ({zone})"


def blocked_message(codes: Iterable[str], next_allowed_at: dt.datetime | None, zone: str) -> str:
    codes = list(codes)
    if next_allowed_at is None:
        return _("Not allowed: %(reasons)s. There is no time at which it would be allowed as things stand.") % {
            "reasons": reasons_text(codes)
        }
    return _("Not allowed now: %(reasons)s. Next allowed: %(when)s.") % {
        "reasons": reasons_text(codes),
        "when": local_time_text(next_allowed_at, zone),
    }
