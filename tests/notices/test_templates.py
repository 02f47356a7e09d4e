"""Notice templates (validation, versions, rendering), the defaults and their admin."""

from __future__ import annotations

import importlib
from datetime import time

import pytest
from django.utils import translation

from accounts.models import ContactChannel
from accounts.roles import Role
from audit.models import AuditEvent
from core.errors import ApplicationError
from notices.admin import ContactRuleTighteningForm, LadderStepForm, NoticeTemplateForm
from notices.default_texts import DEFAULT_TEXTS
from notices.defaults import DEFAULT_LADDER_STEPS, LATER_LADDER_STEPS, install_defaults
from notices.models import (
    OPT_OUT_FIELD,
    REQUIRED_FIELDS,
    ContactRuleTightening,
    EscalationLadder,
    LadderStep,
    NoticeTemplate,
    Purpose,
)
from notices.template_services import template_save
from notices.templating import printed_variables, render_template, template_variables, validate_template
from tests.accounts.factories import make_staff
from tests.conftest import login_verified_staff
from tests.contracts.factories import make_product

pytestmark = pytest.mark.django_db

LADDER_PAIRS = {(step.purpose, channel) for step in DEFAULT_LADDER_STEPS for channel in step.channels}
CASE_PAIRS = {
    (purpose, channel)
    for purpose in (Purpose.RESOLUTION, Purpose.ACKNOWLEDGEMENT)
    for channel in ("sms", "email", "in_app", "letter")
}
# Service messages outside the ladder: a field visit announced.
SERVICE_PAIRS = {
    (purpose, channel)
    for purpose in (Purpose.VISIT_NOTICE, Purpose.SERVICE_RESTORED)
    for channel in ("sms", "email", "in_app")
}
CONTEXT_ZH = {
    "customer_name": "张三",
    "company_name": "公平金融",
    "product_name": "家电分期",
    "contract_number": "FD2026010100001",
    "amount_due": "¥1,234.56",
    "due_date": "2026年3月1日",
    "days_overdue": 5,
    "deadline": "2026年3月15日",
    "pay_url": "https://fd.example/p/8Kx2",
    "dispute_url": "https://fd.example/d/8Kx2",
    "opt_out": "回复TD退订",
    "effective_date": "2026年3月20日",
    "restore_how": "结清应还款项后次日恢复",
    "appeal_url": "https://fd.example/a/8Kx2",
    "final_grace_date": "2026年5月1日",
    "itemised_amounts": "本金：¥1,000.00\n利息：¥34.56",
    "case_reference": "AP-0001",
    "outcome": "同意",
    "reasons": "经核实款项已到账",
    "answer_by": "2026年3月30日",
    "restored_on": "2026年3月22日",
}
CONTEXT_EN = {
    **CONTEXT_ZH,
    "customer_name": "Jane Doe",
    "company_name": "Fairdue Finance",
    "due_date": "1 March 2026",
    "deadline": "15 March 2026",
    "final_grace_date": "1 May 2026",
    "itemised_amounts": "Principal: ¥1,000.00\nInterest: ¥34.56",
    "opt_out": "Reply STOP to opt out.",
}


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read the messages in English (the product default is Simplified Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def body_with(fields, extra: str = "") -> str:
    return " ".join(f"{field}: {{{{ {field} }}}}" for field in fields) + extra


def save(**overrides):
    values = {
        "actor": None,
        "purpose": Purpose.OVERDUE_REMINDER,
        "channel": ContactChannel.LETTER,
        "locale": "zh-hans",
        "subject": "提醒",
        "body": body_with(REQUIRED_FIELDS[Purpose.OVERDUE_REMINDER]),
    }
    values.update(overrides)
    return template_save(**values)


@pytest.fixture
def officer_client(client):
    user = make_staff(Role.COMPLIANCE_OFFICER)
    login_verified_staff(client, user)
    client.user = user
    return client


# --- required fields --------------------------------------------------------------------------
@pytest.mark.parametrize("purpose", list(Purpose))
def test_service_refuses_a_template_missing_a_required_field(purpose):
    required = REQUIRED_FIELDS[purpose]
    dropped = required[0]
    before = NoticeTemplate.objects.count()

    with pytest.raises(ApplicationError) as caught:
        save(purpose=purpose, body=body_with(required[1:]))

    assert caught.value.code == "template_missing_fields"
    assert caught.value.extra["missing_fields"] == [dropped]
    assert f"{{{{ {dropped} }}}}" in caught.value.message
    assert NoticeTemplate.objects.count() == before


@pytest.mark.parametrize("purpose", list(Purpose))
def test_service_names_every_missing_field(purpose):
    with pytest.raises(ApplicationError) as caught:
        save(purpose=purpose, body="您好。")
    assert caught.value.extra["missing_fields"] == list(REQUIRED_FIELDS[purpose])
    for field in REQUIRED_FIELDS[purpose]:
        assert f"{{{{ {field} }}}}" in caught.value.message


@pytest.mark.parametrize("purpose", list(Purpose))
def test_admin_form_shows_the_missing_field(purpose):
    required = REQUIRED_FIELDS[purpose]
    form = NoticeTemplateForm(
        data={
            "purpose": purpose,
            "channel": "letter",
            "locale": "en",
            "subject": "Notice",
            "body": body_with(required[:-1]),
        }
    )
    assert not form.is_valid()
    errors = " ".join(form.non_field_errors())
    assert f"{{{{ {required[-1]} }}}}" in errors
    assert all(f"{{{{ {field} }}}}" not in errors for field in required[:-1])


@pytest.mark.parametrize("purpose", list(Purpose))
def test_admin_form_accepts_a_complete_template(purpose):
    form = NoticeTemplateForm(
        data={
            "purpose": purpose,
            "channel": "letter",
            "locale": "en",
            "subject": "",
            "body": body_with(REQUIRED_FIELDS[purpose]),
        }
    )
    assert form.is_valid(), form.errors


def test_a_field_only_tested_in_a_condition_is_not_present():
    body = body_with(("amount_due", "due_date")) + "{% if pay_url %}pay online{% endif %}"
    errors = validate_template(Purpose.DUE_TODAY, "letter", "", body)
    assert len(errors) == 1 and "{{ pay_url }}" in errors[0]
    assert validate_template(Purpose.DUE_TODAY, "letter", "", body.replace("pay online", "{{ pay_url }}")) == []


def test_email_subject_counts_but_sms_has_no_subject():
    required = REQUIRED_FIELDS[Purpose.DUE_TODAY]
    subject = "Due {{ due_date }}"
    body = body_with([f for f in required if f != "due_date"], " {{ opt_out }}")
    assert validate_template(Purpose.DUE_TODAY, "email", subject, body) == []
    errors = validate_template(Purpose.DUE_TODAY, "sms", subject, body)
    assert len(errors) == 1 and "{{ due_date }}" in errors[0]


def test_email_needs_a_subject():
    body = body_with(REQUIRED_FIELDS[Purpose.DUE_TODAY], " {{ opt_out }}")
    assert validate_template(Purpose.DUE_TODAY, "email", "", body) == ["An email needs a subject."]


# --- opt-out ----------------------------------------------------------------------------------
@pytest.mark.parametrize("channel", ["sms", "email"])
def test_electronic_template_without_opt_out_is_refused(channel):
    body = body_with(REQUIRED_FIELDS[Purpose.OVERDUE_REMINDER])

    with pytest.raises(ApplicationError) as caught:
        save(channel=channel, body=body)

    assert caught.value.extra["missing_fields"] == [OPT_OUT_FIELD]
    assert "{{ opt_out }}" in caught.value.message
    assert save(channel=channel, body=body + " {{ opt_out }}").channel == channel


@pytest.mark.parametrize("channel", ["letter", "in_app", "call"])
def test_opt_out_is_not_required_off_sms_and_email(channel):
    assert (
        validate_template(Purpose.OVERDUE_REMINDER, channel, "", body_with(REQUIRED_FIELDS["overdue_reminder"])) == []
    )


# --- refused tags and syntax ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("tag", "snippet"),
    [
        ("load", "{% load static %}"),
        ("include", '{% include "admin/base.html" %}'),
        ("extends", '{% extends "base.html" %}'),
        ("ssi", "{% ssi '/etc/passwd' %}"),
        ("debug", "{% debug %}"),
    ],
)
def test_forbidden_tags_are_refused(tag, snippet):
    body = snippet + body_with(REQUIRED_FIELDS[Purpose.OVERDUE_REMINDER])

    errors = validate_template(Purpose.OVERDUE_REMINDER, "letter", "", body)
    assert len(errors) == 1 and f"{{% {tag} %}}" in errors[0]
    with pytest.raises(ApplicationError) as caught:
        save(body=body)
    assert caught.value.code == "template_forbidden_tag"
    with pytest.raises(ApplicationError):
        template_variables(snippet)


def test_forbidden_tag_in_the_subject_is_refused():
    errors = validate_template(
        Purpose.OVERDUE_REMINDER, "letter", "{% debug %}", body_with(REQUIRED_FIELDS["overdue_reminder"])
    )
    assert len(errors) == 1 and "{% debug %}" in errors[0]


def test_syntax_errors_are_refused_with_a_clear_message():
    body = body_with(REQUIRED_FIELDS[Purpose.OVERDUE_REMINDER], "{% if amount_due %}")
    errors = validate_template(Purpose.OVERDUE_REMINDER, "letter", "", body)
    assert len(errors) == 1 and "cannot be read" in errors[0] and "endif" in errors[0]
    with pytest.raises(ApplicationError) as caught:
        save(body=body)
    assert caught.value.code == "template_syntax_error"


def test_template_variables_include_conditions_loops_and_filter_arguments():
    text = (
        "{{ customer_name }}{% if days_overdue > 3 and not paid %}{{ amount_due|default:fallback }}{% endif %}"
        "{% for item in items %}{{ item.label }}{{ forloop.counter }}{{ pay_url }}{% endfor %}"
        "{% with total=grand_total %}{{ total }}{% endwith %}{# {{ hidden }} #}"
    )
    assert template_variables(text) == {
        "customer_name",
        "days_overdue",
        "paid",
        "amount_due",
        "fallback",
        "items",
        "pay_url",
        "grand_total",
    }
    assert printed_variables(text) == {"customer_name", "amount_due", "pay_url"}


# --- versions ---------------------------------------------------------------------------------
def test_saving_creates_a_new_version_and_retires_the_previous_one():
    key = {"purpose": "overdue_reminder", "channel": "sms", "locale": "zh-hans"}
    first = NoticeTemplate.objects.get(is_active=True, **key)  # installed by the data migration
    original_body = first.body
    actor = make_staff(Role.COMPLIANCE_OFFICER)
    body = body_with(REQUIRED_FIELDS[Purpose.OVERDUE_REMINDER], " {{ opt_out }}")

    second = save(actor=actor, subject="", body=body, **key)
    third = save(actor=actor, subject="", body=body + "。", **key)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.version, second.version, third.version) == (1, 2, 3)
    assert (first.is_active, second.is_active, third.is_active) == (False, False, True)
    assert first.body == original_body and second.body == body
    assert third.created_by == actor
    assert list(NoticeTemplate.objects.filter(is_active=True, **key)) == [third]
    event = AuditEvent.objects.filter(action="template.saved", object_id=str(third.pk)).get()
    assert event.actor_id == actor.pk
    assert event.data["version"] == 3 and event.data["replaces_version"] == 2


def test_first_version_of_a_new_text():
    NoticeTemplate.objects.filter(purpose="due_today", channel="letter").delete()
    template = save(purpose="due_today", body=body_with(REQUIRED_FIELDS["due_today"]), channel="letter")
    assert (template.version, template.is_active) == (1, True)


def test_unknown_language_is_refused():
    with pytest.raises(ApplicationError) as caught:
        save(locale="fr")
    assert caught.value.code == "template_unknown_locale"


# --- defaults ---------------------------------------------------------------------------------
def test_default_texts_cover_the_ladder_and_case_messages_in_both_languages():
    expected = {
        (purpose, channel, locale)
        for purpose, channel in LADDER_PAIRS | CASE_PAIRS | SERVICE_PAIRS
        for locale in ("zh-hans", "en")
    }
    assert set(DEFAULT_TEXTS) == expected


@pytest.mark.parametrize("key", sorted(DEFAULT_TEXTS))
def test_every_default_text_validates(key):
    purpose, channel, _locale = key
    subject, body = DEFAULT_TEXTS[key]
    assert validate_template(purpose, channel, subject, body) == []
    if channel in ("sms", "email"):
        assert body.rstrip().endswith("{{ opt_out }}")


@pytest.mark.parametrize("key", sorted(k for k in DEFAULT_TEXTS if k[1] == "sms" and k[2] == "zh-hans"))
def test_chinese_sms_stay_short(key):
    _subject, body = render_template(DEFAULT_TEXTS[key][1], CONTEXT_ZH)
    assert len(body) <= 160, body


def test_default_texts_are_free_of_threats_and_shaming():
    words = ("坐牢", "曝光", "通讯录", "家人", "单位", "拘留", "黑名单", "jail", "arrest", "employer", "family")
    for key, (subject, body) in DEFAULT_TEXTS.items():
        if key[0] in ("call_task",):
            continue  # the call script names what agents must not do
        for word in words:
            assert word not in subject + body, (key, word)


def test_data_migration_installed_the_default_ladder_and_texts():
    ladder = EscalationLadder.objects.get(product__isnull=True)
    steps = {s.code: s for s in ladder.steps.all()}
    assert sorted(steps) == sorted(
        ["t-7-risk", "t-3", "due", "dpd-1", "dpd-3", "dpd-7", "grace-end", "dpd-30", "dpd-60"]
    )
    for spec in (*DEFAULT_LADDER_STEPS, *LATER_LADDER_STEPS):
        step = steps[spec.code]
        assert (
            step.anchor,
            step.offset_days,
            step.channels,
            step.purpose,
            step.onsite_service_only,
            step.min_risk_band,
        ) == (
            spec.anchor,
            spec.offset_days,
            list(spec.channels),
            spec.purpose,
            spec.onsite_service_only,
            spec.min_risk_band,
        )
    assert steps["grace-end"].onsite_service_only and not steps["dpd-30"].onsite_service_only
    active = {
        (t.purpose, t.channel, t.locale): (t.subject, t.body, t.version)
        for t in NoticeTemplate.objects.filter(is_active=True)
    }
    assert active == {key: (*text, 1) for key, text in DEFAULT_TEXTS.items()}


def test_migration_steps_match_the_defaults():
    migration = importlib.import_module("notices.migrations.0002_defaults")
    assert migration.STEPS == tuple(
        (s.code, s.anchor, s.offset_days, list(s.channels), s.purpose, s.onsite_service_only)
        for s in DEFAULT_LADDER_STEPS
    )


def test_later_migration_steps_match_the_defaults():
    migration = importlib.import_module("notices.migrations.0009_risk_pre_due_step")
    assert migration.STEPS == tuple(
        (s.code, s.anchor, s.offset_days, list(s.channels), s.purpose, s.onsite_service_only, s.min_risk_band)
        for s in LATER_LADDER_STEPS
    )


def test_install_defaults_is_idempotent():
    EscalationLadder.objects.all().delete()
    NoticeTemplate.objects.all().delete()

    result = install_defaults()

    assert result.ladder_created
    ladder = EscalationLadder.objects.get(product__isnull=True)
    assert ladder.steps.count() == 9  # the first release's eight and the high-risk pre-due reminder
    assert NoticeTemplate.objects.filter(is_active=True, version=1).count() == len(DEFAULT_TEXTS)
    assert AuditEvent.objects.filter(action="ladder.defaults_installed").count() == 1

    again = install_defaults()

    assert not again.changed
    assert EscalationLadder.objects.count() == 1 and ladder.steps.count() == 9
    assert NoticeTemplate.objects.count() == len(DEFAULT_TEXTS)


def test_install_defaults_keeps_local_changes_and_fills_gaps():
    ladder = EscalationLadder.objects.get(product__isnull=True)
    ladder.steps.filter(code="dpd-7").update(offset_days=10)
    ladder.steps.filter(code="dpd-60").delete()
    custom = save(
        purpose="due_today",
        channel="sms",
        locale="en",
        subject="",
        body=body_with(REQUIRED_FIELDS["due_today"], "{{ opt_out }}"),
    )

    result = install_defaults()

    assert result.steps_created == ["dpd-60"] and result.templates_created == []
    assert ladder.steps.get(code="dpd-7").offset_days == 10
    assert NoticeTemplate.objects.get(purpose="due_today", channel="sms", locale="en", is_active=True) == custom


# --- rendering --------------------------------------------------------------------------------
def test_rendering_fills_the_chinese_variables():
    template = NoticeTemplate.objects.get(purpose="overdue_reminder", channel="email", locale="zh-hans", is_active=True)

    subject, body = render_template(template, CONTEXT_ZH)

    assert subject == "合同FD2026010100001还款提醒"
    for value in (
        "张三",
        "已逾期5天",
        "¥1,234.56",
        "2026年3月15日",
        "https://fd.example/p/8Kx2",
        "https://fd.example/d/8Kx2",
    ):
        assert value in body
    assert body.rstrip().endswith("回复TD退订")
    assert "{{" not in body and "{%" not in body


def test_rendering_fills_the_english_variables():
    template = NoticeTemplate.objects.get(purpose="lawyer_letter", channel="letter", locale="en", is_active=True)

    subject, body = render_template(template, CONTEXT_EN)

    assert subject == "Lawyer's letter (contract FD2026010100001)"
    assert "Dear Jane Doe," in body and "by 1 May 2026" in body and "Fairdue Finance" in body
    assert "Principal: ¥1,000.00\nInterest: ¥34.56" in body
    assert "{{" not in body


def test_rendering_is_plain_text_and_subjects_stay_on_one_line():
    subject, body = render_template(
        "{{ name }} & {{ url }}", {"name": "<b>O'Neil</b>", "url": "https://x.example/?a=1&b=2"}
    )
    assert (subject, body) == ("", "<b>O'Neil</b> & https://x.example/?a=1&b=2")
    template = NoticeTemplate(subject="Hello\n{{ name }}", body="{{ name }}")
    assert render_template(template, {"name": "Ann"}) == ("Hello Ann", "Ann")


# --- admin ------------------------------------------------------------------------------------
def test_compliance_officer_adds_a_version_through_the_admin(officer_client):
    body = body_with(REQUIRED_FIELDS[Purpose.OVERDUE_BANNER])
    data = {"purpose": "overdue_banner", "channel": "in_app", "locale": "en", "subject": "Overdue", "body": body}

    response = officer_client.post("/admin/notices/noticetemplate/add/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    new = NoticeTemplate.objects.get(purpose="overdue_banner", channel="in_app", locale="en", is_active=True)
    assert (new.version, new.body, new.created_by) == (2, body, officer_client.user)
    assert AuditEvent.objects.filter(action="template.saved", object_id=str(new.pk)).exists()
    # A saved version is read-only: the change page shows it but does not save.
    page = officer_client.get(f"/admin/notices/noticetemplate/{new.pk}/change/")
    assert page.status_code == 200 and "Write a new version based on this one" in page.content.decode()
    officer_client.post(f"/admin/notices/noticetemplate/{new.pk}/change/", {**data, "body": "changed"})
    new.refresh_from_db()
    assert new.body == body


def test_admin_add_page_shows_missing_fields(officer_client):
    data = {
        "purpose": "overdue_reminder",
        "channel": "sms",
        "locale": "zh-hans",
        "subject": "",
        "body": "【公司】您的合同{{ contract_number }}已逾期，应还{{ amount_due }}。",
    }

    response = officer_client.post("/admin/notices/noticetemplate/add/", data)

    assert response.status_code == 200
    page = response.content.decode()
    for field in ("days_overdue", "deadline", "pay_url", "dispute_url", "opt_out"):
        assert f"{{{{ {field} }}}}" in page
    assert NoticeTemplate.objects.filter(purpose="overdue_reminder", channel="sms", locale="zh-hans").count() == 1


def test_admin_new_version_starts_from_the_chosen_one(officer_client):
    source = NoticeTemplate.objects.get(purpose="due_today", channel="in_app", locale="en", is_active=True)
    page = officer_client.get(f"/admin/notices/noticetemplate/add/?from={source.pk}").content.decode()
    assert "Your payment is due today" in page


def test_agent_cannot_use_the_template_admin(verified_agent_client):
    assert verified_agent_client.get("/admin/notices/noticetemplate/add/").status_code == 403
    assert verified_agent_client.get("/admin/notices/contactruletightening/add/").status_code == 403


def test_compliance_officer_holds_the_notice_permissions():
    user = make_staff(Role.COMPLIANCE_OFFICER)
    assert user.has_perm("notices.manage_templates")
    assert user.has_perms(
        ["notices.add_noticetemplate", "notices.change_ladderstep", "notices.add_contactruletightening"]
    )
    assert not user.has_perm("notices.change_noticetemplate")


def test_compliance_officer_edits_a_ladder_step(officer_client):
    ladder = EscalationLadder.objects.get(product__isnull=True)
    steps = list(ladder.steps.order_by("pk"))
    data = {
        "name": ladder.name,
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, step in enumerate(steps):
        data.update(
            {
                f"steps-{i}-id": str(step.pk),
                f"steps-{i}-ladder": str(ladder.pk),
                f"steps-{i}-code": step.code,
                f"steps-{i}-anchor": step.anchor,
                f"steps-{i}-offset_days": str(10 if step.code == "dpd-7" else step.offset_days),
                f"steps-{i}-purpose": step.purpose,
                f"steps-{i}-channels": step.channels,
                f"steps-{i}-onsite_service_only": "on" if step.onsite_service_only else "",
                f"steps-{i}-min_risk_band": step.min_risk_band,
                f"steps-{i}-is_active": "on",
            }
        )

    response = officer_client.post(f"/admin/notices/escalationladder/{ladder.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert ladder.steps.get(code="dpd-7").offset_days == 10
    event = AuditEvent.objects.filter(action="ladder.changed", object_id=str(ladder.pk)).get()
    assert event.data["changed_steps"] == ["dpd-7"]


def test_ladder_step_needs_texts_in_use_for_its_channels():
    ladder = EscalationLadder.objects.get(product__isnull=True)
    data = {"code": "dpd-5", "anchor": "dpd", "offset_days": 5, "purpose": "overdue_reminder", "is_active": True}

    form = LadderStepForm(data={**data, "channels": ["letter"]}, instance=LadderStep(ladder=ladder))
    assert not form.is_valid()
    assert "Add one first" in " ".join(form.errors["channels"])

    form = LadderStepForm(data={**data, "channels": ["sms", "email"]}, instance=LadderStep(ladder=ladder))
    assert form.is_valid(), form.errors


def test_ladder_step_offset_must_fit_the_anchor():
    form = LadderStepForm(
        data={"code": "x", "anchor": "dpd", "offset_days": 0, "purpose": "overdue_banner", "channels": ["in_app"]}
    )
    assert not form.is_valid() and "offset_days" in form.errors


# --- contact rule tightening ------------------------------------------------------------------
def tightening_form(**values):
    data = {"product": make_product().pk, "jurisdiction": "CN"}
    data.update(values)
    return ContactRuleTighteningForm(data=data)


def test_tightening_refuses_an_earlier_window_start_for_cn():
    form = tightening_form(window_start="07:00")
    assert not form.is_valid()
    assert "cannot loosen below the statutory value" in " ".join(form.errors["window_start"]).lower()
    assert "08:00" in " ".join(form.errors["window_start"])


def test_tightening_accepts_a_later_window_start_for_cn():
    form = tightening_form(window_start="09:00", window_end="20:00", cn_daily_unanswered_cap=3, visit_min_staff=3)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("jurisdiction", "values", "field"),
    [
        ("CN", {"window_end": "22:30"}, "window_end"),
        ("US-REGF", {"window_end": "21:30"}, "window_end"),
        ("CN", {"cn_daily_unanswered_cap": 7}, "cn_daily_unanswered_cap"),
        ("CN", {"cn_daily_connected_cap": 4}, "cn_daily_connected_cap"),
        ("US-REGF", {"us_calls_per_7_days": 8}, "us_calls_per_7_days"),
        ("CN", {"visit_min_staff": 1}, "visit_min_staff"),
    ],
)
def test_tightening_refuses_every_loosening(jurisdiction, values, field):
    form = tightening_form(jurisdiction=jurisdiction, **values)
    assert not form.is_valid()
    assert "cannot loosen below the statutory value" in " ".join(form.errors[field]).lower()


def test_tightening_refuses_limits_the_jurisdiction_does_not_apply():
    form = tightening_form(us_calls_per_7_days=3)
    assert not form.is_valid() and "does not apply" in " ".join(form.errors["us_calls_per_7_days"])


def test_tightening_refuses_an_empty_window():
    form = tightening_form(window_start="21:00", window_end="10:00")
    assert not form.is_valid() and "window_end" in form.errors


def test_compliance_officer_tightens_through_the_admin(officer_client):
    product = make_product()
    url = "/admin/notices/contactruletightening/add/"

    refused = officer_client.post(url, {"product": product.pk, "jurisdiction": "CN", "window_start": "07:00"})

    assert refused.status_code == 200
    assert "cannot loosen below the statutory value" in refused.content.decode().lower()
    assert not ContactRuleTightening.objects.exists()

    accepted = officer_client.post(url, {"product": product.pk, "jurisdiction": "CN", "window_start": "09:00"})

    assert accepted.status_code == 302
    rule = ContactRuleTightening.objects.get(product=product)
    assert rule.window_start == time(9, 0) and rule.window_end is None
    assert rule.updated_by == officer_client.user
    event = AuditEvent.objects.filter(action="contact_rules.tightened", object_id=str(rule.pk)).get()
    assert event.data["values"]["window_start"] == "09:00:00"


@pytest.mark.parametrize("model", ["noticetemplate", "escalationladder", "contactruletightening"])
def test_admin_lists_keep_their_query_count(officer_client, django_assert_max_num_queries, model):
    ContactRuleTightening.objects.create(product=make_product(), jurisdiction="CN", window_start=time(9))
    ContactRuleTightening.objects.create(product=make_product(), jurisdiction="US-REGF", us_calls_per_7_days=5)
    with django_assert_max_num_queries(12):
        response = officer_client.get(f"/admin/notices/{model}/")
    assert response.status_code == 200


def test_ladder_change_page_shows_the_steps(officer_client):
    ladder = EscalationLadder.objects.get(product__isnull=True)
    page = officer_client.get(f"/admin/notices/escalationladder/{ladder.pk}/change/").content.decode()
    assert "grace-end" in page and "dpd-60" in page
