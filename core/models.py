from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """Liveness of periodic machinery (Celery beat → worker), shown to staff."""

    name = models.CharField(max_length=50, unique=True)
    last_seen_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("heartbeat")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen_at:%Y-%m-%d %H:%M:%S}"
