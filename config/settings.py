"""Setdesk settings: one module, every knob from the environment (12-factor).

With nothing set, Setdesk runs on one machine for a first look: SQLite, the
in-memory channel layer and the embedded job runner (no broker). Set
``DATABASE_URL`` and ``REDIS_URL`` for PostgreSQL, channels-redis and a Redis
Celery broker.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# An insecure key is only tolerated in DEBUG (make run sets DEBUG=1); production
# must provide SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="") or ("insecure-development-key-only-for-debug" if DEBUG else "")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
# Keys for secrets stored in the database (config/secrets.py): the first encrypts, all
# decrypt. Empty: SECRET_KEY. Set it before rotating SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_celery_beat",
    "import_export",
    # config is an app too: it owns the project-wide management commands
    # (setup_roles, setup_periodic_tasks, seed_demo) and shared API plumbing.
    "config",
    "realtime",
    "hotset",
    "runofshow",
    "rotations",
    "publishing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
# One transaction per request: a failed request leaves no partial rows, and
# events published during it wait for its commit.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default writes from request threads and job threads at once: take the
    # write lock when a transaction begins (so waiting uses the timeout instead of failing
    # on a lock upgrade) and let readers proceed beside the writer (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL;"
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# Seconds the WebSocket consumers' one database thread keeps its connection (realtime/db.py);
# 0 closes it after every call, as CONN_MAX_AGE=0 does for requests.
REALTIME_DB_CONNECTION_SECONDS = env.float("REALTIME_DB_CONNECTION_SECONDS", default=300.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "templates" / "static"]
# WhiteNoise serves static files under any ASGI server; finders let it serve them
# without collectstatic (make run, tests); production images run collectstatic too.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "media/"

LOGIN_URL = "/admin/login/"

# --- Redis, channels, Celery -------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Keeps parallel test runs (or several deployments on one Redis) apart.
CHANNEL_LAYER_PREFIX = env.str("CHANNEL_LAYER_PREFIX", default="setdesk")
# Seconds; above channels-redis's 5 s blocking pop, yet a dead Redis is still noticed.
CHANNEL_LAYER_SOCKET_TIMEOUT = env.float("CHANNEL_LAYER_SOCKET_TIMEOUT", default=15.0)
# Seconds to open a connection to Redis: an unreachable host fails fast instead of after the
# operating system's minutes-long connect timeout.
CHANNEL_LAYER_CONNECT_TIMEOUT = env.float("CHANNEL_LAYER_CONNECT_TIMEOUT", default=3.0)
# Redis connections one process's channel layer may hold; past it a command waits (up to
# CHANNEL_LAYER_POOL_TIMEOUT s) for a free one instead of failing (realtime/layers.py).
CHANNEL_LAYER_MAX_CONNECTIONS = env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=100)
CHANNEL_LAYER_POOL_TIMEOUT = env.float("CHANNEL_LAYER_POOL_TIMEOUT", default=10.0)

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.layers.PooledRedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout by default, the same 5 s
                # that channels-redis blocks in BZPOPMIN: an idle socket's receive then
                # dies with "Timeout reading". The read must outlast the blocking pop.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT,
                        "socket_connect_timeout": CHANNEL_LAYER_CONNECT_TIMEOUT,
                        "max_connections": CHANNEL_LAYER_MAX_CONNECTIONS,
                        "timeout": CHANNEL_LAYER_POOL_TIMEOUT,
                        # A connection that has idled this long is checked before use, so one
                        # left stale by a Redis restart is replaced rather than failing a socket.
                        "health_check_interval": 30,
                    }
                ],
                "prefix": CHANNEL_LAYER_PREFIX,
                # Messages one process's channel may hold before the layer drops new ones: a burst
                # for 1,000 sockets outran channels-redis's default of 100 ("over capacity").
                "capacity": env.int("CHANNEL_LAYER_CAPACITY", default=1000),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache holds the token endpoints' throttle counters: Redis, so every web process
# counts the same attempts (a key prefix of its own beside the channel layer's keys).
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default=f"{CHANNEL_LAYER_PREFIX}.cache")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # A frozen Redis must not hang a login: the throttle gives up and lets it through.
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": CACHE_KEY_PREFIX}}

# Seconds a socket opened without ?token= has to send {action: "auth", token} (else 4401).
REALTIME_AUTH_TIMEOUT = env.float("REALTIME_AUTH_TIMEOUT", default=10.0)
# Layer messages one socket may have waiting; past it the socket closes with 1013 and its
# client resumes from the event log (a phone that stopped reading must not grow the process).
REALTIME_SOCKET_INBOX = env.int("REALTIME_SOCKET_INBOX", default=1000)
# Seconds between renewals of each process hub's group memberships: under channels-redis's
# group expiry (one day), or a group a process has held a day long would drop it.
REALTIME_GROUP_REFRESH_SECONDS = env.float("REALTIME_GROUP_REFRESH_SECONDS", default=3600.0)

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Seconds a broker command may take (and a connect). Redis answers in well under a
# millisecond, and a worker's BRPOP returns within 1 s; without a timeout a request that
# enqueues a task after its commit waits forever on a frozen Redis (a hung VM, a full disk).
_broker_timeout = env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": _broker_timeout,
    "socket_connect_timeout": _broker_timeout,
    "max_retries": 0,
}
# Without a broker, the ASGI server runs the periodic jobs and `.delay()`ed tasks
# in-process (config/embedded.py).
EMBEDDED_JOBS = env.bool("EMBEDDED_JOBS", default=not REDIS_URL and CELERY_BROKER_URL == "memory://")

# --- API ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.permissions.ActionPermissions"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    # DRF's default parsers, with a JSON parser that answers 400 for absurd nesting (config/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # The token endpoints (config/auth.py): attempts per account and per client address.
    "DEFAULT_THROTTLE_RATES": {
        "auth_user": env.str("AUTH_THROTTLE_USER", default="10/min"),
        "auth_address": env.str("AUTH_THROTTLE_ADDRESS", default="30/min"),
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=60)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "SIGNING_KEY": SECRET_KEY,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Setdesk API",
    "DESCRIPTION": (
        "Operations back office of a production company: hot set, run of show, "
        "rotations and publishing. Errors are JSON: "
        '`{"detail": ..., "errors": {field: [...]}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name across apps get their own component names.
    "ENUM_NAME_OVERRIDES": {"SegmentStatusEnum": "runofshow.models.Segment.Status"},
}

# --- Domain knobs -------------------------------------------------------------
# Hours a stage-timer viewer link stays open unless revoked sooner (SPEC §2), and the most a caller may ask.
RUNOFSHOW_VIEWER_LINK_HOURS = env.int("RUNOFSHOW_VIEWER_LINK_HOURS", default=48)
RUNOFSHOW_VIEWER_LINK_MAX_HOURS = env.int("RUNOFSHOW_VIEWER_LINK_MAX_HOURS", default=24 * 30)
PUBLISHING_UPLOADER = env.str("PUBLISHING_UPLOADER", default="outbox")
PUBLISHING_OUTBOX_DIR = env.str("PUBLISHING_OUTBOX_DIR", default=str(BASE_DIR / "outbox"))
PUBLISHING_HTTP_ENDPOINT = env.str("PUBLISHING_HTTP_ENDPOINT", default="")
PUBLISHING_HTTP_TIMEOUT = env.float("PUBLISHING_HTTP_TIMEOUT", default=300)
PUBLISHING_LEASE_SECONDS = env.int("PUBLISHING_LEASE_SECONDS", default=900)
PUBLISHING_MAX_ATTEMPTS = env.int("PUBLISHING_MAX_ATTEMPTS", default=3)
PUBLISHING_BACKOFF_SECONDS = env.int("PUBLISHING_BACKOFF_SECONDS", default=60)
PUBLISHING_DISPATCH_BATCH = env.int("PUBLISHING_DISPATCH_BATCH", default=500)
PUBLISHING_POST_TIME_OFFSET_HOURS = env.int("PUBLISHING_POST_TIME_OFFSET_HOURS", default=1)
PUBLISHING_SCHEDULE_SPACING_HOURS = env.int("PUBLISHING_SCHEDULE_SPACING_HOURS", default=1)
# Whose whole hours the posting slots are; defaults to TIME_ZONE.
PUBLISHING_TIME_ZONE = env.str("PUBLISHING_TIME_ZONE", default="") or None
# Where video sources may come from (publishing/sources.py): local files only under these
# folders; URLs only https to these hosts (none by default), never to a non-public address.
PUBLISHING_MEDIA_ROOTS = env.list("PUBLISHING_MEDIA_ROOTS", default=[MEDIA_ROOT])
PUBLISHING_SOURCE_HOSTS = env.list("PUBLISHING_SOURCE_HOSTS", default=[])
PUBLISHING_MAX_SOURCE_BYTES = env.int("PUBLISHING_MAX_SOURCE_BYTES", default=4 * 1024**3)
# Base http(s) URL under which PUBLISHING_OUTBOX_DIR is served; empty: outbox posts get no permalink.
PUBLISHING_OUTBOX_URL = env.str("PUBLISHING_OUTBOX_URL", default="")
# "offline" or "openai"; empty picks openai when LLM_BASE_URL is set.
PUBLISHING_GENERATOR = env.str("PUBLISHING_GENERATOR", default="")
LLM_BASE_URL = env.str("LLM_BASE_URL", default="")
LLM_API_KEY = env.str("LLM_API_KEY", default="")
LLM_MODEL = env.str("LLM_MODEL", default="gpt-4o-mini")
LLM_TIMEOUT = env.float("LLM_TIMEOUT", default=30)
ROTATIONS_SUBMIT_URL = env.str("ROTATIONS_SUBMIT_URL", default="")
ROTATIONS_SUBMIT_TIMEOUT = env.float("ROTATIONS_SUBMIT_TIMEOUT", default=10.0)
ROTATIONS_RUN_STALE_SECONDS = env.int("ROTATIONS_RUN_STALE_SECONDS", default=180)
# The rotation team's local time zone (work days and hours); defaults to TIME_ZONE.
ROTATIONS_TIME_ZONE = env.str("ROTATIONS_TIME_ZONE", default="") or None
# The working day the scheduler places events in and proposal edits are held to (local time).
ROTATIONS_DAY_START = env.str("ROTATIONS_DAY_START", default="09:00")
ROTATIONS_DAY_END = env.str("ROTATIONS_DAY_END", default="17:00")

# --- Security when DEBUG is off -----------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No token in any log line (SPEC §5): every handler redacts ?token= and JWTs;
    # config/asgi.py puts the same filter on uvicorn's loggers and handlers.
    "filters": {"redact_tokens": {"()": "config.logging.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Spreadsheet import / export (config/spreadsheets.py) ---------------------------------
# The admin's import and export buttons follow the model perms: importing adds and changes rows.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Every import is one transaction: a refused row (or the preview) rolls the whole file back.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# The uploaded file waits between preview and confirm in the cache (Redis in production), so
# the confirm may reach another web instance than the preview.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
