"""Settings, all from environment variables (see README). SQLite in DATA_DIR is the default."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from qiangji.core import plausible
from qiangji.web.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    postgres_from_pg_env,
    sqlite_database,
)
from qiangji.web.static_headers import add_security_headers

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env_path("DATA_DIR", "./var")

# QIANGJI_ENV=production: no debug, the secret key and hosts only from the environment, HTTPS only.
PRODUCTION = env_str("QIANGJI_ENV", "development") == "production"
DEBUG = env_bool("QIANGJI_DEBUG", False) and not PRODUCTION
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION or not env_bool("QIANGJI_INSECURE_DEV_KEY", True):
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment")
    SECRET_KEY = "insecure-development-key-only-for-demo-and-tests"
elif PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters with at least 5 distinct ones")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "qiangji.web.staticfiles.SiteStaticFilesConfig",  # django.contrib.staticfiles, minus unused ninja files
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # its Swagger UI files, served from here for /api/v1/docs (no CDN)
    "qiangji.web.registry",
    "qiangji.web.excel",
    "qiangji.web.assessment",
    "qiangji.web.publication",
    "qiangji.web.comparisons",
    "qiangji.web.programme",
    "qiangji.web.steering",
    "qiangji.web.accounts",
    "qiangji.web.api",
    "qiangji.web.inbox",
    "qiangji.web.jobs",
]

# Background jobs (qiangji.web.jobs): django-tasks with its database backend, so a job is a row in the same
# database and needs no broker; `qiangji worker` runs them (`qiangji demo` / `qiangji serve` start one beside
# the development server). QIANGJI_TASKS_BACKEND=immediate runs each job inside the request instead.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env_str("QIANGJI_TASKS_BACKEND") == "immediate"
        else "django_tasks_db.DatabaseBackend"
    }
}

MIDDLEWARE = [
    "qiangji.web.compression.TextGZipMiddleware",  # outermost: compresses what every later one answers
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # /static/ under any WSGI server; see STORAGES below
    "qiangji.web.accounts.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qiangji.web.accounts.middleware.AuditContextMiddleware",
    "qiangji.web.accounts.sessions.SessionTimeoutMiddleware",
    "qiangji.web.accounts.denials.DeniedAccessAuditMiddleware",
    "qiangji.web.accounts.middleware.AccessPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "qiangji.web.urls"
WSGI_APPLICATION = "qiangji.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "web" / "templates"],
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


def _database() -> dict[str, object]:
    url = env_str("DATABASE_URL")
    if url:
        return database_from_url(url)
    if env_str("QIANGJI_DB") == "postgres":
        return postgres_from_pg_env()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return sqlite_database(DATA_DIR / "qiangji.sqlite3")


DATABASES = {"default": _database()}

# "default" (API rate limits, per-process look-ups) is in memory. "pages" holds what the public pages derive
# from final publications (qiangji.web.publication.pagecache: page bodies, figures, PDFs, workbooks): file
# based, so every server process shares it without a cache server.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_path("QIANGJI_PAGE_CACHE", str(DATA_DIR / "cache" / "pages")),
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": env_int("QIANGJI_PAGE_CACHE_ENTRIES", 5000)},
    },
    # C3/C4 per institution and period under a fingerprint of the rows they read (registry/audit_cache.py);
    # files, so that the server and the worker share them; safe to delete.
    "audit": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_path("QIANGJI_AUDIT_CACHE", str(DATA_DIR / "cache" / "audit")),
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": env_int("QIANGJI_AUDIT_CACHE_ENTRIES", 100_000)},
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "qiangji.web.accounts.passwords.PatternPasswordValidator"},  # aaaa, qwer, 1234, dcba
]

AUTHENTICATION_BACKENDS = ["qiangji.web.accounts.throttle.ThrottledBackend"]
QIANGJI_SECURITY = {
    "LOGIN_FAILURE_LIMIT": env_int("QIANGJI_LOGIN_FAILURE_LIMIT", 5),
    "LOGIN_FAILURE_LIMIT_PER_USER": env_int("QIANGJI_LOGIN_FAILURE_LIMIT_PER_USER", 20),
    # failures from one client address, any usernames (a password spray); an office behind NAT shares one
    "LOGIN_FAILURE_LIMIT_PER_IP": env_int("QIANGJI_LOGIN_FAILURE_LIMIT_PER_IP", 30),
    "LOGIN_LOCKOUT_MINUTES": env_int("QIANGJI_LOGIN_LOCKOUT_MINUTES", 15),
    # Session timeouts (qiangji.web.accounts.sessions): idle and absolute, enforced on the server.
    "SESSION_IDLE_MINUTES": env_int("QIANGJI_SESSION_IDLE_MINUTES", 30),
    "SESSION_MAX_HOURS": env_int("QIANGJI_SESSION_MAX_HOURS", 8),
    # API rate limits (qiangji.web.api.throttle), "N/s|m|h|d": per token user, per address for the public.
    "API_RATE_USER": env_str("QIANGJI_API_RATE_USER", "600/m"),
    "API_RATE_ANON": env_str("QIANGJI_API_RATE_ANON", "60/m"),
}

# Cookies, headers and HTTPS (Django deployment checklist; OWASP ASVS 3.4, 14.4).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("QIANGJI_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "qiangji.web.errors.csrf_failure"  # the site's own page, in its layout
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION or env_bool("QIANGJI_SECURE_COOKIES", False)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("QIANGJI_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("QIANGJI_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("QIANGJI_HSTS_PRELOAD", True)
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
    if env_bool("QIANGJI_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not env_str("ALLOWED_HOSTS"):
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the environment in production")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "web" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Production (`qiangji serve --production` runs collectstatic first): hashed, compressed copies in
# STATIC_ROOT, served by WhiteNoise with a long immutable cache for hashed names only. Development and tests:
# the plain storage, files found in the apps on each request (no collectstatic, no manifest needed).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not PRODUCTION
WHITENOISE_ADD_HEADERS_FUNCTION = add_security_headers
WHITENOISE_ALLOW_ALL_ORIGINS = False  # no cross-origin user of these files (CORP same-origin)
MEDIA_ROOT = DATA_DIR / "media"  # evidence files; never served directly, only by permission-checked views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
QIANGJI_MAX_UPLOAD_BYTES = env_int("QIANGJI_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Checked in every uploaded .xlsx before parsing (qiangji.web.uploads.check_xlsx); sizes as declared in the
# zip's central directory; QIANGJI_XLSX_<NAME> in the environment overrides each one.
QIANGJI_XLSX_LIMITS = {
    name: env_int(f"QIANGJI_XLSX_{name}", default)
    for name, default in {
        "MAX_UNCOMPRESSED_BYTES": 100 * 1024 * 1024,  # all members together
        "MAX_MEMBER_BYTES": 50 * 1024 * 1024,  # one member
        "MAX_MEMBERS": 1000,
        "MAX_RATIO": 100,  # uncompressed : compressed, for members above RATIO_FLOOR_BYTES
        "RATIO_FLOOR_BYTES": 1024 * 1024,  # small parts (styles, shared strings) legitimately compress well
        "MAX_SHEETS": 50,
        "MAX_ROWS": 50_000,  # per worksheet, header included
    }.items()
}

# Registry imports (the Excel page, `qiangji import`) take a year of a city's certificates in one file: their
# own byte limit, and their own xlsx limits on top of QIANGJI_XLSX_LIMITS (the zip-bomb guards stay: ratio,
# members, encryption, macros, links). A CSV file is counted by its lines. QIANGJI_IMPORT_<NAME> overrides.
QIANGJI_IMPORT_MAX_BYTES = env_int("QIANGJI_IMPORT_MAX_BYTES", 256 * 1024 * 1024)
QIANGJI_IMPORT_LIMITS = {
    name: env_int(f"QIANGJI_IMPORT_{name}", default)
    for name, default in {
        "XLSX_MAX_ROWS": 300_000,  # per worksheet, header included (about 250 MiB of sheet XML)
        "XLSX_MAX_MEMBER_BYTES": 300 * 1024 * 1024,
        "XLSX_MAX_UNCOMPRESSED_BYTES": 400 * 1024 * 1024,
        "CSV_MAX_ROWS": 1_100_000,  # lines, header included: a million certificates with room to spare
    }.items()
}
# Web imports of a file larger than this run as a background job with a progress page (issue 13 L10: a
# 139 s import outlived the proxy's 120 s timeout); smaller ones (well under a second) answer at once.
# PostgreSQL: an import of at least this many new rows, and at least 1/SHARE of the rows already stored,
# checks its table's foreign keys with one query per constraint instead of one per row (qiangji.web.excel.
# setchecks; the table is locked against other sessions' reads until the import commits: README, deployment).
QIANGJI_IMPORT_SET_CHECK_ROWS = env_int("QIANGJI_IMPORT_SET_CHECK_ROWS", 100_000)
QIANGJI_IMPORT_SET_CHECK_SHARE = env_int("QIANGJI_IMPORT_SET_CHECK_SHARE", 4)
QIANGJI_IMPORT_INLINE_MAX_BYTES = env_int("QIANGJI_IMPORT_INLINE_MAX_BYTES", 1024 * 1024)

LOGIN_URL = "accounts:login"  # the site's own page; the admin's login URL redirects there
# Signing in without a ?next= lands on the user's own home page (待办, qiangji.web.inbox), not the admin.
LOGIN_REDIRECT_URL = "inbox:home"

# Email (notifications, qiangji.web.inbox; programme alerts). SMTP when EMAIL_HOST is set; otherwise the
# console backend prints each message (development, `make demo`). Tests use Django's locmem backend.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)  # an unreachable server must not hold a workflow step for long
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "qiangji@localhost")
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)


def _holidays(days: list[str]) -> list[dt.date]:
    try:
        return [dt.date.fromisoformat(day) for day in days]
    except ValueError:
        raise ImproperlyConfigured(
            f"QIANGJI_HOLIDAYS must be YYYY-MM-DD dates, comma-separated, got {days}"
        ) from None


# Programme constants (docs/settings.md#programme): configurable, never hard-coded in the code that uses them.
QIANGJI = {
    "STANDARD_CERT_VALIDITY_YEARS": env_int("QIANGJI_STANDARD_CERT_VALIDITY_YEARS", 5),
    "REEXAM_LEAD_MONTHS": env_int("QIANGJI_REEXAM_LEAD_MONTHS", 6),
    "RM_REGISTRATION_VALIDITY_YEARS": env_int("QIANGJI_RM_REGISTRATION_VALIDITY_YEARS", 5),
    "MIN_STAFF_PER_STANDARD": env_int("QIANGJI_MIN_STAFF_PER_STANDARD", 2),
    "RM_COVERAGE_TARGET_PCT": env_int("QIANGJI_RM_COVERAGE_TARGET_PCT", 80),
    # registry pages: a certificate or registration ending within this many days is flagged "expiring"
    "EXPIRY_WARNING_DAYS": env_int("QIANGJI_EXPIRY_WARNING_DAYS", 90),
    # denominator of registered-metrologist coverage (domain §2.5): verification | technical | all
    "RM_COVERAGE_DENOMINATOR": env_str("QIANGJI_RM_COVERAGE_DENOMINATOR", "verification"),
    "CATALOGUE_VERSION": env_str("QIANGJI_CATALOGUE_VERSION", "2020-42"),
    # Registered-metrologist pipeline (programme/pipeline.py): CE hours a renewal needs, the month in which a
    # year's exam results are known, lead times of the item assessment and of the registration after it.
    "RM_RENEWAL_CE_HOURS": env_int("QIANGJI_RM_RENEWAL_CE_HOURS", 60),
    "RM_EXAM_RESULTS_MONTH": env_int("QIANGJI_RM_EXAM_RESULTS_MONTH", 12),
    "RM_ITEM_ASSESSMENT_LEAD_DAYS": env_int("QIANGJI_RM_ITEM_ASSESSMENT_LEAD_DAYS", 90),
    "RM_REGISTRATION_LEAD_DAYS": env_int("QIANGJI_RM_REGISTRATION_LEAD_DAYS", 90),
    # A级 grading checklist (programme/criteria.py): a file in programme/data/ or an absolute path.
    "A_GRADE_CRITERIA": env_str("QIANGJI_A_GRADE_CRITERIA", "a_grade_criteria.yaml"),
    # C3/C4 read every certificate of the period (0); n > 0: a seeded sample of n per institution and item
    # (registry/audit.py, sample_rank), the seed and the drawn certificates stored in the run's snapshot.
    "CERTIFICATE_SAMPLE_SIZE": env_int("QIANGJI_CERTIFICATE_SAMPLE_SIZE", 0),
    "CERTIFICATE_SAMPLE_SEED": env_int("QIANGJI_CERTIFICATE_SAMPLE_SEED", 0),
    "OBJECTION_PERIOD_WORKING_DAYS": env_int("QIANGJI_OBJECTION_PERIOD_WORKING_DAYS", 5),
    # Public holidays (YYYY-MM-DD, comma-separated) that do not count as working days of the objection period.
    "HOLIDAYS": _holidays(env_list("QIANGJI_HOLIDAYS", "")),
    "ISSUING_UNIT": env_str("QIANGJI_ISSUING_UNIT", "台州市计量技术研究院（示例）"),
    # 文号 of a final bulletin: {year} the year of publication, {number} its sequence among that year's
    # final publications (frozen in the publication's content; the Word edition can still be edited).
    "DOCUMENT_NUMBER": env_str("QIANGJI_DOCUMENT_NUMBER", "台计量〔{year}〕{number}号"),
    # How to reach the programme office (telephone, email), shown on the login and error pages.
    "CONTACT": env_str("QIANGJI_CONTACT", ""),
    # Programme alerts (programme/alerts.py): lead times, and email delivery (off by default).
    "ALERT_LEAD_MONTHS": env_int("QIANGJI_ALERT_LEAD_MONTHS", 6),
    "INSTRUMENT_ALERT_LEAD_DAYS": env_int("QIANGJI_INSTRUMENT_ALERT_LEAD_DAYS", 60),
    "DEADLINE_ALERT_DAYS": env_int("QIANGJI_DEADLINE_ALERT_DAYS", 30),
    "ALERT_EMAIL_ENABLED": env_bool("QIANGJI_ALERT_EMAIL_ENABLED", False),
    "ALERT_EMAIL_TO": env_list("QIANGJI_ALERT_EMAIL_TO", ""),
    # Notifications (qiangji.web.inbox; `qiangji remind`, run daily): days before a reporting deadline and
    # before a rectification's due date that reporters are reminded; the site's address for email links.
    "REMIND_DEADLINE_DAYS": env_int("QIANGJI_REMIND_DEADLINE_DAYS", 3),
    "REMIND_RECTIFICATION_DAYS": env_int("QIANGJI_REMIND_RECTIFICATION_DAYS", 7),
    "SITE_URL": env_str("QIANGJI_SITE_URL", "").rstrip("/"),
}

# Plausible dates (qiangji.web.plausible): period years, finding due dates and comparison measurement dates
# must lie from EARLIEST_YEAR to this year + YEARS_AHEAD (a 9999 period or due date is a typing error).
QIANGJI_PLAUSIBLE = {
    "EARLIEST_YEAR": env_int("QIANGJI_EARLIEST_YEAR", plausible.EARLIEST_YEAR),
    "YEARS_AHEAD": env_int("QIANGJI_YEARS_AHEAD", plausible.YEARS_AHEAD),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
