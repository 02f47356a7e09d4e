"""Staff: the notice outbox, one notice's full record, and the embedded mail viewer."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import staff_required
from accounts.models import ContactChannel
from notices.models import NoticeStatus
from notices.selectors import mail_viewer_items, notice_get_for_staff, outbox_for_staff

OUTBOX_PERM = "notices.view_notice"


@staff_required(perm=OUTBOX_PERM)
def outbox(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("status", "channel", "reason")}
    page = Paginator(outbox_for_staff(**filters), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/outbox.html",
        {"page": page, "filters": filters, "statuses": NoticeStatus.choices, "channels": ContactChannel.choices},
    )


@staff_required(perm=OUTBOX_PERM)
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice, attempts = notice_get_for_staff(pk=pk)
    return render(request, "staff/notice_detail.html", {"notice": notice, "attempts": attempts})


@staff_required(perm=OUTBOX_PERM)
def mail_viewer(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/mail_viewer.html", {"items": mail_viewer_items()})
