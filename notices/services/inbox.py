"""The customer's side of the outbox: marking a message read."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CustomerProfile
from audit.services import audit_record
from core.errors import NotFoundError

from ..codes import NoticesAction, NoticesError
from ..models import InAppMessage, Notice


@transaction.atomic
def notice_mark_read(*, profile: CustomerProfile, notice_id: int) -> Notice:
    """The customer opened a message (any channel); its in-app copy counts as read too."""
    notice = Notice.objects.select_for_update().filter(pk=notice_id, customer=profile).first()
    if notice is None:
        raise NotFoundError(code=NoticesError.MESSAGE_NOT_FOUND, message=_("Message not found."))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        InAppMessage.objects.filter(notice=notice, read_at__isnull=True).update(read_at=notice.read_at)
        audit_record(action=NoticesAction.NOTICE_READ, actor=profile.user, obj=notice, subject_user_id=profile.user_id)
    return notice
