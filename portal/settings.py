"""Fairdue settings: one module, every value from the environment.

The embedded default (``make run``/``make test``) needs no servers: SQLite and a
file-based Celery broker under ``var/``. ``DJANGO_ENV=production`` refuses to start
without an explicit secret key, database URL and allowed hosts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"
VAR_DIR = Path(env.str("FAIRDUE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _require(name: str) -> None:
    if PRODUCTION and not env.str(name, default=""):
        raise ImproperlyConfigured(f"{name} must be set explicitly when DJANGO_ENV=production (see .env.example).")


for _name in ("DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY"):
    _require(_name)


def _generated_secret(filename: str, factory) -> str:  # type: ignore[no-untyped-def]
    """Embedded default only: a secret generated once and kept under var/."""
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(factory())
        path.chmod(0o600)
    return path.read_text().strip()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _generated_secret(
    "secret_key", lambda: secrets.token_urlsafe(64)
)
# Key for personal data encrypted at rest (national ID numbers). Comma-separated list:
# the first key encrypts, all keys decrypt (rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY", default=[]) or [
    _generated_secret("field_encryption_key", _fernet_key)
]

# Off unless a developer opts in (DJANGO_DEBUG=1 in .env): Django's technical pages list the
# URL patterns and settings, and the branded error pages are only seen with DEBUG off.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off when DJANGO_ENV=production.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Default: the address `make run` serves (WEB_PORT).
SITE_URL = env.str("FAIRDUE_SITE_URL", default="") or f"http://127.0.0.1:{env.str('WEB_PORT', default='') or '8000'}"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "portal.app_configs.AxesConfig",
    "django_otp",
    "portal.app_configs.OtpStaticConfig",
    "portal.app_configs.OtpTotpConfig",
    "django_celery_beat",
    "import_export",
    "csp",
    # Project apps, in dependency order (each depends only on those above it).
    "core",
    "audit",
    "accounts",
    "contracts",
    "notices",
    "appeals",
    "payments",
    "cases",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Refuses oversized API bodies before anything reads them (translated, so after locale).
    "core.http_limits.ApiBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must be last: it turns lockouts raised during authentication into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                "portal.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'fairdue.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers (web, worker and beat share one file), so
    # the sealer never races another writer; WAL lets readers run beside a writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file (not :memory:) so that a real Celery worker started by a test sees the data;
    # one per test process so that concurrent runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_fairdue_{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# django-redis reads Redis being down as a cache miss (logged): sessions load from the database,
# throttles count nothing, pages and payments keep working (tests/faults/test_redis_down.py).
REDIS_CACHE_OPTIONS = {
    "IGNORE_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT_SECONDS", default=0.5),
    "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT_SECONDS", default=1.0),
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "portal.cache"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
    if DJANGO_ENV == "test":
        # Parallel test processes share one Redis: each keeps to its own keys.
        CACHES["default"]["KEY_PREFIX"] = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Live progress of background imports, read by the web process while a worker imports: Redis
# when there is one, else a file-based cache every local process shares.
if REDIS_URL:
    CACHES["progress"] = {**CACHES["default"], "KEY_PREFIX": f"{CACHES['default'].get('KEY_PREFIX', '')}progress"}
else:
    CACHES["progress"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env.str(
            "PROGRESS_CACHE_DIR",
            # Parallel test processes (and the workers they start) each keep their own folder.
            default=str(
                VAR_DIR
                / "cache"
                / (
                    "progress"
                    if DJANGO_ENV != "test"
                    else f"progress-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
                )
            ),
        ),
    }

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailOrPhoneBackend",
    "accounts.backends.LoginCodeBackend",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Inactivity expiry: the cookie age is renewed on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# Idle expiry is kept by accounts.middleware.SessionIdleMiddleware: a request that changes
# nothing re-saves the session only once its last save is this old (no write per page).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_IDLE_REFRESH_SECONDS = env.int("SESSION_IDLE_REFRESH_SECONDS", default=60)
# Sessions are read from the cache (the database stays the record). A cache shared by every
# web process is needed for that: Redis, or local memory where there is one process (the
# embedded default, tests). A production without Redis reads them from the database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL or not PRODUCTION
    else "django.contrib.sessions.backends.db"
)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
# Per account: mobile customers share carrier-grade NAT addresses, so locking by IP
# would lock out strangers; the per-account limit is what stops password guessing.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006", *env.list("DJANGO_SILENCED_SYSTEM_CHECKS", default=[])]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.identifiers.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Fairdue"
PHONENUMBER_DEFAULT_REGION = "CN"

# --- I18N -------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("FAIRDUE_TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders in development
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Uploaded evidence and generated letters live outside the web root and are served
        # only through views that check access.
        "OPTIONS": {"location": str(VAR_DIR / "private")},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email ------------------------------------------------------------------------------
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Fairdue <no-reply@fairdue.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# The domain of every notice's stable Message-ID (<sha256(idempotency key)[:32]@domain>).
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="fairdue.notices")

# --- Regulation F validation notices (US customers; notices/validation.py) -------------------
# The debt collector named on the notice, where the tear-off form is mailed, and how to call.
VALIDATION_COLLECTOR_NAME = env.str("VALIDATION_COLLECTOR_NAME", default="Fairdue Collections")
VALIDATION_COLLECTOR_ADDRESS = env.str(
    "VALIDATION_COLLECTOR_ADDRESS", default="Fairdue Collections, PO Box 1000, Springfield, IL 62701"
)
VALIDATION_COLLECTOR_PHONE = env.str("VALIDATION_COLLECTOR_PHONE", default="(800) 555-0100")
VALIDATION_COLLECTOR_HOURS = env.str(
    "VALIDATION_COLLECTOR_HOURS", default="Monday to Friday 8 a.m. to 8 p.m. Central Time"
)

# --- Outbox delivery (notices.services.delivery) ------------------------------------------
# Rows per delivery task (the relay and every writer fan out in batches of this size), how
# long a worker's claim on a batch holds (renewed as it goes), after how long a row queued
# but never claimed is queued again (its task was lost), and outcomes recorded per commit.
DELIVERY_BATCH_SIZE = env.int("DELIVERY_BATCH_SIZE", default=100)
DELIVERY_LEASE_SECONDS = env.int("DELIVERY_LEASE_SECONDS", default=30)
DELIVERY_REQUEUE_AFTER_SECONDS = env.int("DELIVERY_REQUEUE_AFTER_SECONDS", default=45)
DELIVERY_RECORD_EVERY = env.int("DELIVERY_RECORD_EVERY", default=50)

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_QUEUE_DIR = Path(env.str("FAIRDUE_CELERY_DIR", default=str(VAR_DIR / "celery")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (CELERY_QUEUE_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Deliveries may go to their own queue (workers then consume it with ``-Q celery,<queue>``);
# by default they share the default queue.
CELERY_DELIVERY_QUEUE = env.str("CELERY_DELIVERY_QUEUE", default="celery")
CELERY_TASK_ROUTES = {"notices.tasks.deliver_notices": {"queue": CELERY_DELIVERY_QUEUE}}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
HEARTBEAT_SECONDS = env.float("FAIRDUE_HEARTBEAT_SECONDS", default=60.0)
# Defined in code; editable in the admin afterwards (django-celery-beat).
CELERY_BEAT_SCHEDULE = {
    "system-heartbeat": {"task": "portal.tasks.system_heartbeat", "schedule": HEARTBEAT_SECONDS},
    # Closes yesterday (the last complete business day) and decides the ladder's notices,
    # split into id-range tasks.
    "sweep-and-notify-nightly": {
        "task": "notices.tasks.sweep_and_notify",
        "schedule": crontab(hour=0, minute=30),
    },
    # Re-queues outbox rows that are due (deferred to 08:00, retries) or whose task was lost.
    "checkout-expire": {"task": "portal.tasks.checkout_expire", "schedule": 300.0},
    "appeals-sla-check": {"task": "appeals.tasks.sla_check", "schedule": crontab(minute=5)},
    # US debts: the validation notice within five days of the initial communication.
    "validation-notices-due": {"task": "notices.tasks.validation_notices_due", "schedule": crontab(minute="*/15")},
    # Webhook deliveries whose retry time came or whose task was lost.
    "webhooks-relay": {
        "task": "accounts.tasks.webhooks_relay",
        "schedule": env.float("WEBHOOK_RELAY_SECONDS", default=30.0),
    },
    "outbox-relay": {"task": "notices.tasks.outbox_relay", "schedule": env.float("OUTBOX_RELAY_SECONDS", default=15.0)},
    # The audit sealer: nudged after every audited commit, and on this beat as a backstop;
    # hourly a full pass picks up any event committed very late.
    "audit-seal": {"task": "audit.tasks.audit_seal", "schedule": env.float("AUDIT_SEAL_SECONDS", default=5.0)},
    "audit-seal-full": {"task": "audit.tasks.audit_seal", "schedule": crontab(minute=15), "kwargs": {"full": True}},
    # Deletes communication records past retention and anonymises closed customers (PIPL).
    "retention-run": {"task": "notices.tasks.retention_run", "schedule": crontab(hour=3, minute=30)},
}

# --- Audit log keys and checkpoints (outside the database; see audit/keys.py) ---------------
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default="")
AUDIT_SIGNING_KEY = env.str("AUDIT_SIGNING_KEY", default="")
AUDIT_SIGNING_KEY_FILE = env.str("AUDIT_SIGNING_KEY_FILE", default="")
AUDIT_CHECKPOINT_DIR = env.str("AUDIT_CHECKPOINT_DIR", default=str(VAR_DIR / "audit" / "checkpoints"))
AUDIT_CHECKPOINT_EVERY = env.int("AUDIT_CHECKPOINT_EVERY", default=1000)
AUDIT_CHECKPOINT_SECONDS = env.int("AUDIT_CHECKPOINT_SECONDS", default=60)
# An event committed but not sealed after this long is reported by audit_verify.
AUDIT_SEAL_MAX_LAG_SECONDS = env.int("AUDIT_SEAL_MAX_LAG_SECONDS", default=3600)

# Dispute/complaint remedies above this amount need a second approver.
APPEALS_SECOND_APPROVAL_ABOVE = env.str("APPEALS_SECOND_APPROVAL_ABOVE", default="500.00")
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)

# --- API request limits (core.http_limits) ------------------------------------------------
# Largest JSON or form body, largest multipart body (evidence: 5 files plus the form) and
# deepest JSON nesting an API accepts; larger bodies get 413, deeper JSON a coded 400.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
API_MAX_UPLOAD_BYTES = env.int("API_MAX_UPLOAD_BYTES", default=5 * EVIDENCE_MAX_BYTES + 1024 * 1024)
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)

# Days-past-due buckets: (label, first day, last day or None).
# The nightly batch: contracts per id range (one Celery task each), and whether PostgreSQL
# closes the days with set-based statements (the ledger engine otherwise).
SWEEP_RANGE_SIZE = env.int("SWEEP_RANGE_SIZE", default=10000)
SWEEP_SET_BASED = env.bool("SWEEP_SET_BASED", default=True)
DELINQUENCY_BUCKETS = [("M0", 0, 0), ("M1", 1, 30), ("M2", 31, 60), ("M3", 61, 90), ("M4", 91, 180), ("M5+", 181, None)]

# --- The early-warning score (contracts/risk, docs/REPORTS.md) ----------------------------
# Probability of reaching 30 days past due in the next cycle at or above which a contract is
# "medium" / "high" risk; whether the nightly batch scores contracts; the history a trained
# model needs (labelled samples, and those that reached 30 days past due) before it may
# replace the rule score; the model report's folder.
RISK_BAND_MEDIUM = env.float("RISK_BAND_MEDIUM", default=0.15)
RISK_BAND_HIGH = env.float("RISK_BAND_HIGH", default=0.35)
RISK_SCORING_NIGHTLY = env.bool("RISK_SCORING_NIGHTLY", default=True)
RISK_MODEL_MIN_SAMPLES = env.int("RISK_MODEL_MIN_SAMPLES", default=500)
RISK_MODEL_MIN_POSITIVES = env.int("RISK_MODEL_MIN_POSITIVES", default=30)
RISK_MODEL_REPORT_DIR = Path(env.str("RISK_MODEL_REPORT_DIR", default="") or str(VAR_DIR / "reports"))

# --- REST framework ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.api_auth.ApiClientRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Cursor",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "DEFAULT_PARSER_CLASSES": [
        "core.http_limits.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.FairdueAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fairdue API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Customers, contracts, payments, balances and payoff quotes, service eligibility, notices, "
        "appeals, delinquency events, webhooks and bulk import. Systems authenticate with a client "
        "token (Authorization: Bearer fd_…) whose scopes each operation names; the portal's own pages "
        "use the session. Errors: {code, message, field, field_errors}. See docs/API.md."
    ),
    # Swagger UI and Redoc from the vendored sidecar package (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "ENUM_NAME_OVERRIDES": {
        "ImportKindEnum": "contracts.imports.columns.KIND_CHOICES",
        "CaseKindEnum": "appeals.models.CaseKind",
    },
}
API_SESSION_RATE_PER_MINUTE = env.int("API_SESSION_RATE_PER_MINUTE", default=600)
# Outbound webhooks: retries with exponential backoff, then the dead letter.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
# Plain http:// endpoints only outside production (a local receiver in development and tests).
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=not PRODUCTION)
# Receivers on loopback/private networks outside production only (accounts/webhook_targets.py).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=not PRODUCTION)

# --- Security (production) ---------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probed by the proxy inside the network
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts, styles and fonts only from our own static files (vendored Bootstrap and htmx): no
# inline script, no style attribute, no CDN. data: images are Bootstrap's CSS icons. A
# response that sets its own policy (evidence files: "sandbox") keeps it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Powerful browser features the portal never uses, switched off for every page.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Request rate limits (core.throttle; counted in the cache) ----------------------------
# Sign-in code requests per client IP and per mobile number, and checkout starts per client
# IP and per account, each per window of seconds. IPs are generous: carrier NAT is shared.
RATE_LIMIT_LOGIN_CODE_PER_IP = env.int("RATE_LIMIT_LOGIN_CODE_PER_IP", default=30)
RATE_LIMIT_LOGIN_CODE_PER_NUMBER = env.int("RATE_LIMIT_LOGIN_CODE_PER_NUMBER", default=5)
RATE_LIMIT_LOGIN_CODE_WINDOW_SECONDS = env.int("RATE_LIMIT_LOGIN_CODE_WINDOW_SECONDS", default=15 * 60)
RATE_LIMIT_CHECKOUT_PER_IP = env.int("RATE_LIMIT_CHECKOUT_PER_IP", default=60)
RATE_LIMIT_CHECKOUT_PER_ACCOUNT = env.int("RATE_LIMIT_CHECKOUT_PER_ACCOUNT", default=10)
RATE_LIMIT_CHECKOUT_WINDOW_SECONDS = env.int("RATE_LIMIT_CHECKOUT_WINDOW_SECONDS", default=10 * 60)

# --- SMS --------------------------------------------------------------------------------
# Embedded default: one JSON file per message under var/sms/ (no gateway needed).
SMS_BACKEND = env.str("SMS_BACKEND", default="notices.channels.sms.FileSmsBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_KEY_ID = env.str("SMS_GATEWAY_KEY_ID", default="")
SMS_GATEWAY_SECRET = env.str("SMS_GATEWAY_SECRET", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)
# Retries inside one send (sleeping, outside any transaction); 0: the outbox reschedules
# the notice with backoff instead, which frees the worker.
SMS_GATEWAY_RETRIES = env.int("SMS_GATEWAY_RETRIES", default=0)
# Rate limits that hold across all workers (a token bucket in the cache, Redis in production):
# requests per second to the gateway, and messages per minute to one number.
SMS_GATEWAY_RATE = env.float("SMS_GATEWAY_RATE", default=50.0)
SMS_PER_NUMBER_PER_MINUTE = env.float("SMS_PER_NUMBER_PER_MINUTE", default=2.0)
# Every communication record is kept at least this many years after the last collection
# activity on the debt (12 CFR 1006.100); never below 3 (system check notices.E001).
COMMUNICATION_RETENTION_YEARS = env.int("COMMUNICATION_RETENTION_YEARS", default=3)
# A closed customer's personal data is anonymised this many years after the last collection
# activity (never sooner than the communication records' retention): notices.retention_job.
CUSTOMER_RETENTION_YEARS = env.int("CUSTOMER_RETENTION_YEARS", default=5)
# The lender's own end of the day for staff and agency phone calls (HH:MM, customer's local
# time), earlier than the law's where it is later: the industry convention for collection
# calls is 08:00-21:00 (NIFA self-discipline convention); the law's window (CN 22:00, US 21:00)
# still applies to everything else. Never later than the law (the engine refuses a loosening).
STAFF_CALL_WINDOW_END = env.str("STAFF_CALL_WINDOW_END", default="21:00")
# Field visits (上门走访): only past this many days past due, after this many failed remote
# contacts (calls not answered, voicemail, wrong or dead numbers, refused), in these local hours
# of the customer (a visit of FIELD_VISIT_MINUTES must end by the end), never on a public
# holiday, and announced to the customer at least FIELD_VISIT_NOTICE_HOURS before.
FIELD_VISIT_MIN_DAYS_PAST_DUE = env.int("FIELD_VISIT_MIN_DAYS_PAST_DUE", default=30)
FIELD_VISIT_MIN_FAILED_CONTACTS = env.int("FIELD_VISIT_MIN_FAILED_CONTACTS", default=3)
FIELD_VISIT_HOURS = env.str("FIELD_VISIT_HOURS", default="09:00-18:00")
FIELD_VISIT_MINUTES = env.int("FIELD_VISIT_MINUTES", default=60)
FIELD_VISIT_NOTICE_HOURS = env.int("FIELD_VISIT_NOTICE_HOURS", default=24)
SMS_DAILY_LIMIT_PER_NUMBER = env.int("SMS_DAILY_LIMIT_PER_NUMBER", default=10)
# Delivery receipts are refused while this is empty.
SMS_RECEIPT_SECRET = env.str("SMS_RECEIPT_SECRET", default="")

# --- Payments ---------------------------------------------------------------------------
# sandbox (embedded default: a hosted test checkout inside the site) | alipay
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="sandbox")
# Signs sandbox callbacks (HMAC-SHA256). Empty: derived from SECRET_KEY (payments.providers).
PAYMENT_SANDBOX_SECRET = env.str("PAYMENT_SANDBOX_SECRET", default="")
# Unverifiable callbacks: at most one audit event per provider and remote address per window
# (seconds), carrying the count of refusals since the previous one.
PAYMENT_CALLBACK_REJECT_WINDOW_SECONDS = env.int("PAYMENT_CALLBACK_REJECT_WINDOW_SECONDS", default=600)
ALIPAY_APP_ID = env.str("ALIPAY_APP_ID", default="")
ALIPAY_GATEWAY_URL = env.str("ALIPAY_GATEWAY_URL", default="https://openapi.alipay.com/gateway.do")
# PEM text; "\n" escapes are turned into line breaks.
ALIPAY_APP_PRIVATE_KEY_PEM = env.str("ALIPAY_APP_PRIVATE_KEY_PEM", default="", multiline=True)
ALIPAY_PUBLIC_KEY_PEM = env.str("ALIPAY_PUBLIC_KEY_PEM", default="", multiline=True)
