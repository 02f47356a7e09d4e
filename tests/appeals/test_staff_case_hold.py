"""The staff case page says when collection on the contract is on hold: what, since when, why."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from contracts.models import CollectionHold
from tests.appeals.test_appeal_views import file_complaint, file_dispute, overdue, staff_client

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_the_active_collection_hold_with_its_date_and_reason():
    contract = overdue()
    case = file_dispute(contract)
    hold = CollectionHold.objects.get(contract=contract, released_on__isnull=True)
    client, _agent = staff_client(Role.AGENT)
    page = html.unescape(client.get(reverse("staff:appeal_case", kwargs={"pk": case.pk})).content.decode())
    banner = page.split(f'id="collection-hold-{hold.pk}"', 1)[1].split("</div>", 1)[0]
    assert contract.number in banner and "催收暂停中" in banner
    assert timezone.localtime(hold.placed_on).strftime("%Y-%m-%d %H:%M") in banner
    assert "异议处理中" in banner
    assert "由本案发起" in banner
    assert 'id="customer-footer"' not in page  # staff pages carry no customer footer


def test_no_hold_banner_when_collection_runs():
    case = file_complaint(overdue().customer)
    client, _agent = staff_client(Role.AGENT)
    page = client.get(reverse("staff:appeal_case", kwargs={"pk": case.pk})).content.decode()
    assert "collection-hold-" not in page
