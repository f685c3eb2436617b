"""The app as production runs it, for the gunicorn of the PostgreSQL restart test: production's
settings, the database's included (CONN_MAX_AGE, CONN_HEALTH_CHECKS), with static files served from
the finders (no collectstatic) and no two-factor step for the test's session."""

from config.settings.production import *  # noqa: F401,F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
TWO_FACTOR_REQUIRED_ROLES = []
