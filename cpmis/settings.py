"""Settings for cpmis, read from the environment.

Modes (CPMIS_MODE): ``production`` (default; SECRET_KEY required, 2FA enforced), ``demo``
(synthetic data, printed demo password, refuses to run with DEBUG off) and ``test``.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CPMIS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


# Only the environment chooses the mode: a library that happens to import pytest must not turn
# a production process into one with a known secret key (the suite sets CPMIS_MODE=test in
# tests/pytest_plugin.py, before Django loads these settings).
CPMIS_MODE = os.environ.get("CPMIS_MODE", "production")
if CPMIS_MODE not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"CPMIS_MODE must be production, demo or test, not {CPMIS_MODE!r}")
DEMO_MODE = CPMIS_MODE == "demo"

DEBUG = env_bool("DEBUG", default=DEMO_MODE)
if DEMO_MODE and not DEBUG:
    raise ImproperlyConfigured(
        "Demo mode refuses to run with DEBUG off: demo accounts share a printed password. "
        "Unset DEBUG (or set DEBUG=1) for a demo, or use CPMIS_MODE=production."
    )

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if CPMIS_MODE == "production":
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Generate one with\n"
            "  python -c 'import secrets; print(secrets.token_urlsafe(50))'\n"
            "and export it as SECRET_KEY (or run `cpmis demo` for a demo with synthetic data)."
        )
    # Demo and test only: never used with real data (production refuses to start without one).
    SECRET_KEY = "cpmis-insecure-" + CPMIS_MODE + "-key-not-for-real-data"
if CPMIS_MODE == "production":
    # DEBUG pages show settings, SQL and local variables (a child's name) to whoever causes
    # an error; a short key signs sessions and tracking codes that can then be guessed.
    if DEBUG:
        raise ImproperlyConfigured(
            "Production mode refuses to run with DEBUG on: error pages would show records and "
            "settings to anyone. Unset DEBUG (or set DEBUG=0), or run `cpmis demo`."
        )
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too short ({len(SECRET_KEY)} characters; production needs at "
            "least 50). Generate one with\n"
            "  python -c 'import secrets; print(secrets.token_urlsafe(50))'\n"
            "and export it as SECRET_KEY."
        )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
    "cpmis.core",
    "cpmis.audit",
    "cpmis.jobs",
    "cpmis.reference",
    "cpmis.accounts",
    "cpmis.people",
    "cpmis.legal",
    "cpmis.notifications",
    "cpmis.cases",
    "cpmis.complaints",
    "cpmis.exchange",
    "cpmis.linkage",
    "cpmis.indicators",
    "cpmis.oversight",
    "cpmis.reporting",
    "cpmis.field",
    "cpmis.backups",
    "cpmis.demo",
]

MIDDLEWARE = [
    # First and last: every request's time, status and view, for /metrics.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "cpmis.core.middleware.RequestSizeLimitMiddleware",
    "cpmis.core.middleware.SecurityHeadersMiddleware",
    "cpmis.audit.context.AuditContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cpmis.core.language.LanguageMiddleware",  # reads the user's own language setting
    "cpmis.core.digits.UrduDigitsMiddleware",  # a person's choice of Urdu digits
    # Inside CommonMiddleware, which sets Content-Length from what these two leave.
    "cpmis.core.middleware.BidiControlsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cpmis.accounts.middleware.SessionTimeoutMiddleware",
    "cpmis.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "cpmis.core.middleware.DomainErrorMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "cpmis.urls"
# What a person's home shows, in this order: each returns the panels it has for the request.
CPMIS_HOME_PANELS = [
    "cpmis.notifications.home.panels",
    "cpmis.cases.home.panels",
    "cpmis.complaints.home.panels",
    "cpmis.people.home.panels",
]
WSGI_APPLICATION = "cpmis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cpmis" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cpmis.core.context_processors.cpmis",
            ]
        },
    }
]

# Connections are kept for a minute by each server thread (a new PostgreSQL connection per
# request costs the database more CPU than the request itself) and checked before reuse.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cpmis.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL and a busy timeout let the web server and a command share the file.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"

# Two-factor authentication is required for roles that can see a child's record in production
# (demo accounts are synthetic and shared; tests turn it on where they test it).
CPMIS_REQUIRE_2FA = env_bool("CPMIS_REQUIRE_2FA", default=CPMIS_MODE == "production")
OTP_TOTP_ISSUER = "cpmis"

# Lockout after repeated failed logins (django-axes): per username, so a guesser cannot
# rotate addresses; an administrator unlocks with `cpmis manage axes_reset_username`.
AXES_FAILURE_LIMIT = env_int("CPMIS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CPMIS_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by address too would lock a whole office behind one NAT address after a few typos;
# per-address limits on the token endpoint come from DRF throttling instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cpmis.accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_code"]

# Sessions: idle timeout (default 15 minutes) and an absolute lifetime (default 10 hours).
CPMIS_SESSION_IDLE_SECONDS = env_int("CPMIS_SESSION_IDLE_SECONDS", 15 * 60)
CPMIS_SESSION_MAX_SECONDS = env_int("CPMIS_SESSION_MAX_SECONDS", 10 * 60 * 60)
# Offline casework on phones (cpmis.field, ADR 0020): the phone locks its store after this
# long without a touch, wipes it after this many wrong PINs, and sends this many actions a request.
CPMIS_FIELD_IDLE_LOCK_SECONDS = env_int("CPMIS_FIELD_IDLE_LOCK_SECONDS", 5 * 60)
CPMIS_FIELD_MAX_WRONG_PINS = env_int("CPMIS_FIELD_MAX_WRONG_PINS", 5)
CPMIS_FIELD_SYNC_BATCH = env_int("CPMIS_FIELD_SYNC_BATCH", 50)
SESSION_COOKIE_AGE = CPMIS_SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("CPMIS_SECURE_COOKIES", default=CPMIS_MODE == "production")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS. Production is served over TLS (its cookies are Secure), so a plain-HTTP request is
# redirected to https by default: a deployment without TLS then fails at once and visibly
# (a redirect nobody answers, or a loop behind a proxy not declared below) instead of quietly
# carrying passwords, tokens and children's records in clear text. CPMIS_SSL_REDIRECT=0 is for
# plain HTTP on a closed network (the benchmarks). Liveness and readiness probes often come
# over plain HTTP from inside the network and carry nothing, so they are never redirected.
SECURE_SSL_REDIRECT = env_bool("CPMIS_SSL_REDIRECT", default=CPMIS_MODE == "production")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# HSTS (sent on HTTPS answers only): a browser that had one uses nothing but HTTPS for a year.
# No preload: that is a promise about the whole domain, slow to take back, for its owner to make.
SECURE_HSTS_SECONDS = max(
    0, env_int("CPMIS_HSTS_SECONDS", 365 * 24 * 60 * 60 if CPMIS_MODE == "production" else 0)
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "CPMIS_HSTS_INCLUDE_SUBDOMAINS", default=CPMIS_MODE == "production"
)
SECURE_HSTS_PRELOAD = False
# Behind a proxy that terminates TLS every request arrives as plain HTTP; X-Forwarded-Proto
# says what the browser used, but only a proxy that overwrites the client's own header makes
# it true, so it is trusted only when the operator says so. A switch of its own, not implied
# by CPMIS_PROXY_COUNT: a proxy that appends to X-Forwarded-For need not set X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("CPMIS_PROXY_TLS_HEADER", False) else None
)
# What /readyz checks before a load balancer sends this process work (/healthz only says it
# is alive): functions returning (ok, detail), named in the answer by their last dotted part.
CPMIS_READINESS_CHECKS = ["cpmis.core.health.database"]

# Request bodies over this size are refused with a 400 before they are read.
CPMIS_MAX_BODY_BYTES = env_int("CPMIS_MAX_BODY_BYTES", 1024 * 1024)
# Department batches (files or JSON) may be larger; beyond this they are refused unread.
CPMIS_MAX_UPLOAD_BYTES = env_int("CPMIS_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
CPMIS_UPLOAD_PATHS = ("/exchange/submit/", "/api/exchange/submissions/")
DATA_UPLOAD_MAX_MEMORY_SIZE = CPMIS_MAX_UPLOAD_BYTES  # the middleware applies the real limits
FILE_UPLOAD_MAX_MEMORY_SIZE = CPMIS_MAX_BODY_BYTES

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ur", "اردو")]
# Every page in English and Urdu; cpmis/core/language.py chooses which for each request.
LOCALE_PATHS = [BASE_DIR / "cpmis" / "locale"]
LANGUAGE_COOKIE_NAME = "cpmis_language"
TIME_ZONE = "Asia/Karachi"  # display; datetimes are stored in UTC
USE_I18N = True
USE_TZ = True
# Day-first dates on every page (5 Dec 2026), whatever the language; see cpmis/formats.
FORMAT_MODULE_PATH = ["cpmis.formats"]

STATIC_URL = "/static/"
# `cpmis manage collectstatic` fills it for production. Importing settings creates nothing: the
# `cpmis` command creates this directory and the SQLite database's on start (cpmis/cli.py).
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "cpmis" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the apps when collectstatic was not run
# The web fonts are named by their content's hash (cpmis/core/webfonts.py): cached for a year.
WHITENOISE_IMMUTABLE_FILE_TEST = r"/cpmis/fonts/web/[a-z-]+\.[0-9a-f]{12}\.woff2$"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cpmis.accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "cpmis.core.api.Pagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "cpmis.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "10/minute", "field_status": "60/minute"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("CPMIS_API_TOKEN_HOURS", 10)),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 10,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "cpmis API",
    "DESCRIPTION": "Child Protection Management Information System. Every endpoint is scoped "
    "to what the authenticated user may see.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # No call to Swagger's online validator: offices may be on an intranet.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # One name per choice set where fields of the same name carry different sets (the
    # schema must generate without a warning: tests/test_openapi.py).
    "ENUM_NAME_OVERRIDES": {
        "RiskLevelEnum": "cpmis.cases.models.RiskLevel",
        "CaseReferenceKindEnum": "cpmis.cases.models.CaseReference.Kind",
        "PerpetratorSexEnum": ["female", "male", "unknown"],
        "ChannelEnum": "cpmis.complaints.models.Channel",
        "ComplaintStatusEnum": "cpmis.complaints.models.Status",
        "ReferralBodyEnum": "cpmis.complaints.models.ReferralBody",
        "SubmissionStatusEnum": "cpmis.exchange.models.Submission.Status",
        "ProvisionKindEnum": "cpmis.legal.models.Provision.Kind",
        "LinkageDecisionEnum": ["same", "different"],
        "ActivityKindEnum": "cpmis.oversight.models.ActivityKind",
        "ParticipantSexEnum": "cpmis.oversight.models.ParticipantSex",
        "ImplementationStatusEnum": "cpmis.oversight.models.ImplementationStatus",
        "LegalRequestKindEnum": "cpmis.oversight.models.LegalAssistanceRequest.Kind",
        "LegalRequestStatusEnum": "cpmis.oversight.models.LegalAssistanceRequest.Status",
        "SexEnum": "cpmis.people.models.Sex",
        "EditionStatusEnum": "cpmis.reporting.models.ReportEdition.Status",
    },
}

# The public complaint form and status page (no account). Rate limits per address and for
# everyone together ("count/period", period s, m, h or d) keep a flood from taking the
# system down; offices behind one address should use the office form, which has no limit.
# The counters live in the database (cpmis.core.counters, each count one atomic UPDATE), so
# every worker process on every machine enforces one limit together.
CPMIS_PUBLIC_RATE_LIMIT = os.environ.get("CPMIS_PUBLIC_RATE_LIMIT", "20/h")
CPMIS_PUBLIC_GLOBAL_RATE_LIMIT = os.environ.get("CPMIS_PUBLIC_GLOBAL_RATE_LIMIT", "3000/m")
CPMIS_STATUS_RATE_LIMIT = os.environ.get("CPMIS_STATUS_RATE_LIMIT", "120/h")
CACHES = {
    # Everything else cached (throttles of the API's token endpoint, reference lookups) stays
    # in each process's memory, or a shared directory with CPMIS_CACHE_LOCATION.
    "default": (
        {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ["CPMIS_CACHE_LOCATION"],
        }
        if os.environ.get("CPMIS_CACHE_LOCATION")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "ratelimit": {"BACKEND": "cpmis.core.counters.DatabaseCounterCache"},
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_IP_META_KEY = "cpmis.core.net.client_address"
# Reverse proxies in front of the server that append to X-Forwarded-For (0: none).
CPMIS_PROXY_COUNT = env_int("CPMIS_PROXY_COUNT", 0)

# Disclosure control of every published figure about children: counts from 1 to this minus one
# are suppressed (with secondary suppression). 10 is the default the statistics offices use.
CPMIS_SMALL_CELL_THRESHOLD = max(2, env_int("CPMIS_SMALL_CELL_THRESHOLD", 10))
# Indicators of the annex counted side by side (PostgreSQL connections), one per core.
CPMIS_ANALYTICS_WORKERS = max(1, env_int("CPMIS_ANALYTICS_WORKERS", os.cpu_count() or 1))
# PostgreSQL work_mem for the indicators' grouping-sets queries (set per transaction).
CPMIS_ANALYTICS_WORK_MEM = os.environ.get("CPMIS_ANALYTICS_WORK_MEM", "256MB")
# Keep each count made on PostgreSQL and read it back while its tables are unchanged
# (cpmis.indicators.materialised); 0 counts afresh every time (to measure counting itself).
CPMIS_ANALYTICS_KEEP = env_bool("CPMIS_ANALYTICS_KEEP", default=True)
if not re.fullmatch(r"[0-9]{1,6}(kB|MB|GB)", CPMIS_ANALYTICS_WORK_MEM):
    raise ImproperlyConfigured("CPMIS_ANALYTICS_WORK_MEM: a size such as 64MB.")

# Errors never echo request bodies (they may hold a child's name).
DEFAULT_EXCEPTION_REPORTER_FILTER = "cpmis.core.logging.RedactingExceptionReporterFilter"
# Logs: JSON lines with the request's id in production (LOG_FORMAT=json), plain text in a demo.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if CPMIS_MODE == "production" else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("LOG_FORMAT: json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cpmis.audit.context.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "cpmis.core.logging.JsonLinesFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # axes logs usernames and addresses; the audit trail records sign-ins and failures.
        "axes": {"level": "ERROR"},
        # Splink narrates every training step at INFO; cpmis reports its own figures.
        "splink": {"level": "WARNING"},
    },
}

# Background jobs (cpmis.jobs, ADR 0015): Django's tasks framework (the django-tasks backport)
# with its database backend, so that a job is queued in the same transaction as the work that
# asks for it and workers on any machine that reaches the database take it. `cpmis worker`
# runs workers; `cpmis demo` starts one.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A worker writes a heartbeat every few seconds; a running job whose worker has been silent
# this long is taken up again (when its kind can be retried safely) or marked failed.
CPMIS_JOB_STALE_SECONDS = max(3, env_int("CPMIS_JOB_STALE_SECONDS", 45))
# The address people reach cpmis at, for links in e-mails sent by background jobs.
CPMIS_BASE_URL = os.environ.get("CPMIS_BASE_URL", "http://127.0.0.1:8000")
# Finished jobs' results (report files, exports) are kept this many days, then deleted.
CPMIS_JOB_RESULT_DAYS = max(1, env_int("CPMIS_JOB_RESULT_DAYS", 14))
# /readyz fails when a job has waited this long for a worker (none running, or too few).
CPMIS_JOB_LATE_SECONDS = max(30, env_int("CPMIS_JOB_LATE_SECONDS", 600))
CPMIS_READINESS_CHECKS += ["cpmis.jobs.health.workers", "cpmis.jobs.health.queue"]
# /metrics (Prometheus) answers only a request with "Authorization: Bearer <this>"; unset, the
# page does not exist. Give it to the operator's Prometheus, nobody else.
CPMIS_METRICS_TOKEN = os.environ.get("CPMIS_METRICS_TOKEN", "")
PROMETHEUS_EXPORT_MIGRATIONS = False

# E-mail (the daily task digest): SMTP in production, the console in a demo.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if CPMIS_MODE != "production"
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cpmis@localhost")

if CPMIS_MODE == "test":
    # Jobs run inside the request that asks for them, so that a test sees their outcome at
    # once; the tests of the queue itself (tests/jobs) use the database backend and workers.
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Still Argon2, with parameters cheap enough for a suite that creates many users.
    PASSWORD_HASHERS = ["cpmis.accounts.hashers.FastArgon2PasswordHasher", *PASSWORD_HASHERS]

# Backups (`cpmis manage backup` / `restore`, cpmis.backups): where they are written (a backup
# holds every child's record: the command makes the directory owner-only; copy backups off the
# server), and how many it keeps there, deleting older ones after each backup (0 keeps all).
CPMIS_BACKUP_DIR = Path(os.environ.get("CPMIS_BACKUP_DIR", VAR_DIR / "backups"))
CPMIS_BACKUP_KEEP = max(0, env_int("CPMIS_BACKUP_KEEP", 14))
