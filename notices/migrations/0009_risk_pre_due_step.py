"""Add the high-risk pre-due reminder (``t-7-risk``) to the default escalation ladder.

A frozen copy of ``notices.defaults.LATER_LADDER_STEPS``: a week before a due date, by SMS and
in the app, only for contracts not overdue whose early-warning band is high. Idempotent; a
ladder that already has the code keeps its own step.
"""

from django.db import migrations

# code, anchor, offset_days, channels, purpose, onsite_service_only, min_risk_band
STEPS = (("t-7-risk", "due_date", -7, ["sms", "in_app"], "pre_due_reminder", False, "high"),)


def install(apps, schema_editor):
    EscalationLadder = apps.get_model("notices", "EscalationLadder")
    LadderStep = apps.get_model("notices", "LadderStep")
    ladder = EscalationLadder.objects.filter(product__isnull=True).first()
    if ladder is None:
        return  # no default ladder yet: install_defaults creates it with every step
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
            min_risk_band=min_risk_band,
        )
        for code, anchor, offset_days, channels, purpose, onsite_service_only, min_risk_band in STEPS
        if code not in existing_codes
    )


class Migration(migrations.Migration):
    dependencies = [("notices", "0008_ladder_step_risk_band")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
