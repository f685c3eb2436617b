"""Trying the app on a laptop: SQLite and eager tasks unless the environment says otherwise."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# No collected files outside production: WhiteNoise serves straight from the finders.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Trying the app with the demo logins needs no authenticator app; set TWO_FACTOR_REQUIRED_ROLES
# (e.g. in .env) to try two-step login. Production requires it by default (base.py).
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=[])
