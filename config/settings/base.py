"""Settings shared by every environment; values come from the environment (django-environ)."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "treebeard",
    "simple_history",
    "django_filters",
    "django_celery_beat",
    "health_check",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "common",
    "taikhoan",
    "nhatky",
    "quydinh",
    "chibo",
    "dangvien",
    "nhanxet",
    "vanban",
    "baocao",
    "nhacviec",
    "nhapdulieu",
    "hangdoi",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "taikhoan.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Embedded default: SQLite when no DATABASE_URL is given (for trying the app on a laptop).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "taikhoan.User"
# django-axes first (it refuses a locked-out username before any password is checked), then
# ModelBackend with the request's user read by a prepared statement (taikhoan/backends.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "taikhoan.backends.UserBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "taikhoan.validators.CharacterClassesValidator", "OPTIONS": {"classes": 3}},
]
# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username, that
# username is refused for AXES_COOLOFF_MINUTES whatever the password, from any address (so a
# password can't be guessed by spreading tries over many addresses); a right password resets it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# Not also per address (axes.W006): a party office's clerks share one address behind its router,
# and a few typos among them would lock the whole office out, right passwords included. Guessing
# one account's password is stopped by the username lock from any address; trying one password on
# many accounts by the 3-kinds, 10-character rule and, for the roles that see many members, the
# second factor.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "taikhoan/locked.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Two-factor login (TOTP, django-otp): users holding any of these roles anywhere, and staff
# accounts when "admin" is listed, must confirm a code from an authenticator app after the password.
TWO_FACTOR_REQUIRED_ROLES = env.list(
    "TWO_FACTOR_REQUIRED_ROLES", default=["clerk", "signing_secretary", "board_viewer", "admin"]
)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="QĐ 213")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGIN_URL = "taikhoan:login"
LOGIN_REDIRECT_URL = "taikhoan:home"
LOGOUT_REDIRECT_URL = "taikhoan:login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# An empty value (as `.env.example` lists them) means the default, not the current folder.
STATIC_ROOT = env("STATIC_ROOT", default="") or str(BASE_DIR / "staticfiles")
MEDIA_ROOT = env("MEDIA_ROOT", default="") or str(BASE_DIR / "media")
MEDIA_URL = "/media/"
# Stamps, signatures, archived PDFs and scans: outside any public URL, served only by
# permission-checked views.
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", default="") or str(BASE_DIR / "private")
UPLOAD_IMAGE_MAX_BYTES = env.int("UPLOAD_IMAGE_MAX_BYTES", default=2 * 1024 * 1024)
UPLOAD_SCAN_MAX_BYTES = env.int("UPLOAD_SCAN_MAX_BYTES", default=10 * 1024 * 1024)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Text channels for notices, each an HTTP gateway (POST {"to", "text"}, bearer token). Left
# empty, the channel reports itself as not configured and sends nothing.
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
ZALO_GATEWAY_URL = env("ZALO_GATEWAY_URL", default="")
ZALO_GATEWAY_TOKEN = env("ZALO_GATEWAY_TOKEN", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Scripts only from our own static files: no inline script or handler anywhere (a test reads every
# template). Styles allow inline attributes (progress bars' widths), never scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Redis: cache and Celery broker. With no REDIS_URL the cache is local memory and
# Celery runs tasks eagerly in the web process (the embedded default).
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "common.cache.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read from Redis and written through to the database: one query less on
    # every request (the evaluation form autosaves often), none lost if Redis restarts.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing fails fast when Redis is away (one quick reconnect, a short connect timeout): the
# task waits in the outbox (hangdoi) instead of a web request waiting for the broker. The
# worker's own connection keeps retrying under broker_connection_retry as before.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 12 * 3600,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_connect_timeout": 2,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Domain settings (not constants: they differ between places and change with regulations).
INTRODUCTION_DAYS_LIMIT = env.int("INTRODUCTION_DAYS_LIMIT", default=30)
# Days after a half-year ends during which its meetings can still be scheduled and held
# (a year-end meeting in early January); after that the half-year is closed.
MEETING_HALF_YEAR_GRACE_DAYS = env.int("MEETING_HALF_YEAR_GRACE_DAYS", default=31)
# Formality flags on the boards' dashboards (docs/regulations.md): a residence branch with at least
# FORMALITY_MIN_FORMS signed yearly forms is flagged when the share of its forms that have
# identical free remarks, every criterion at the top level, no Front-committee meeting recorded
# by the day of signing, or a fill of under FORMALITY_QUICK_FILL_SECONDS reaches its threshold.
FORMALITY_MIN_FORMS = env.int("FORMALITY_MIN_FORMS", default=5)
FORMALITY_IDENTICAL_REMARKS_SHARE = env.float("FORMALITY_IDENTICAL_REMARKS_SHARE", default=0.5)
FORMALITY_ALL_TOP_SHARE = env.float("FORMALITY_ALL_TOP_SHARE", default=0.9)
FORMALITY_NO_FRONT_SHARE = env.float("FORMALITY_NO_FRONT_SHARE", default=0.01)
FORMALITY_QUICK_FILL_SECONDS = env.int("FORMALITY_QUICK_FILL_SECONDS", default=30)
FORMALITY_QUICK_FILL_SHARE = env.float("FORMALITY_QUICK_FILL_SHARE", default=0.5)
MEMBER_LIST_PAGE_SIZE = env.int("MEMBER_LIST_PAGE_SIZE", default=50)
MEMBER_LIST_COUNT_LIMIT = env.int("MEMBER_LIST_COUNT_LIMIT", default=1000)
# Member lists uploaded for import: the largest file, its rows, what an .xlsx may unpack to (zip
# bombs), and how many problems a dry run keeps to show (all are counted).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=300 * 1024 * 1024)
IMPORT_PROBLEMS_KEPT = env.int("IMPORT_PROBLEMS_KEPT", default=5000)
# The proxies whose X-Forwarded-For is believed (common/http.py: the client's address for the
# access log, the login lockout and the health report's network check); none by default.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "common.http.client_ip"
# /suc-khoe/ (common/health.py): who may read it besides staff, and its limits.
HEALTH_CHECK_ALLOWED_NETS = env.list("HEALTH_CHECK_ALLOWED_NETS", default=["127.0.0.0/8", "::1/128"])
HEALTH_WORKER_PING_SECONDS = env.float("HEALTH_WORKER_PING_SECONDS", default=1.0)
HEALTH_BEAT_MAX_AGE_SECONDS = env.int("HEALTH_BEAT_MAX_AGE_SECONDS", default=600)
HEALTH_OUTBOX_MAX_AGE_SECONDS = env.int("HEALTH_OUTBOX_MAX_AGE_SECONDS", default=300)
# Personal data (Law 91/2025/QH15): how long the access log (who read whose record, exports,
# downloads) and django-axes' login records are kept; a daily task deletes older rows. Audit
# records of writes are kept for good.
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=730)
LOGIN_LOG_RETENTION_DAYS = env.int("LOGIN_LOG_RETENTION_DAYS", default=365)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO, django-axes every login.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
