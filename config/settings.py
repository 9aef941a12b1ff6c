"""Mailbag settings: every deployment knob is an environment variable (see README)."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MAILBAG_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    # Only ever used with DEBUG on, on a developer's own machine.
    SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_rq",
    # Login throttling (settings under "Login throttling" below).
    "axes",
    "csp",
    # The apps in layers: each imports only those listed before it (`make lint` checks).
    "episodes",
    "intake",
    "runsheet",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Response headers on every page, error pages included (settings under "Security" below).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Refuses an oversized body (413) before anything reads it: ahead of every middleware
    # that might (sessions, CSRF), behind those that only add headers to its answer.
    "config.body_limit.RequestBodyLimitMiddleware",
    # Serves collected static files in production; runserver serves them in development.
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # /host/ pages in the host's own time zone (their settings), else TIME_ZONE below; they
    # show listeners' names and emails, so never kept in any cache.
    "dashboard.middleware.HostPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "episodes.context_processors.show",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL points elsewhere (PostgreSQL in production).
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'mailbag.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The default database lives in var/; create the folder so a fresh clone just works.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A file (not :memory:) so that worker processes started by tests see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-mailbag.sqlite3")}
    # SQLite waits for a lock instead of failing when the web and the worker write at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: REDIS_URL, or the embedded redis-server that `make run` starts on a unix socket
# under var/. Never a system Redis that nobody asked for.
EMBEDDED_REDIS_SOCKET = VAR_DIR / "redis" / "redis.sock"
REDIS_URL = env_str("REDIS_URL") or f"unix://{EMBEDDED_REDIS_SOCKET}?db=0"

# One queue: every job runs in the worker that keeps the models warm (intake/tasks.py).
RQ_QUEUES = {"transcription": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
# Off: django-rq would also register its views inside the admin, open to every staff user.
# The queues are at /admin/django-rq/, for superusers only (config/rq_admin.py).
RQ_SHOW_ADMIN_LINK = False

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "mailbag",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/host/"

# Login throttling (django-axes), on /accounts/login/ and /admin/login/ alike: after
# LOGIN_FAILURE_LIMIT wrong passwords for one user name from one client address, that pair is
# refused until LOGIN_COOLOFF_MINUTES pass or an admin deletes its access attempts.
# Keyed by name and address together, so an attacker elsewhere cannot lock a host out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before checking
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The same client address as the ask page's rate limit (CLIENT_IP_HEADER behind a proxy).
AXES_CLIENT_IP_CALLABLE = "config.login_throttle.login_client_ip"
AXES_RESET_ON_SUCCESS = True
# Axes logs its banner at every start (each manage.py command, each worker); lock-outs still log.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "config.login_throttle.login_locked_out"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE") or "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "staticfiles")

# Audio is private: it lives outside any public root and is only ever served through a
# view that checks the host is logged in. There is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media-not-public/"
STORAGE_BACKEND = env_choice("STORAGE_BACKEND", "filesystem", ("filesystem", "s3"))
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "region_name": env_str("S3_REGION"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "location": "mailbag",
        },
    }
    if not _default_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET")
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads: large files go to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Every request body, on every URL but the ask page's POST (config/body_limit.py): enough for
# the largest form, an essay of 1 MB (dashboard/forms/topics.py) sent back for confirmation.
REQUEST_MAX_BODY_BYTES = env_int("REQUEST_MAX_BODY_MB", 4, minimum=1) * 1_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# Uploads being received or checked, named after their process so files left by a killed web
# worker are swept (intake/upload_tempfiles.py). Django's checks want the folder to exist.
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)

# Transcription (see intake/transcription/).
TRANSCRIBE_ENGINE = env_choice(
    "TRANSCRIBE_ENGINE", "openai-whisper", ("openai-whisper", "faster-whisper")
)
WHISPER_MODEL = env_str("WHISPER_MODEL") or "tiny.en"
WHISPER_LANGUAGE = env_str("WHISPER_LANGUAGE") or None
WHISPER_CACHE_DIR = Path(env_str("WHISPER_CACHE_DIR") or VAR_DIR / "models")
# Half the cores by default: on a shared box the web server, Redis and the database need the
# rest, and torch slows down sharply when its threads compete for cores (measured: 2 threads
# took 3.5x longer than 1 on a loaded 2-core machine). A dedicated worker machine sets
# workers x WHISPER_THREADS to about its core count.
WHISPER_THREADS = env_int("WHISPER_THREADS", max(1, (os.cpu_count() or 2) // 2), minimum=1)
# Transient failures (a Redis blip, a timeout, a crash in the model) are retried after these
# many seconds each; permanent ones (undecodable audio, no model) fail at once.
TRANSCRIPTION_RETRY_INTERVALS = [
    int(seconds) for seconds in env_list("TRANSCRIPTION_RETRY_INTERVALS", ["10", "60", "300"])
]
# Job timeout = base + factor x audio length (seconds).
TRANSCRIPTION_TIMEOUT_BASE = env_int("TRANSCRIPTION_TIMEOUT_BASE", 180, minimum=1)
TRANSCRIPTION_TIMEOUT_FACTOR = env_int("TRANSCRIPTION_TIMEOUT_FACTOR", 4, minimum=1)
TRANSCRIPTION_ASSUMED_AUDIO_SECONDS = 600
# How often a worker looks for submissions stuck without a live job.
TRANSCRIPTION_SWEEP_SECONDS = env_int("TRANSCRIPTION_SWEEP_SECONDS", 60, minimum=5)
# Load the model when a worker starts, so even the first job is warm.
TRANSCRIPTION_WARM_ON_START = env_bool("TRANSCRIPTION_WARM_ON_START", default=True)

# Topics (see episodes/matching/; figures from bench/topics.py).
# Below this relevance no topic is suggested: "love the show!" scores at most 0.17 on the
# example essay, real questions at least 0.20 but one.
TOPIC_MIN_SCORE = 0.18
# Two questions at or above this cosine similarity are shown as "similar" (merge candidates).
DUPLICATE_THRESHOLD = 0.65

# Email: console in development, SMTP (the EMAIL_* variables) otherwise.
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "mailbag@localhost"
HOST_NOTIFY_EMAILS = env_list("HOST_NOTIFY_EMAILS")
# Where Mailbag is reached (https://mailbag.example.com): links in emails and in run-sheets
# exported from the command line. Pages and downloads use the address they were asked on.
SITE_URL = (env_str("SITE_URL") or "").rstrip("/")

# Intake: the public question page (intake/views.py, intake/audio.py).
# Upload cap in bytes (SI megabytes), enforced while the body streams in, before it is stored.
SUBMISSION_MAX_UPLOAD_BYTES = env_int("SUBMISSION_MAX_UPLOAD_MB", 25, minimum=1) * 1_000_000
# A recording may run this much past the episode's max_audio_seconds (the recorder stops late).
SUBMISSION_AUDIO_GRACE_SECONDS = env_int("SUBMISSION_AUDIO_GRACE_SECONDS", 2, minimum=0)
# Wall-clock budget for probing one upload, so a crafted file cannot pin a web worker.
AUDIO_DECODE_TIMEOUT_SECONDS = env_int("AUDIO_DECODE_TIMEOUT_SECONDS", 10, minimum=1)
# Upload checks at once on this machine (each may keep a core busy for the whole budget, and
# an honest one mostly waits for a new interpreter to start): one per core, at least 2.
AUDIO_CHECK_CONCURRENCY = env_int("AUDIO_CHECK_CONCURRENCY", max(2, os.cpu_count() or 2), minimum=1)
# How long an upload waits for a free check slot before the listener is asked to send again:
# a few seconds of waiting beats "busy" after a rush of voice messages at the deadline.
AUDIO_CHECK_WAIT_SECONDS = env_int("AUDIO_CHECK_WAIT_SECONDS", 8, minimum=0)
# Refused uploads per client IP, "<count>/<window>" like SUBMISSION_RATE_LIMIT; 0 = off.
UPLOAD_REJECTION_LIMIT = env_str("UPLOAD_REJECTION_LIMIT") or "5/10m"
if not re.fullmatch(r"0|[1-9]\d*/(?:[1-9]\d*)?[smhd]", UPLOAD_REJECTION_LIMIT):
    raise ImproperlyConfigured(
        f"UPLOAD_REJECTION_LIMIT must look like 5/10m or 0; got {UPLOAD_REJECTION_LIMIT!r}"
    )
# Accepted submissions per client IP: "<count>/<window>" with s, m, h or d ("5/10m"); 0 = off.
SUBMISSION_RATE_LIMIT = env_str("SUBMISSION_RATE_LIMIT") or "5/10m"
if not re.fullmatch(r"0|[1-9]\d*/(?:[1-9]\d*)?[smhd]", SUBMISSION_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"SUBMISSION_RATE_LIMIT must look like 5/10m or 0; got {SUBMISSION_RATE_LIMIT!r}"
    )
# Behind a reverse proxy: the header carrying the client address (e.g. X-Forwarded-For) and
# how many proxies we own in front of the app; the address is taken that many entries from
# the right, the part no client can forge. Empty: REMOTE_ADDR.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER") or ""
CLIENT_IP_PROXY_COUNT = env_int("CLIENT_IP_PROXY_COUNT", 1, minimum=1)
# Host notifications are sent by the worker (intake/notifications.py); still, never let a slow
# mail server hang it for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
FILE_UPLOAD_HANDLERS = [
    # First, so the ask page keeps only its `audio` file and stops it at the cap.
    "intake.upload_limits.AudioUploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "intake.upload_tempfiles.OwnedTemporaryFileUploadHandler",
]

# Security: strict by default whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
# Scripts and styles only from our own static files: no inline script, no style attributes.
# The ask page adds `blob:` to media-src for the recorder's preview (intake/views.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# No page may use these; the ask page alone turns the microphone on for itself (intake/views.py).
PERMISSIONS_POLICY = {
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
# A friendly page in the site's look instead of "CSRF verification failed" (config/errors.py).
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
