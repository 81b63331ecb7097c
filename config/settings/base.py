"""Settings shared by every environment. Values come from the environment (style.md §11)."""

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_list, env_str

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("KEHOACH_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Demo users and data are created only when this is on (make run turns it on).
KEHOACH_DEMO = env_bool("KEHOACH_DEMO", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "kehoach.core",
    "kehoach.jobs",
    "kehoach.geo",
    "kehoach.catalog",
    "kehoach.accounts",
    "kehoach.approvals",
    "kehoach.plans",
    "kehoach.synthesis",
    "kehoach.exchange",
    "kehoach.monitoring",
    "kehoach.midterm",
    "kehoach.portal",
    "rest_framework",
    "drf_spectacular",
    "kehoach.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kehoach.core.csp.ContentSecurityPolicyMiddleware",
    # Pages go over slow links: compress them (Django masks the CSRF token per response, which
    # defeats BREACH-style guessing through compression); the portal's stored open-data files
    # are sent as built (decisions.md D55).
    "kehoach.portal.middleware.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "kehoach.core.middleware.NormalizeTextMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "kehoach.core.refusals.ApplicationErrorMiddleware",
    "kehoach.core.conflicts.ConcurrentWriteMiddleware",
    # writes under /api/ are marked as such in the history (kehoach/core/channel.py)
    "kehoach.api.middleware.ApiWritesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kehoach" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kehoach.accounts.context_processors.navigation",
                "kehoach.approvals.views.unread_count",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kehoach.sqlite3'}"),
        conn_max_age=int(env_str("CONN_MAX_AGE", "60")),
        conn_health_checks=True,  # a kept connection the server closed is replaced, not an error
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with a decimal reader that never raises (kehoach/core/backends, D43).
    DATABASES["default"]["ENGINE"] = "kehoach.core.backends.sqlite3"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    # Write transactions take the write lock when they begin (BEGIN IMMEDIATE) and wait up to
    # `timeout` seconds for it; a DEFERRED one that reads first and then writes gets "database
    # is locked" at once, without waiting (D43).
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )

# A read replica (optional): the reads of read-only pages (roll-ups, portal, open data, the
# province export) go to it, everything else to `default` (kehoach/core/routers.py, docs/deploy.md).
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL", ""),
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
DATABASE_ROUTERS = ["kehoach.core.routers.ReplicaRouter"]

# Rendered parts of pages kept under a digest of what they read (the province roll-up's
# tables, the commune plan's table, public pages of published plans: decisions.md D67–D69): a
# stale entry is never read, only aged out. Each process keeps its own, at most MAX_ENTRIES
# (~100 KB each: ~50 MB a process at most); docs/deploy.md says how to share one between
# gunicorn workers.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kehoach",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 500},
    }
}

# REST API v1 (issue 17, kehoach/api, docs/api.md): a personal access token or the session,
# every list scoped by the user's selector, errors as problem details, JSON only (no browsable
# API: the pages are the site's own).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kehoach.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "kehoach.api.permissions.TokenScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["kehoach.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "kehoach.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "kehoach.api.problems.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per token (per user for the session) through the API: "<n>/<sec|min|hour|day>".
KEHOACH_API_RATE = env_str("KEHOACH_API_RATE", "600/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "kehoach API",
    "DESCRIPTION": (
        "Kế hoạch phát triển thôn, xã có sự tham gia: đọc và ghi như các trang, cùng quy tắc, "
        "cùng phạm vi. — Participatory village and commune development plans: read and write "
        "as the pages do, with the same rules and the same scope."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # the operations of every batch of lines (proposals, commune lines, envelope lines)
    "ENUM_NAME_OVERRIDES": {
        "BatchOperationEnum": ["add", "change", "remove", "restore"],
        # the allocation procedures (a run addressed by its procedure, its results read)
        "AllocationModeEnum": ["greedy", "optimal"],
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "kehoach.accounts.backends.RolePermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failures (django-axes): 5 failures per user name and address,
# unlocked after 15 minutes or by an administrator (`axes_reset`).
AXES_FAILURE_LIMIT = int(env_str("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "kehoach_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "kehoach" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Files that are never served by URL (uploaded workbooks): read only through views that check
# who asks.
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Static files are served by whitenoise; in development and tests straight from the apps.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Documents (decision D44): PDF and Word of an approved or published version are rendered once
# and kept in PRIVATE_MEDIA_ROOT; every other render (drafts, the poster, a first rendering) is
# limited per user: this many in progress at once, this many started per minute. A render not
# finished after KEHOACH_RENDER_ABANDONED_AFTER seconds (its worker was killed) stops counting
# as in progress.
KEHOACH_RENDERS_AT_ONCE = int(env_str("KEHOACH_RENDERS_AT_ONCE", "1"))
KEHOACH_RENDERS_PER_MINUTE = int(env_str("KEHOACH_RENDERS_PER_MINUTE", "6"))
KEHOACH_RENDER_ABANDONED_AFTER = int(env_str("KEHOACH_RENDER_ABANDONED_AFTER", "120"))

# Background jobs (issue 16, decision on django-tasks): tasks are rows of the database that
# `manage.py db_worker` processes run (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so any
# number of workers; one on a laptop, started by `make run`). No other server is needed.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A province export of at most this many lines is downloaded at once; a larger one runs as a
# job (its page says so and starts it).
KEHOACH_EXPORT_DIRECT_MAX_LINES = int(env_str("KEHOACH_EXPORT_DIRECT_MAX_LINES", "5000"))
# A workbook whose check found at most this many changes is applied in the request when it is
# confirmed; a larger one is applied by a job (the person follows it on the job's page).
KEHOACH_IMPORT_DIRECT_MAX_LINES = int(env_str("KEHOACH_IMPORT_DIRECT_MAX_LINES", "2000"))
