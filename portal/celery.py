"""The one Celery app: JSON only, time limits from settings, tasks auto-discovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("fairdue")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
