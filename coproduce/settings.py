"""Settings, all from the environment (see README's configuration table).

Every value has a safe default for a developer's machine; production sets COPRODUCE_DEBUG=false
and a real COPRODUCE_SECRET_KEY. Importing this module never writes a file.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from coproduce.lib.db import DEFAULT_CONN_MAX_AGE, sqlite_config
from coproduce.lib.env import env_bool, env_int, env_list, env_secret, env_str, served_url
from coproduce.security.secretkey import DEV_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("COPRODUCE_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()

DEBUG = env_bool("COPRODUCE_DEBUG", False)
# Refused by `check --deploy` and by `serve` over HTTPS (coproduce/security/secretkey.py).
_DEV_SECRET = DEV_SECRET_KEY
SECRET_KEY = env_secret("COPRODUCE_SECRET_KEY", _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET and env_bool("COPRODUCE_REQUIRE_SECRET", False):
    raise ImproperlyConfigured("COPRODUCE_SECRET_KEY must be set when COPRODUCE_REQUIRE_SECRET")

ALLOWED_HOSTS = env_list(
    "COPRODUCE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("COPRODUCE_CSRF_TRUSTED_ORIGINS", [])
# The start of every link in emails and feeds. Unset, it is the address `coproduce serve` answers
# on (HOST and PORT, as `make run` passes them); `serve --port` passes its own to its processes.
# A production site sets it to its https:// address (a deploy check warns otherwise).
SITE_URL_SET = bool(env_str("COPRODUCE_SITE_URL").strip())
SITE_URL = (
    env_str("COPRODUCE_SITE_URL").strip()
    or served_url(env_str("HOST", "127.0.0.1"), env_int("PORT", 8000, minimum=1))
).rstrip("/")
COLLABORATION_NAME = env_str(
    "COPRODUCE_COLLABORATION_NAME",
    "CLAHRC Nottinghamshire, Derbyshire and Lincolnshire",
)
COLLABORATION_SHORT_NAME = env_str("COPRODUCE_COLLABORATION_SHORT_NAME", "CLAHRC-NDL")
# Only the benchmark turns this on: it exposes /bench/bare/, the base layout with no data.
BENCH_BARE_PAGE = env_bool("COPRODUCE_BENCH_BARE_PAGE", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "coproduce.audit",
    "coproduce.contacts",
    "coproduce.registry",
    "coproduce.community",
    "coproduce.events",
    "coproduce.comms",
    "coproduce.implementation",
    "coproduce.funding",
    "coproduce.priorities",
    "coproduce.coproduction",
    "coproduce.qualitative",
    "coproduce.governance",
    "coproduce.pagecache",
    "coproduce.figures",
    "coproduce.pages",
    "coproduce.operations",
    "coproduce.apitokens",
    "coproduce.webhooks",
    "coproduce.staff",
    "coproduce.security",
    "coproduce.api",
    "coproduce.demo",
]

MIDDLEWARE = [
    # First: a body over its page's limit is answered 413 before anything reads it.
    "coproduce.security.limits.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous GETs of public pages from a per-process cache, before sessions and CSRF.
    "coproduce.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "coproduce.security.sessions.SessionTimeoutMiddleware",
    # django-otp's OTPMiddleware, taking the device from what the sign-in backend read.
    "coproduce.security.signedin.VerifiedDeviceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "coproduce.security.twofactor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "coproduce.security.csp.ContentSecurityPolicyMiddleware",
    # Last: a bare 405 becomes the 405 error page before the others add their headers.
    "coproduce.pages.errors.NotAllowedPageMiddleware",
]
# A form sent without its CSRF token: the error page family's "form could not be sent".
CSRF_FAILURE_VIEW = "coproduce.pages.errors.csrf_failure"

# Seconds a public page stays in the page cache at most (coproduce/pagecache/__init__.py); 0: off.
PAGE_CACHE_SECONDS = env_int("COPRODUCE_PAGE_CACHE_SECONDS", 60, minimum=0)

# <select> drawn without a template include per option (3,000-option filters at national scale).
FORM_RENDERER = "coproduce.lib.formrenderer.FastSelectRenderer"

ROOT_URLCONF = "coproduce.urls"
WSGI_APPLICATION = "coproduce.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # `{% url %}` with its answers kept per process (coproduce/lib/templateurls.py).
            "builtins": ["coproduce.lib.templateurls"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coproduce.pages.context_processors.collaboration",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL (postgres://...) selects PostgreSQL. Either way connections
# persist between requests, checked before each request's first use (coproduce/lib/db.py):
# opening one cost more than a small page. Each request thread holds one: WEB_WORKERS x
# WEB_THREADS, plus the worker's two, must stay below PostgreSQL's max_connections (100 by
# default); 0 closes them after every request (behind a pooler such as PgBouncer, say).
_conn_max_age = env_int("COPRODUCE_DB_CONN_MAX_AGE", DEFAULT_CONN_MAX_AGE, minimum=0)
_database_url = env_str("DATABASE_URL")
if _database_url:
    _parsed = dj_database_url.parse(
        _database_url, conn_max_age=_conn_max_age, conn_health_checks=True
    )
    if _parsed["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES = {"default": sqlite_config(_parsed["NAME"], _conn_max_age)}
    elif _parsed["ENGINE"] == "django.db.backends.postgresql":
        DATABASES = {"default": dict(_parsed)}
    else:
        raise ImproperlyConfigured("DATABASE_URL must name a postgres:// or sqlite:// database")
else:
    DATABASES = {"default": sqlite_config(DATA_DIR / "coproduce.sqlite3", _conn_max_age)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's ModelBackend, reading the user's groups and two-factor devices with the user: one
# query a request for all three (coproduce/security/signedin.py).
AUTHENTICATION_BACKENDS = ["coproduce.security.signedin.SignedInBackend"]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "pages:home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The project's own assets (layout CSS/JS and vendored NHS.UK frontend, htmx, vega).
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders when collectstatic has not run (tests, benchmarks).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "uploads"

# Email: SMTP when EMAIL_HOST is set, otherwise one file per message under DATA_DIR/mail.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "coproduce <no-reply@coproduce.localhost>")
ENQUIRIES_EMAIL = env_str("COPRODUCE_ENQUIRIES_EMAIL", "enquiries@coproduce.localhost")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The outbox (coproduce/comms/outbox.py): how long a worker's claim on a batch of messages lasts
# before another worker may take it over (a dead worker on the same host is noticed at once).
COPRODUCE_OUTBOX_LEASE_SECONDS = env_int("COPRODUCE_OUTBOX_LEASE_SECONDS", 120, minimum=10)
# Temporary bounces (4.x.x) within 30 days that suppress an address.
COPRODUCE_SOFT_BOUNCE_LIMIT = env_int("COPRODUCE_SOFT_BOUNCE_LIMIT", 3, minimum=1)
# Retention (storage limitation, UK GDPR Art 5(1)(e); docs/operations.md "Retention"): the
# worker's clock removes, after this many days, join-form submissions never confirmed (with the
# pending associate and its consent records; the link itself dies after 7 days), the addresses
# and bodies of outbox messages already sent, failed or cancelled (and mail-folder files), and
# enquiries answered or closed.
COPRODUCE_RETENTION_UNCONFIRMED_DAYS = env_int(
    "COPRODUCE_RETENTION_UNCONFIRMED_DAYS", 30, minimum=8
)
COPRODUCE_RETENTION_OUTBOX_DAYS = env_int("COPRODUCE_RETENTION_OUTBOX_DAYS", 90, minimum=1)
COPRODUCE_RETENTION_ENQUIRY_DAYS = env_int("COPRODUCE_RETENTION_ENQUIRY_DAYS", 365, minimum=1)
# Likely duplicate contacts (coproduce/contacts/matching.py; docs/operations.md "Contacts"):
# which matching rules fill the review queue (comma-separated: mailbox, name_and_organisation,
# phone), and the fewest digits a phone number must have to be compared.
COPRODUCE_CONTACT_MATCH_RULES = tuple(
    env_list("COPRODUCE_CONTACT_MATCH_RULES", ["mailbox", "name_and_organisation", "phone"])
)
COPRODUCE_CONTACT_MATCH_PHONE_DIGITS = env_int("COPRODUCE_CONTACT_MATCH_PHONE_DIGITS", 9, minimum=6)
# Governance: the largest protocol document accepted (bytes), and the days a condition may stay
# unmet before the governance dashboard lists it.
COPRODUCE_PROTOCOL_MAX_BYTES = env_int(
    "COPRODUCE_PROTOCOL_MAX_BYTES", 20 * 1024 * 1024, minimum=1024
)
# Request size and uploads (coproduce/security/limits.py, .../uploads.py; docs/operations.md):
# the largest body of a request without a file; zip containers' entries and unpacked size.
COPRODUCE_MAX_REQUEST_BYTES = env_int("COPRODUCE_MAX_REQUEST_BYTES", 2 * 1024 * 1024, minimum=1024)
COPRODUCE_UPLOAD_MAX_ZIP_ENTRIES = env_int("COPRODUCE_UPLOAD_MAX_ZIP_ENTRIES", 1000, minimum=1)
COPRODUCE_UPLOAD_MAX_EXPANDED_BYTES = env_int(
    "COPRODUCE_UPLOAD_MAX_EXPANDED_BYTES", 200 * 1024 * 1024, minimum=1024
)
# The first handler stops a file part at its page's limit while the body is read.
FILE_UPLOAD_HANDLERS = [
    "coproduce.security.limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
COPRODUCE_CONDITION_DAYS = env_int("COPRODUCE_CONDITION_DAYS", 60, minimum=1)
# How often the worker clock queues the collaboration network analysis (it runs only when
# the network has changed since the stored run; a manager can also run it from its page).
COPRODUCE_NETWORK_REFRESH_MINUTES = env_int("COPRODUCE_NETWORK_REFRESH_MINUTES", 60, minimum=1)
# A published studies-by-theme table the report page offers to compare with, and the date its
# figures are as at (ISO date). The defaults are the demo collaboration's: Table 1 of the paper
# describing CLAHRC-NDL (Rowley et al., Implementation Science 2012, 7:40), true in 2012. Set
# COPRODUCE_PUBLISHED_TABLE to an empty string to hide the link.
COPRODUCE_PUBLISHED_TABLE = env_str(
    "COPRODUCE_PUBLISHED_TABLE",
    "Table 1 of the 2012 paper on CLAHRC-NDL (Implementation Science 7:40)",
)
COPRODUCE_PUBLISHED_TABLE_AS_AT = env_str("COPRODUCE_PUBLISHED_TABLE_AS_AT", "2012-06-01")
# Funding and capacity (coproduce/funding/): the value of one working day of a seconded
# diffusion fellow or other staff time given in kind, in whole pounds; the longest a fellow may
# be seconded (years, from their first secondment) and how many months before it to warn.
COPRODUCE_DF_DAY_VALUE = env_int("COPRODUCE_DF_DAY_VALUE", 300, minimum=0)
COPRODUCE_DF_CAP_YEARS = env_int("COPRODUCE_DF_CAP_YEARS", 5, minimum=1)
COPRODUCE_DF_CAP_WARNING_MONTHS = env_int("COPRODUCE_DF_CAP_WARNING_MONTHS", 6, minimum=0)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("COPRODUCE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Served over HTTPS (defaults to COPRODUCE_SECURE_COOKIES): redirect http to https and send HSTS.
# The local demo on http://127.0.0.1 leaves both off.
HTTPS = env_bool("COPRODUCE_HTTPS", SESSION_COOKIE_SECURE)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("COPRODUCE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("COPRODUCE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("COPRODUCE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a commitment for the whole domain that its owner makes, not a default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
if env_bool("COPRODUCE_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The header a trusted proxy puts the client's address in (coproduce/security/clients.py), e.g.
# X-Forwarded-For; empty: the connection's address (REMOTE_ADDR).
COPRODUCE_TRUSTED_PROXY_HEADER = env_str("COPRODUCE_TRUSTED_PROXY_HEADER", "")
# Sign-in throttling (coproduce/security/throttle.py) and session limits (.../sessions.py).
COPRODUCE_SIGNIN_MAX_FAILURES = env_int("COPRODUCE_SIGNIN_MAX_FAILURES", 5, minimum=1)
COPRODUCE_SIGNIN_LOCK_MINUTES = env_int("COPRODUCE_SIGNIN_LOCK_MINUTES", 15, minimum=1)
COPRODUCE_SIGNIN_MAX_FAILURES_PER_CLIENT = env_int(
    "COPRODUCE_SIGNIN_MAX_FAILURES_PER_CLIENT", 20, minimum=1
)
COPRODUCE_SIGNIN_MAX_FAILURES_PER_ACCOUNT = env_int(
    "COPRODUCE_SIGNIN_MAX_FAILURES_PER_ACCOUNT", 20, minimum=1
)
COPRODUCE_SIGNIN_UNLOCK_MINUTES = env_int("COPRODUCE_SIGNIN_UNLOCK_MINUTES", 60, minimum=5)
COPRODUCE_SESSION_IDLE_MINUTES = env_int("COPRODUCE_SESSION_IDLE_MINUTES", 60, minimum=1)
COPRODUCE_SESSION_MAX_HOURS = env_int("COPRODUCE_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = COPRODUCE_SESSION_MAX_HOURS * 3600
# Public forms (coproduce/security/formlimits.py): submissions per window of this many minutes,
# per client address and form, and per mailbox over all public forms.
COPRODUCE_FORM_WINDOW_MINUTES = env_int("COPRODUCE_FORM_WINDOW_MINUTES", 60, minimum=1)
COPRODUCE_FORM_LIMIT_PER_CLIENT = env_int("COPRODUCE_FORM_LIMIT_PER_CLIENT", 60, minimum=1)
COPRODUCE_FORM_LIMIT_PER_ADDRESS = env_int("COPRODUCE_FORM_LIMIT_PER_ADDRESS", 10, minimum=1)
# Two-factor authentication (coproduce/security/twofactor.py): managers must set up an
# authenticator app; anyone who has one is asked for a code at sign-in either way.
COPRODUCE_REQUIRE_MANAGER_2FA = env_bool("COPRODUCE_REQUIRE_MANAGER_2FA", True)
OTP_TOTP_ISSUER = COLLABORATION_SHORT_NAME
# No per-device backoff: an attacker's wrong codes would make it refuse the owner's right one.
# Wrong codes count in the sign-in throttle instead, which the owner's unlock link gets past.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Django admin lists devices (to delete a lost one) but never shows their secrets.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Content-Security-Policy header on every response (coproduce/security/csp.py).
COPRODUCE_CSP = env_bool("COPRODUCE_CSP", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("COPRODUCE_LOG_LEVEL", "WARNING")},
}

# Webhooks (coproduce/webhooks/addresses.py): the hosts a subscription may send to, comma-separated;
# an entry starting with a dot allows any host under that domain (public addresses only).
# Empty: webhooks go nowhere.
WEBHOOK_ALLOWED_HOSTS = env_list("COPRODUCE_WEBHOOK_ALLOWED_HOSTS", [])
