"""Writes for notice templates. Each writes its audit event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import ContactChannel
from audit.services import audit_record
from core.errors import ApplicationError

from ..codes import NoticesAction, NoticesError
from ..models import REQUIRED_FIELDS, NoticeTemplate
from ..templating import missing_fields, validate_template

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def template_save(
    *,
    actor: User | None,
    purpose: str,
    channel: str,
    locale: str,
    subject: str,
    body: str,
    threatens_legal_action: bool = False,
) -> NoticeTemplate:
    """Publish a new version of the text for purpose × channel × locale and put it in use.

    Saved versions are never edited: the text a customer received is evidence, and each
    notice points at the version it was rendered from. The text must print every field
    the purpose requires (``REQUIRED_FIELDS``: e.g. amount, days overdue, deadline, how to
    pay and how to dispute for an overdue reminder) and, on SMS and email, the opt-out
    sentence. The previous version stays on record, inactive. ``threatens_legal_action`` marks a
    text that mentions a suit or other legal steps: it is never sent about a time-barred debt
    (12 CFR 1006.26(b)).
    """
    if purpose not in REQUIRED_FIELDS:
        raise ApplicationError(
            code=NoticesError.TEMPLATE_UNKNOWN_PURPOSE, message=_("Unknown purpose %(v)s.") % {"v": purpose}
        )
    if channel not in ContactChannel.values:
        raise ApplicationError(
            code=NoticesError.TEMPLATE_UNKNOWN_CHANNEL, message=_("Unknown channel %(v)s.") % {"v": channel}
        )
    if locale not in dict(settings.LANGUAGES):
        raise ApplicationError(
            code=NoticesError.TEMPLATE_UNKNOWN_LOCALE, message=_("Unknown language %(v)s.") % {"v": locale}
        )
    subject = (subject or "").strip()
    errors = validate_template(purpose, channel, subject, body)
    if errors:
        try:
            missing = missing_fields(purpose, channel, subject, body)
        except ApplicationError as exc:  # refused tag or syntax error: no field list to give
            raise ApplicationError(code=exc.code, message=" ".join(errors), extra=exc.extra) from exc
        if missing:
            raise ApplicationError(
                code=NoticesError.TEMPLATE_MISSING_FIELDS,
                message=_("The template lacks required fields: %(fields)s.")
                % {"fields": ", ".join(f"{{{{ {field} }}}}" for field in missing)},
                extra={"missing_fields": missing, "errors": errors},
            )
        raise ApplicationError(code=NoticesError.TEMPLATE_INVALID, message=" ".join(errors), extra={"errors": errors})

    # Lock every version of this text so concurrent saves number their versions one after the other.
    versions = list(
        NoticeTemplate.objects.select_for_update()
        .filter(purpose=purpose, channel=channel, locale=locale)
        .order_by("-version")
    )
    previous = next((t for t in versions if t.is_active), None)
    if previous is not None:
        # Before the insert: at most one active version per text (conditional unique constraint).
        previous.is_active = False
        previous.save(update_fields=["is_active"])
    template = NoticeTemplate.objects.create(
        purpose=purpose,
        channel=channel,
        locale=locale,
        version=versions[0].version + 1 if versions else 1,
        subject=subject,
        body=body,
        threatens_legal_action=bool(threatens_legal_action),
        is_active=True,
        created_by=actor,
    )
    audit_record(
        action=NoticesAction.TEMPLATE_SAVED,
        actor=actor,
        obj=template,
        data={
            "purpose": purpose,
            "channel": channel,
            "locale": locale,
            "version": template.version,
            "replaces_version": previous.version if previous is not None else None,
            "threatens_legal_action": template.threatens_legal_action,
        },
    )
    return template
