"""Celery app: Redis broker from the environment; eager when no broker is configured."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("tdv213")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
