from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Heartbeat


@transaction.atomic
def heartbeat_record(*, name: str) -> Heartbeat:
    """Operational telemetry, not a business state change: deliberately not audited
    (a row a minute would drown the trail)."""
    now = timezone.now()
    updated = Heartbeat.objects.filter(name=name).update(last_seen_at=now, count=F("count") + 1)
    if not updated:
        Heartbeat.objects.get_or_create(name=name, defaults={"last_seen_at": now, "count": 1})
    return Heartbeat.objects.get(name=name)
