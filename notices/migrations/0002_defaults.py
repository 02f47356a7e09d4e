"""Install the default escalation ladder and the default notice texts (version 1).

A frozen copy of ``notices.defaults.install_defaults``: later changes to the models or to
that function must not change what this migration did. Idempotent, like the original.
"""

from django.db import migrations

from notices.default_texts import DEFAULT_TEXTS

LADDER_NAME = "Default ladder"

# code, anchor, offset_days, channels, purpose, onsite_service_only
STEPS = (
    ("t-3", "due_date", -3, ["sms", "in_app"], "pre_due_reminder", False),
    ("due", "due_date", 0, ["sms", "in_app"], "due_today", False),
    ("dpd-1", "dpd", 1, ["sms", "email"], "overdue_reminder", False),
    ("dpd-3", "dpd", 3, ["in_app"], "overdue_banner", False),
    ("dpd-7", "dpd", 7, ["call"], "call_task", False),
    ("grace-end", "grace_end", 1, ["letter", "sms", "in_app"], "suspension_notice", True),
    ("dpd-30", "dpd", 30, ["letter"], "lawyer_letter", False),
    ("dpd-60", "dpd", 60, ["call"], "legal_review", False),
)


def install(apps, schema_editor):
    EscalationLadder = apps.get_model("notices", "EscalationLadder")
    LadderStep = apps.get_model("notices", "LadderStep")
    NoticeTemplate = apps.get_model("notices", "NoticeTemplate")

    ladder = EscalationLadder.objects.filter(product__isnull=True).first()
    if ladder is None:
        ladder = EscalationLadder.objects.create(product=None, name=LADDER_NAME)
    existing_codes = set(LadderStep.objects.filter(ladder=ladder).values_list("code", flat=True))
    LadderStep.objects.bulk_create(
        LadderStep(
            ladder=ladder,
            code=code,
            anchor=anchor,
            offset_days=offset_days,
            channels=channels,
            purpose=purpose,
            onsite_service_only=onsite_service_only,
        )
        for code, anchor, offset_days, channels, purpose, onsite_service_only in STEPS
        if code not in existing_codes
    )

    active = set(NoticeTemplate.objects.filter(is_active=True).values_list("purpose", "channel", "locale"))
    for (purpose, channel, locale), (subject, body) in DEFAULT_TEXTS.items():
        if (purpose, channel, locale) in active:
            continue
        last = (
            NoticeTemplate.objects.filter(purpose=purpose, channel=channel, locale=locale).order_by("-version").first()
        )
        NoticeTemplate.objects.create(
            purpose=purpose,
            channel=channel,
            locale=locale,
            version=last.version + 1 if last else 1,
            subject=subject,
            body=body,
            is_active=True,
        )


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
