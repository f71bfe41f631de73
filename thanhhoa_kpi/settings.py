"""Settings for thanhhoa_kpi: one module, every deployment value from the environment.

Profiles: ``DJANGO_ENV=development`` (default: DEBUG on, SQLite unless DATABASE_URL is
set) and ``DJANGO_ENV=production`` (secure cookies, HSTS, SSL redirect; must pass
``manage.py check --deploy``). Tests use ``DATABASE_URL`` pointing at MariaDB.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from thanhhoa_kpi.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
PROFILE = env_str("DJANGO_ENV", "development")
if PROFILE not in {"development", "production"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'")
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = env_str("SECRET_KEY") if PRODUCTION else env_str("SECRET_KEY", "dev-insecure-key-only-for-local-demo")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])


def _site_url() -> str:
    """The desk's public address, for the absolute links of e-mails (a mail client cannot
    follow "/admin/..."). Production defaults to https:// and the first named host."""
    hosts = [host for host in ALLOWED_HOSTS if host and host[0] not in ".*"]
    if PRODUCTION:
        url = env_str("SITE_URL", f"https://{hosts[0]}") if hosts else env_str("SITE_URL")
    else:
        url = env_str("SITE_URL", "http://localhost:8000")
    if not url.startswith(("http://", "https://")) or " " in url:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"SITE_URL must be an http:// or https:// address, got {url!r}")
    return url.rstrip("/")


SITE_URL = _site_url()

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.inlines",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
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
    "import_export",
    "simple_history",
    "treebeard",
    "django_rq",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "thanhhoa_kpi.core",
    "thanhhoa_kpi.accounts",
    "thanhhoa_kpi.organization",
    "thanhhoa_kpi.competencies",
    "thanhhoa_kpi.appraisals",
    "thanhhoa_kpi.workflow",
    "thanhhoa_kpi.catalogue",
    "thanhhoa_kpi.worklogs",
    "thanhhoa_kpi.transfer",
    "thanhhoa_kpi.customfields",
    "thanhhoa_kpi.reports",
    "thanhhoa_kpi.dashboards",
    "thanhhoa_kpi.audit",
    "thanhhoa_kpi.integrations",
    "thanhhoa_kpi.api",
    "thanhhoa_kpi.desk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Next to outermost (the 503 still gets the security headers): a Redis or database
    # outage met by a middleware below answers 503, not 500.
    "thanhhoa_kpi.core.outage.OutageResponseMiddleware",
    # Static files from STATIC_ROOT (collectstatic), straight after the security headers.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # API paths: oversize bodies answer 413 before anything reads them, and any HTML error
    # page (unknown path, 500) becomes the SPEC 8.1 body.
    "thanhhoa_kpi.api.middleware.ApiErrorBodyMiddleware",
    # Reads shared within one request (custom field definitions, postings): core/memo.py.
    "thanhhoa_kpi.core.memo.RequestMemoMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The request being answered, for the desk's read-only links (desk/related_links.py).
    "thanhhoa_kpi.desk.related_links.DeskRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "thanhhoa_kpi.accounts.middleware.IdleSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    # Redis down: a clear 503 (SPEC 8.1 body on the API), never a raw 500.
    "thanhhoa_kpi.core.outage.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "thanhhoa_kpi.urls"
WSGI_APPLICATION = "thanhhoa_kpi.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "thanhhoa_kpi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# --- Database: DATABASE_URL, or DB_* parts, or the zero-setup SQLite demo -------------
_db_url = env_str("DATABASE_URL", "")
if not _db_url and env_str("DB_NAME", ""):
    _db_url = "mysql://{user}:{password}@{host}:{port}/{name}".format(
        user=env_str("DB_USER", "root"),
        password=env_str("DB_PASSWORD", ""),
        host=env_str("DB_HOST", "127.0.0.1"),
        port=env_int("DB_PORT", 3306),
        name=env_str("DB_NAME"),
    )
if not _db_url:
    _db_url = f"sqlite:///{BASE_DIR / 'var' / 'demo.sqlite3'}"
# A kept connection is pinged when a request first uses it (CONN_HEALTH_CHECKS): one that
# HAProxy closed when its Galera node died, or that a restarted MariaDB dropped, is
# replaced by a new one instead of failing the request (issue 13; core/retry.py).
DATABASES = {
    "default": dj_database_url.parse(_db_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    # Django's backend plus the audit trail's pre-commit appends (core/precommit.py).
    DATABASES["default"]["ENGINE"] = "thanhhoa_kpi.core.mysql"
    DATABASES["default"]["OPTIONS"] = {
        "charset": "utf8mb4",
        "init_command": "SET sql_mode='STRICT_TRANS_TABLES', innodb_strict_mode=1",
        "isolation_level": "read committed",
    }
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded demo serving a small office (issue 13): WAL lets readers go on while one
    # writer writes; a writer waits up to SQLITE_TIMEOUT seconds for another instead of
    # failing with "database is locked"; BEGIN IMMEDIATE takes the write lock when a
    # transaction starts (a deferred one that read first cannot wait when it then writes);
    # the backend queues a process's writers before BEGIN (thanhhoa_kpi/core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "thanhhoa_kpi.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and RQ ---------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_PREFIX", "kpi"),
    }
}
# RQ_ASYNC=0 runs jobs in the calling process (tests); they still go through Redis.
RQ_QUEUES = {
    "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600, "ASYNC": env_bool("RQ_ASYNC", True)},
}

# --- Auth ----------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "thanhhoa_kpi.accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"
LOGIN_REDIRECT_URL = "/admin/"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Lock out a username from one address, never a whole office behind a proxy (IP only) nor
# a username everywhere (which lets anyone lock out the province's head). The client
# address is the one the trusted proxies saw: X-Forwarded-For is read only when
# TRUSTED_PROXY_COUNT > 0, and then only that many hops from the right.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# django-ipware is not installed, so axes would always use REMOTE_ADDR: the one client
# address function (also used by the API login throttle) decides instead.
AXES_CLIENT_IP_CALLABLE = "thanhhoa_kpi.accounts.client.client_address"
AXES_LOCKOUT_CALLABLE = "thanhhoa_kpi.accounts.lockout.lockout_response"
# Admins and authorities without a TOTP device are refused when this is on (SPEC 9).
OTP_ENFORCE = env_bool("OTP_ENFORCE", PRODUCTION)
OTP_TOTP_ISSUER = "KPI Thanh Hóa"

# --- Sessions and API tokens (docs/security.md) --------------------------------------
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 10 * 3600)  # absolute: one working day
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)  # seconds without a request
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
API_TOKEN_TTL = env_int("API_TOKEN_TTL", 10 * 3600)  # seconds a token lives after issue

# --- History: read-only, scoped timelines only (never simple-history's revert form) ----
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Content-Security-Policy (django-csp): no third-party origin and no inline script, so
# a stored value that slipped through escaping still cannot run (our scripts are static
# files: desk/static/desk/js/); unfold's Alpine.js needs 'unsafe-eval' and inline styles.
# django-rq's and Swagger UI's pages add 'unsafe-inline' for themselves (urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
    }
}

# --- Uploads and generated files -----------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)  # request bodies (not files)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Scheduled reports go only to these e-mail domains (and to the province's own accounts).
REPORT_MAIL_DOMAINS = env_list("REPORT_MAIL_DOMAINS", ["thanhhoa.gov.vn"])

# --- I18N ------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
# Vietnamese only: the project's own texts have no English catalogue, so an English switch
# translated only the framework's chrome (issue 11). A browser asking for English gets vi.
LANGUAGES = [("vi", _("Tiếng Việt"))]
LOCALE_PATHS = [BASE_DIR / "thanhhoa_kpi" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Whole numbers print plainly (years 2026, ids); decimals and counts in prose follow
# thanhhoa_kpi/formats/numbers.py (0,8 · 4,5 · 2.009).
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["thanhhoa_kpi.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
# WhiteNoise serves /static/ from the app server (gunicorn). In production (or with
# STATIC_MANIFEST=1, as `make serve` does) collectstatic writes hashed, compressed copies
# (cached for a year; every page names the current hashes) and a page naming a file
# that was not collected fails loudly; otherwise files are served as they are, found in
# the apps when DEBUG is on, so `make run` and the tests need no collectstatic.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG
# Uploaded files are served by the app after a scope check (desk/file_downloads.py), never
# by the web server: MEDIA_ROOT must stay outside nginx's document root.
MEDIA_URL = "/files/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000

# --- Email -----------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kpi@thanhhoa.gov.vn")

# --- REST API --------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens expire (API_TOKEN_TTL) and die with a password change or a logout.
        "thanhhoa_kpi.accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Strip control characters and bound every string of a request body (api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "thanhhoa_kpi.api.parsers.JSONParser",
        "thanhhoa_kpi.api.parsers.FormParser",
        "thanhhoa_kpi.api.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "thanhhoa_kpi.api.pagination.Pagination",  # ?page_size= up to 200
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "thanhhoa_kpi.api.filtering.FilterBackend",  # django-filter, its class built once (api/filtering.py)
        "thanhhoa_kpi.api.search.FoldedSearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "thanhhoa_kpi.api.errors.exception_handler",
    # "integrations": per sending system and address (api/integrations_api.py).
    "DEFAULT_THROTTLE_RATES": {"login": "10/min", "integrations": "600/min"},
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Thanh Hóa KPI API",
    "DESCRIPTION": "API đánh giá, xếp loại CBCCVC theo KPI (Nghị định 335/2025/NĐ-CP)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
SCHEMA_FILE = BASE_DIR / "thanhhoa_kpi" / "api" / "openapi.yaml"

# --- Desk (unfold) ----------------------------------------------------------------------
UNFOLD = {
    "SITE_TITLE": "KPI Thanh Hóa",
    "SITE_HEADER": "Hệ thống đánh giá KPI CBCCVC tỉnh Thanh Hóa",
    "SITE_SYMBOL": "insights",
    "SHOW_LANGUAGES": False,
    # The desk home shows the workspace of the user's main role (workspace/*.yaml).
    "DASHBOARD_CALLBACK": "thanhhoa_kpi.dashboards.views.dashboard_callback",
    # The desk's own rules (phone layouts, sentence-case labels): desk/static/desk/css/desk.css.
    "STYLES": ["thanhhoa_kpi.desk.styles.stylesheet"],
    # Names select2's pickers by their labels, marks the main landmark (desk/static/desk/js/a11y.js).
    "SCRIPTS": ["thanhhoa_kpi.desk.styles.a11y_script"],
    # The tab's icon (browsers otherwise ask for /favicon.ico and get a 404).
    "SITE_FAVICONS": [{"rel": "icon", "type": "image/svg+xml", "href": "thanhhoa_kpi.desk.styles.favicon"}],
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "thanhhoa_kpi.desk.navigation.sidebar",
    },
}

# --- Production hardening (check --deploy) ---------------------------------------------
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe the health checks over plain HTTP on the private side.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Upload limits for evidence files and imports.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
