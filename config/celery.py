"""Celery app: Redis broker from the environment; eager when no broker is configured.

Work is queued through the outbox (hangdoi.enqueue), not with .delay(): a task survives a broker
that is down at the commit, and one lost with a killed worker is handed out again by hangdoi's
worker-start hook and periodic recovery rather than after Redis's 12-hour visibility timeout.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("tdv213")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
