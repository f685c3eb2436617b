"""A real Celery worker process for the outbox tests: the test database, the test's own throwaway
Redis as broker and cache, its files and e-mail in the test's folders."""

import os

from config.settings.test import *  # noqa: F401,F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["TEST_BROKER_URL"]
CACHES = {"default": {"BACKEND": "common.cache.RedisCache", "LOCATION": os.environ["TEST_BROKER_URL"]}}
PRIVATE_MEDIA_ROOT = os.environ["TEST_PRIVATE_MEDIA_ROOT"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["TEST_EMAIL_DIR"]
