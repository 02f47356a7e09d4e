"""Staff: the notice outbox, one notice's full record, and the embedded mail viewer."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import staff_required
from accounts.models import ContactChannel
from accounts.roles import VIEW_PII
from notices.models import NoticeStatus
from notices.selectors import mail_viewer_items, notice_get_for_staff, outbox_for_staff

from .services import mail_viewer_open, notice_record_view

OUTBOX_PERM = "notices.view_notice"


@staff_required(perm=OUTBOX_PERM)
def outbox(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("status", "channel", "reason")}
    page = Paginator(outbox_for_staff(**filters), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/outbox.html",
        {
            "page": page,
            "filters": filters,
            "statuses": NoticeStatus.choices,
            "channels": ContactChannel.choices,
            "mail_viewer": mail_viewer_available() and request.user.has_perm(VIEW_PII),
        },
    )


@staff_required(perm=OUTBOX_PERM)
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice, attempts = notice_get_for_staff(pk=pk)
    record = notice_record_view(actor=request.user, notice=notice)  # type: ignore[arg-type]
    return render(request, "staff/notice_detail.html", {"notice": notice, "record": record, "attempts": attempts})


def mail_viewer_available() -> bool:
    """Only in the embedded mode, where email and SMS are written to files instead of sent."""
    return not settings.PRODUCTION and not settings.EMAIL_URL


@staff_required(perm=VIEW_PII)
def mail_viewer(request: HttpRequest) -> HttpResponse:
    if not mail_viewer_available():
        raise Http404
    items = mail_viewer_items()
    mail_viewer_open(actor=request.user, items=len(items))  # type: ignore[arg-type]
    return render(request, "staff/mail_viewer.html", {"items": items})
