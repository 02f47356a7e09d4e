"""Inconvenient-time ranges are capped: by the form, by the model's clean and on every save."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import MAX_INCONVENIENT_TIMES, ContactPreference
from accounts.services import contact_preference_update
from core.errors import ApplicationError
from portal.forms import PreferencesForm
from tests.accounts.factories import make_customer
from tests.portal.test_customer_pages import customer_client

pytestmark = pytest.mark.django_db

RANGES = [f"{hour:02d}:00-{hour:02d}:30" for hour in range(24)]


def form_data(ranges: list[str]) -> dict[str, object]:
    return {"preferred_channel": "sms", "opt_outs": [], "inconvenient_times": "\n".join(ranges), "language": "zh-hans"}


def test_the_form_accepts_up_to_the_cap_and_refuses_more():
    assert PreferencesForm(form_data(RANGES[:MAX_INCONVENIENT_TIMES])).is_valid()
    form = PreferencesForm(form_data(RANGES[: MAX_INCONVENIENT_TIMES + 1]))
    assert not form.is_valid() and "inconvenient_times" in form.errors


def test_the_form_refuses_a_huge_text():
    form = PreferencesForm(form_data(["12:00-13:00", "1" * 100_000]))
    assert not form.is_valid() and "inconvenient_times" in form.errors


def test_the_page_refuses_too_many_ranges_and_saves_nothing():
    me = make_customer()
    response = customer_client(me).post(reverse("portal:preferences"), form_data(RANGES[:20]))
    assert response.status_code == 200 and "inconvenient_times" in response.context["form"].errors
    assert not ContactPreference.objects.filter(profile=me, inconvenient_times__len__gt=0).exists()


def test_the_service_path_is_capped_by_the_model():
    me = make_customer()
    with pytest.raises(ApplicationError) as caught:
        contact_preference_update(
            actor=me.user, profile=me, preferred_channel="sms", opt_outs=[], inconvenient_times=RANGES
        )
    assert caught.value.code == "too_many_time_ranges" and caught.value.field == "inconvenient_times"
    preference = ContactPreference.objects.filter(profile=me).first()
    assert preference is None or len(preference.inconvenient_times) <= MAX_INCONVENIENT_TIMES


def test_model_clean_refuses_too_many_ranges():
    preference = ContactPreference(profile=make_customer(), inconvenient_times=RANGES)
    with pytest.raises(ValidationError) as caught:
        preference.clean()
    assert "inconvenient_times" in caught.value.message_dict
