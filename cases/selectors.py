from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import CustomerProfile, User

from .models import FieldVisit, VisitStatus


def visits_for_customer(*, profile: CustomerProfile) -> QuerySet[FieldVisit]:
    """Upcoming visits with the officers' names and badge numbers (shown to the customer)."""
    officers = User.objects.select_related("staff_profile")
    return (
        FieldVisit.objects.filter(customer=profile, scheduled_for__gte=timezone.now() - dt.timedelta(days=1))
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("contract")
        .prefetch_related(Prefetch("officers", queryset=officers))
        .order_by("scheduled_for")
    )
