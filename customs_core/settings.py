"""Settings, read from the environment in one place.

Defaults make `make run` work on a bare machine: SQLite in the project folder and Celery tasks run
eagerly in-process. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and uses
customs_core.settings_production, which only tightens.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY",
                     default="dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "customs_core",
    "customs_core.audit",
    "customs_core.accounts",
    "declarations",
    "declarations.risk",
    "inspection",
    "inspection.warehouses",
    "partnership",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The request id, the access log line and the HTTP metrics of every request.
    "customs_core.observability.middleware.RequestObservabilityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The request in hand, for audit rows written where no request is passed (issue 20).
    "customs_core.audit.middleware.CurrentRequestMiddleware",
    "customs_core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The second factor and the officers' idle timeout (issue 20), after the user and messages.
    "django_otp.middleware.OTPMiddleware",
    "customs_core.accounts.middleware.IdleTimeoutMiddleware",
    "customs_core.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "customs_core.middleware.ApiErrorMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "customs_core.urls"
WSGI_APPLICATION = "customs_core.wsgi.application"
AUTH_USER_MODEL = "customs_core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "customs_core.context_processors.navigation",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: ~4x the request rate of reconnecting per request (RECIPES.md).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets the dev server read while a seeding command writes.
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL;")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
# A streaming replica of the primary: dashboards, reports and exports read the rollups there
# (customs_core.db_routers, a no-op without it); everything else stays on the primary. In tests
# it mirrors the test database instead of getting one of its own.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {**env.db("DATABASE_REPLICA_URL"), "TEST": {"MIRROR": "default"}}
    for option in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        if option in DATABASES["default"]:
            DATABASES["replica"][option] = DATABASES["default"][option]
DATABASE_ROUTERS = ["customs_core.db_routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://customs")}

# --- Auth and security baseline -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes: lock out a username+IP pair after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False

# Accounts (issue 20): officers' sessions end after this long without a request; a person's
# API token lives USER_TOKEN_HOURS; a password-reset link works once, for this many seconds.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
USER_TOKEN_LIFETIME = timedelta(hours=env.float("USER_TOKEN_HOURS", default=12.0))
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
OTP_TOTP_ISSUER = "Mong Cai customs"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "customs_core.urls.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Access audit: how many proxies in front of the app add X-Forwarded-For (0: the address is
# REMOTE_ADDR; n: the n-th address from the right, the one the outermost proxy saw).
AUDIT_TRUSTED_PROXIES = env.int("AUDIT_TRUSTED_PROXIES", default=0)

# Content-Security-Policy: our own scripts and styles only, no inline code, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "customs_language"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Dates day first in both languages (never mm/dd), decimal comma in Vietnamese.
FORMAT_MODULE_PATH = ["customs_core.formats"]

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": env.str(
        "STATICFILES_BACKEND",
        default="django.contrib.staticfiles.storage.StaticFilesStorage")},
}

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API caller gets 401 with a WWW-Authenticate header.
        "customs_core.api.authentication.TokenAuthentication",
        "customs_core.accounts.authentication.IntegrationTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "customs_core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "customs_core.api.exception_handlers.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/minute"),
        "user": env.str("THROTTLE_USER", default="2000/minute"),
        # token requests per address: a password-guessing client is slowed before the lockout
        "token": env.str("THROTTLE_TOKEN", default="20/minute"),
    },
    "DEFAULT_PARSER_CLASSES": ["customs_core.api.parsers.JSONParser",
                               "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer",
                                 "rest_framework.renderers.BrowsableAPIRenderer"],
}
API_MAX_PAGE_SIZE = 200

SPECTACULAR_SETTINGS = {
    "TITLE": "Customs declaration processing API",
    "DESCRIPTION": "REST API of the border-gate customs branch: reference data, declarations, "
                   "routing. Errors follow one table: 400 field errors, 403, 404, 409, 412, 429.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: Swagger UI puts them as links inside the operation's toggle button
    # (nested interactive controls, too small a target: WCAG 2.2 AA).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DeclarationStateEnum": "declarations.choices.DeclarationState",
        "CertificateFormEnum": "declarations.choices.CertificateForm",
        "ChannelEnum": "declarations.choices.Channel",
        "CheckKindEnum": "inspection.choices.CheckKind",
        "CheckStateEnum": "inspection.choices.CheckState",
        "WarehouseStatusEnum": "customs_core.choices.WarehouseStatus",
        "DocumentStatusEnum": "inspection.choices.DocumentStatus",
        "DrawStateEnum": "inspection.warehouses.choices.DrawState",
        "HeldStateEnum": "inspection.warehouses.choices.HeldState",
        "SupportRequestStateEnum": "partnership.choices.RequestState",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "customs_core.api.schema.document_error_responses",
        "customs_core.api.schema.link_created_resources",
    ],
}

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# No broker configured: run tasks in-process so the app works with no services at all.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish against a dead broker must fail fast (the row is the outbox; a sweeper re-queues).
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                                   "socket_connect_timeout": 2}
CELERY_TASK_ROUTES = {
    # Routing latency must not wait behind batch work (DESIGN.md §10).
    "declarations.risk.tasks.declaration_route_task": {"queue": "risk"},
    "declarations.risk.tasks.declarations_requeue_unrouted_task": {"queue": "risk"},
    # Statistics are batch work on their own queue (issue 18): `celery worker -Q reporting`.
    "reporting.tasks.*": {"queue": "reporting"},
}
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Every queue the app routes to, declared: a worker started without -Q consumes all of them
# (RECIPES.md: otherwise it reads only "celery" and routing waits forever). A dedicated worker
# still takes one with `-Q risk`.
CELERY_TASK_QUEUES = [Queue(name) for name in ("celery", "risk", "reporting")]
# With the broker down a publish must fail fast: the submission has committed, the row is the
# outbox and the sweeper re-queues it once the broker is back.
CELERY_TASK_PUBLISH_RETRY = False
# Celery's Django fix-up closes every database connection before and after each task unless
# this is set: a new PostgreSQL connection per routing task cost more than the routing itself.
# Connections are still recycled by CONN_MAX_AGE and health-checked (CONN_HEALTH_CHECKS).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
RISK_RANDOM_SECRET = env.str("RISK_RANDOM_SECRET", default="")
# A declaration still "submitted" this long after its last change is re-queued by the sweeper.
ROUTING_SWEEP_AFTER_SECONDS = env.int("ROUTING_SWEEP_AFTER_SECONDS", default=60)
# /healthz says "degraded" when the oldest declaration waiting for routing is older than this.
ROUTING_BACKLOG_DEGRADED_SECONDS = env.int("ROUTING_BACKLOG_DEGRADED_SECONDS", default=300)
# Memory a rollup rebuild may hash its groups in before spilling to disk (per sort or hash,
# PostgreSQL's work_mem for that transaction only).
REPORTING_WORK_MEM = env.str("REPORTING_WORK_MEM", default="256MB")
# An XLSX export still being built this long after it was asked for is queued again.
REPORT_EXPORT_STUCK_SECONDS = env.int("REPORT_EXPORT_STUCK_SECONDS", default=900)
CELERY_BEAT_SCHEDULE = {
    # The reporting rollups: the days that new events touch, recomputed within a minute.
    "reporting-rollups-refresh": {
        "task": "reporting.tasks.rollups_refresh_task",
        "schedule": env.float("ROLLUP_REFRESH_SECONDS", default=30.0),
    },
    # Every minute: report exports never picked up or whose worker died.
    "reporting-exports-requeue": {
        "task": "reporting.tasks.report_exports_requeue_task",
        "schedule": 60.0,
    },
    # Every minute: declarations still waiting in "submitted" (lost message, broker outage).
    "declarations-requeue-unrouted": {
        "task": "declarations.risk.tasks.declarations_requeue_unrouted_task",
        "schedule": env.float("ROUTING_SWEEP_SECONDS", default=60.0),
    },
    # Each Monday 00:05 the customs exchange rate of the new week must exist before the first
    # declaration is registered: carry the last published rate forward where none was entered.
    "exchange-rates-carry-forward": {
        "task": "customs_core.tasks.exchange_rates_carry_forward_task",
        "schedule": crontab(minute=5, hour="*/6"),
    },
}

# --- E-mail ----------------------------------------------------------------------------------
# The console in development; production names its SMTP server (EMAIL_BACKEND=smtp).
EMAIL_BACKEND = {"smtp": "django.core.mail.backends.smtp.EmailBackend",
                 "console": "django.core.mail.backends.console.EmailBackend",
                 "locmem": "django.core.mail.backends.locmem.EmailBackend"}.get(
    env.str("EMAIL_BACKEND", default="console"), env.str("EMAIL_BACKEND", default="console"))
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL",
                             default="Hải quan Móng Cái <no-reply@haiquanmongcai.local>")
# Links in e-mails point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Logging and metrics ---------------------------------------------------------------------
# One JSON object a line for the log store ("json"), or "text" for a developer's console; every
# line carries the id of its request (or of the request that queued its task).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")  # another value: the handler fails at start
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {
        "()": "customs_core.observability.logs.RequestContextFilter"}},
    "formatters": {"json": {"()": "customs_core.observability.logs.JsonFormatter"},
                   "text": {"()": "customs_core.observability.logs.text_formatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                             "filters": ["request_context"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # "django" through the root's handler only: Django's own console handler printed its lines
    # a second time, unformatted, under DEBUG
    "loggers": {"django": {"handlers": [], "level": "INFO"},
                "django.db.backends": {"level": "WARNING"}},
}
# /metrics for a Prometheus scraper: `Authorization: Bearer <METRICS_TOKEN>`; empty, only a
# signed-in administrator reads it.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Inspection ----------------------------------------------------------------------------
# Work points of a check (ASYCUDA's weighting): per declaration and per goods line.
INSPECTION_POINTS_PER_DECLARATION = env.int("INSPECTION_POINTS_PER_DECLARATION", default=10)
INSPECTION_POINTS_PER_LINE = env.int("INSPECTION_POINTS_PER_LINE", default=5)
# Legal clocks in working hours (a document check 2, a physical inspection 8: DESIGN.md §4);
# a post-clearance audit is the branch's own target.
INSPECTION_LIMIT_HOURS = {"doc_check": env.float("DOC_CHECK_LIMIT_HOURS", default=2.0),
                          "inspection": env.float("INSPECTION_LIMIT_HOURS", default=8.0),
                          "post_clearance_audit": env.float("AUDIT_LIMIT_HOURS", default=40.0)}
# The gate finds declarations cleared, or changed in the last days (to say why one is held).
GATE_LOOKUP_DAYS = env.int("GATE_LOOKUP_DAYS", default=7)
# Bonded goods: the storage term (the Customs Law 2014: 12 months, extendable), and how often
# the beat task flags the goods held past it.
BONDED_STORAGE_TERM_MONTHS = env.int("BONDED_STORAGE_TERM_MONTHS", default=12)
# Learned selection: the risk profiles nightly, a new model (not activated) each Sunday night.
CELERY_BEAT_SCHEDULE["risk-profiles-rebuild"] = {
    "task": "declarations.risk.tasks.profiles_rebuild_task",
    "schedule": crontab(minute=30, hour=1),
}
CELERY_BEAT_SCHEDULE["risk-model-train"] = {
    "task": "declarations.risk.tasks.risk_model_train_task",
    "schedule": crontab(minute=0, hour=2, day_of_week=0),
}
CELERY_BEAT_SCHEDULE["bonded-overdue"] = {
    "task": "inspection.warehouses.tasks.stock_flag_overdue_task",
    "schedule": env.float("BONDED_OVERDUE_SECONDS", default=3600.0),
}
# --- Partnership desk ------------------------------------------------------------------------
# The desk's first answer is due this many working hours after a request is asked (or reopened).
PARTNERSHIP_ANSWER_HOURS = {"procedure": 8, "classification": 16, "valuation": 16,
                            "it_system": 4, "complaint": 8, "other": 8}
# An officer sees the ratings of their own work in aggregate once there are this many.
PARTNERSHIP_MIN_RATINGS_SHOWN = env.int("PARTNERSHIP_MIN_RATINGS_SHOWN", default=5)
# One e-mail sender task per this many seconds however many notifications commit in them.
NOTIFICATION_EMAIL_PUBLISH_WINDOW = env.float("NOTIFICATION_EMAIL_PUBLISH_WINDOW", default=1.0)
CELERY_BEAT_SCHEDULE["notification-emails"] = {
    # Every minute: e-mails a broker outage left unpublished, and failed tries that are due.
    "task": "partnership.tasks.notification_emails_send_task",
    "schedule": env.float("NOTIFICATION_EMAIL_SWEEP_SECONDS", default=60.0),
}
CELERY_BEAT_SCHEDULE["support-due-soon"] = {
    "task": "partnership.tasks.support_due_soon_task",
    "schedule": env.float("SUPPORT_DUE_SOON_SECONDS", default=300.0),
}
CELERY_BEAT_SCHEDULE["inspection-sweep"] = {
    # Every minute: a routed declaration without its check gets one, and checks waiting in a
    # team's queue are offered again to officers who came on duty or freed capacity.
    "task": "inspection.tasks.checks_sweep_task",
    "schedule": env.float("INSPECTION_SWEEP_SECONDS", default=60.0),
}

# --- Backup ----------------------------------------------------------------------------------
# `manage.py backup` writes a timestamped folder here (database dump, media, manifest.json).
# Production: a volume of its own, copied off the machine.
BACKUP_ROOT = env.path("BACKUP_ROOT", default=BASE_DIR / "backups")
