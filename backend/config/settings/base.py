"""Settings shared by every run mode; each value can be set from the environment."""

from __future__ import annotations

from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

# Lets admin and serializer classes be subscripted for the type checker.
django_stubs_ext.monkeypatch()

BACKEND_DIR = Path(__file__).resolve().parent.parent.parent
REPO_DIR = BACKEND_DIR.parent
env = environ.Env()
# Local state of the embedded mode: SQLite file, broker folders, its secrets.
VAR_DIR = Path(env("VIGIL_VAR_DIR", default=str(REPO_DIR / "var")))

SECRET_KEY: str = env("SECRET_KEY", default="")
DEBUG: bool = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    "vigil.core",
    "vigil.audit",
    "vigil.sites",
    "vigil.accounts",
    "vigil.records",
    "vigil.participants",
    "vigil.visits",
    "vigil.care",
    "vigil.stock",
    "vigil.reports",
    "vigil.incidents",
    "vigil.alerts",
    "vigil.imports",
    "vigil.safety",
    "vigil.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "vigil.core.middleware.api_never_cached",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The API answers in the app's language: the cookie the app sets, else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "vigil.accounts.sessions.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (postgres://…); without it the embedded SQLite file is used.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'vigil.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: PostgreSQL compiles any query it estimates costly (a period report, a backfill),
    # and compiling took 0.7 s of a 1.4 s period aggregate (EXPLAIN ANALYZE, 1 M visits) while
    # the queries themselves run in well under a second. Nothing here runs long enough to gain.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Authentication and sessions --------------------------------------------------------------
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Tablets are shared: a session ends after this many idle minutes (every request renews it).
VIGIL_IDLE_MINUTES: int = env.int("VIGIL_IDLE_MINUTES", default=15)
SESSION_COOKIE_AGE = VIGIL_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
# Renewal writes the session row at most once a minute while it is unchanged (see the module).
SESSION_ENGINE = "vigil.accounts.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): lock a username on one device after repeated failures.
AXES_FAILURE_LIMIT: int = env.int("VIGIL_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("VIGIL_LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "vigil.accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# --- Vigil rules --------------------------------------------------------------------------------
# The visit-code pepper keys the HMAC that stands in for every code; it never enters the database.
VIGIL_CODE_PEPPER: str = env("VIGIL_CODE_PEPPER", default="")
VIGIL_CODE_PATTERN: str = env("VIGIL_CODE_PATTERN", default=r"^[A-Z0-9]{3,16}$")
# A record older than this is backdated: supervisors only, and flagged.
VIGIL_BACKDATE_HOURS: int = env.int("VIGIL_BACKDATE_HOURS", default=12)
# A visit open longer than this is flagged on the floor (never closed silently).
VIGIL_LONG_VISIT_MINUTES: int = env.int("VIGIL_LONG_VISIT_MINUTES", default=180)
# Reports: a day closes this many hours after its local end (provisional until then).
VIGIL_REPORT_CLOSE_HOURS: int = env.int("VIGIL_REPORT_CLOSE_HOURS", default=48)
# Writes to a past day wait this long before its report is recomputed (a burst costs one run).
VIGIL_RECOMPUTE_DELAY_SECONDS: int = env.int("VIGIL_RECOMPUTE_DELAY_SECONDS", default=10)
# Beat sends again, this often, every recompute still pending after its delay plus this long:
# one whose task never reached the broker (away at the time) or was lost with the broker's data.
VIGIL_RECOMPUTE_SWEEP_SECONDS: int = env.int("VIGIL_RECOMPUTE_SWEEP_SECONDS", default=60)
# Counts from 1 to threshold-1 are shown as "<threshold" in anything that leaves the site.
VIGIL_SUPPRESSION_THRESHOLD: int = env.int("VIGIL_SUPPRESSION_THRESHOLD", default=10)
# Incident review: due this long after the onset (a death, another critical incident, any other).
VIGIL_INCIDENT_DEATH_REVIEW_HOURS: int = env.int("VIGIL_INCIDENT_DEATH_REVIEW_HOURS", default=24)
VIGIL_INCIDENT_CRITICAL_REVIEW_HOURS: int = env.int(
    "VIGIL_INCIDENT_CRITICAL_REVIEW_HOURS", default=48
)
VIGIL_INCIDENT_ROUTINE_REVIEW_DAYS: int = env.int("VIGIL_INCIDENT_ROUTINE_REVIEW_DAYS", default=7)
# A critical incident's debrief is due this long after the response ended.
VIGIL_DEBRIEF_HOURS: int = env.int("VIGIL_DEBRIEF_HOURS", default=72)
# A supervisor may review an incident they logged or responded to only when no other
# supervisor or admin is a member of the site; False forbids it even then.
VIGIL_REVIEW_OWN_INCIDENTS_WHEN_ALONE: bool = env.bool(
    "VIGIL_REVIEW_OWN_INCIDENTS_WHEN_ALONE", default=True
)
# Drug-alert suggestions: this many overdoses at a site within this many minutes suggest an
# alert to its supervisors; suggestions look back this many hours.
VIGIL_OVERDOSE_CLUSTER_COUNT: int = env.int("VIGIL_OVERDOSE_CLUSTER_COUNT", default=3)
VIGIL_OVERDOSE_CLUSTER_MINUTES: int = env.int("VIGIL_OVERDOSE_CLUSTER_MINUTES", default=60)
VIGIL_ALERT_SUGGESTION_HOURS: int = env.int("VIGIL_ALERT_SUGGESTION_HOURS", default=24)
VIGIL_DEMO_PASSWORD = "vigil-demo"  # noqa: S105  (refused by production settings)

# --- Hostile input and error reports -------------------------------------------------------------
# Records are small JSON bodies: a larger one is refused with a 413 (vigil.core.parsers).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Django's refusals (CSRF, a body it cannot read) answer in the API's error shape under /api/.
CSRF_FAILURE_VIEW = "vigil.core.errors.csrf_failure"
# Error reports mask the pepper, connection URLs and every request body (vigil.core.errors).
DEFAULT_EXCEPTION_REPORTER_FILTER = "vigil.core.errors.ExceptionReporterFilter"

# Content-Security-Policy (django-csp): the app runs only its own scripts, styles and fetches;
# no inline script anywhere. The API docs loosen it for Swagger UI's styles (config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LANGUAGE_COOKIE_NAME = "vigil_lang"
# Catalogues: backend/vigil/locale/<lang>/LC_MESSAGES/django.po, compiled to .mo by
# `manage.py vigil_compilemessages` (make run, make test and the image build run it).
LOCALE_PATHS = [BACKEND_DIR / "vigil" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (the built frontend is served by whitenoise) ----------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BACKEND_DIR / "staticfiles"
FRONTEND_DIST = REPO_DIR / "frontend" / "dist"
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- REST framework and the OpenAPI schema ------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["vigil.core.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["vigil.core.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "vigil.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "vigil.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "vigil.core.errors.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vigil API",
    "DESCRIPTION": (
        "The record system of a supervised consumption site. Visit codes travel only in "
        "request bodies and are never returned."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI is served from the drf-spectacular-sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vigil.core.schema.document_errors",
    ],
    # One name per choice set shared by several fields, for the typed client.
    "ENUM_NAME_OVERRIDES": {
        "SiteKindEnum": "vigil.sites.models.Site.Kind",
        "BoothKindEnum": "vigil.sites.models.Booth.Kind",
        "VisitKindEnum": "vigil.visits.models.Visit.Kind",
        "ServiceKindEnum": "vigil.care.models.ServiceKind",
        "ReferralStatusEnum": "vigil.care.models.ReferralStatus",
        "IncidentStatusEnum": "vigil.incidents.models.Incident.Status",
        "ReportStatusEnum": "vigil.reports.models.DailyReport.Status",
        "TestResultEnum": "vigil.care.models.TestResult",
        "SubstanceEnum": "vigil.visits.models.Substance",
        "IncidentKindEnum": "vigil.incidents.models.Incident.Kind",
        "IncidentActionKindEnum": "vigil.incidents.models.IncidentAction.Kind",
        "ImportKindEnum": "vigil.imports.models.Import.Kind",
        "ImportStatusEnum": "vigil.imports.models.Import.Status",
        "SubmissionProfileEnum": "vigil.reports.models.Submission.Profile",
        "SupplyItemEnum": "vigil.care.models.SupplyItem",
        "StockItemEnum": "vigil.stock.models.Item",
        "StockMovementReasonEnum": "vigil.stock.models.StockMovement.Reason",
        "CategoryEnum": "vigil.care.models.ReferralCategory",
        "ComplaintCategoryEnum": "vigil.safety.models.Complaint.Category",
        "RestrictionReasonEnum": "vigil.safety.models.Restriction.Reason",
        "TurnAwayReasonEnum": "vigil.safety.models.TurnAwayReason",
        "OutcomeEnum": "vigil.incidents.models.Incident.Outcome",
        "RestrictionReviewOutcomeEnum": "vigil.safety.models.RestrictionReviewOutcome",
    },
}

# --- Celery --------------------------------------------------------------------------------------
# CELERY_BROKER_URL selects Redis (redis://…); without it the embedded filesystem broker is used.
CELERY_BROKER_URL: str = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Redis gives a task to another worker when the worker that took it has not acknowledged it
# within this many seconds (tasks acknowledge when they finish, acks_late): this is how a task
# killed mid-run, or held by a worker that lost the broker, runs again. Kombu's default is an
# hour. It must exceed the longest a worker holds a message (the recompute delay, then the hard
# time limit), or a task still running would run twice.
VIGIL_BROKER_VISIBILITY_SECONDS: int = env.int("VIGIL_BROKER_VISIBILITY_SECONDS", default=600)
if VIGIL_BROKER_VISIBILITY_SECONDS <= VIGIL_RECOMPUTE_DELAY_SECONDS + CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "VIGIL_BROKER_VISIBILITY_SECONDS must exceed VIGIL_RECOMPUTE_DELAY_SECONDS plus the "
        f"task time limit ({CELERY_TASK_TIME_LIMIT} s)."
    )
if CELERY_BROKER_URL.startswith("redis"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": VIGIL_BROKER_VISIBILITY_SECONDS}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("out", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery-results").mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND: str = env(
    "CELERY_RESULT_BACKEND",
    default=(
        CELERY_BROKER_URL
        if CELERY_BROKER_URL.startswith("redis")
        else f"file://{VAR_DIR / 'celery-results'}"
    ),
)
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("reports"))
CELERY_TASK_ROUTES = {"vigil.reports.*": {"queue": "reports"}}
# An import's rows are written (and its progress moves) this many at a time.
VIGIL_IMPORT_BATCH_ROWS: int = env.int("VIGIL_IMPORT_BATCH_ROWS", default=5000)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "Recompute sweep": {
        "task": "vigil.reports.sweep_pending",
        "schedule": float(VIGIL_RECOMPUTE_SWEEP_SECONDS),
    },
    # Every six hours: on the first run of a site's new month, last month's forms are prepared
    # and its supervisors told (idempotent, so a run missed on the 1st is caught up next).
    "monthly-drafts": {
        "task": "vigil.reports.prepare_monthly_drafts",
        "schedule": crontab(minute="15", hour="*/6"),
    },
    # Every day: the sessions past their expiry leave the session table.
    "expired-sessions": {
        "task": "vigil.accounts.clear_expired_sessions",
        "schedule": crontab(minute="40", hour="3"),
    },
}
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Email: sent only when the deployment names a server (EMAIL_URL, e.g.
# smtp+tls://user:password@mail.example.org:587); otherwise nothing leaves (make run prints it).
EMAIL_URL = env("EMAIL_URL", default="")
vars().update(env.email_url_config(EMAIL_URL or "dummymail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="vigil@localhost")

# --- Logging: plain lines on stdout, never a request body ---------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
