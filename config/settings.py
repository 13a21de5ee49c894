"""Settings for the medborgarlöften portal, read from the environment.

Safe production defaults; local conveniences only when DJANGO_DEBUG is on.
Every variable is documented in README.md.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import cache_from_url, env_bool, env_int, env_list, env_str
from config.storage import default_storage

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "simple_history",
    # One registry of permission rules: each app's rules.py, asked through user.has_perm.
    "rules.apps.AutodiscoverRulesConfig",
    # Login lockout after repeated failures, per username and address together.
    "config.apps.LockoutConfig",  # axes, with a Swedish section name
    # TOTP second factor for staff (DJANGO_REQUIRE_2FA).
    "django_otp",
    "config.apps.TwoFactorConfig",  # django_otp.plugins.otp_totp
    # The database queue behind django.tasks (TASKS below); `manage.py db_worker` runs it.
    "config.apps.TaskQueueConfig",  # django_tasks_db
    "municipalities",
    "promises",
    "followup",
    "public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 304 Not Modified for a page whose ETag the client (or a proxy) already has.
    "django.middleware.http.ConditionalGetMiddleware",
    # Cached public pages for anonymous visitors, before any per-visitor work (public/cache.py).
    "public.cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    # Axes must come last: it turns its lockout signal into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Form fields through Django's Jinja2 copies of its form templates (config/forms.py).
FORM_RENDERER = "config.forms.FormRenderer"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The promise cards of the period and tertial pages only (public/jinja2.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "public.jinja2.environment", "autoescape": True},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a coordinator saves; the timeout waits out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# PostgreSQL read replicas (docs/scaling.md): citizens' reads go to a replica, writes and
# editors' requests to the primary. Tests read the primary in their place.
DATABASE_REPLICAS = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS", default=[]), start=1):
    DATABASES[f"replica{number}"] = {
        **dj_database_url.parse(
            url,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_REPLICAS.append(f"replica{number}")
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "config.db_router.pin_editors_to_primary",
    )

# A tertial whose report is not published this many weeks after it ended is shown as late.
REPORT_LATE_WEEKS = env_int("REPORT_LATE_WEEKS", default=8)
# A folder of files that every worker on this host shares, so publishing or unpublishing
# retires a page in all of them at once; Redis for several servers (docs/scaling.md).
CACHES = {
    "default": cache_from_url(
        env_str("CACHE_URL", default=f"filebased://{BASE_DIR / 'cache'}")
    )
}
# How long a public page stays cached; publishing anything retires it sooner (public/cache.py).
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", default=300)
# Each worker process also keeps copies of the pages it served lately, up to this many MB,
# and serves them while the shared cache's public generation is unchanged (public/cache.py).
PUBLIC_PAGE_PROCESS_MEMORY_MB = env_int("PUBLIC_PAGE_PROCESS_MEMORY_MB", default=16)
# How long a browser or a proxy may keep a public page without asking again (with its ETag):
# a withdrawn page can live that long in a cache outside the portal's reach.
PUBLIC_PAGE_MAX_AGE = env_int("PUBLIC_PAGE_MAX_AGE", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The public site gives the rows of the lower apps their addresses (public/urls.py), so
# those apps never name the public site's URLs themselves.
ABSOLUTE_URL_OVERRIDES = {
    "municipalities.municipality": lambda m: reverse("public:municipality", args=[m.slug]),
    "promises.promiseperiod": lambda p: reverse("public:period", args=[p.pk]),
    "promises.agreement": lambda a: reverse("public:agreement", args=[a.pk]),
    "followup.tertialreport": lambda r: reverse(
        "public:tertial_report", args=[r.period_id, r.year, r.tertial]
    ),
}

# Axes first, so a locked-out user is refused before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Every permission question is answered by the apps' rules.py (django-rules); Django's
    # own backend only authenticates (the portal grants no model permissions of its own).
    "rules.permissions.ObjectPermissionBackend",
    "municipalities.backends.PasswordBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time: Swedish first, English as the second language.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    # The media folder, or S3-compatible storage with STORAGE_BACKEND=s3 (config/storage.py).
    "default": default_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Django 6.1's MAILERS. Console in development; SMTP (host, port, user, TLS) in production.
MAILERS = {
    "default": {
        "BACKEND": env_str(
            "DJANGO_EMAIL_BACKEND",
            default=(
                "django.core.mail.backends.console.EmailBackend"
                if DEBUG
                else "django.core.mail.backends.smtp.EmailBackend"
            ),
        ),
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("DJANGO_EMAIL_HOST", default="localhost"),
        "port": env_int("DJANGO_EMAIL_PORT", default=25),
        "username": env_str("DJANGO_EMAIL_USER", default=""),
        "password": env_str("DJANGO_EMAIL_PASSWORD", default=""),
        "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", default=False),
        "timeout": 30,
    }
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", default="medborgarloften@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute address of the site, for links in emails, feeds and PDFs.
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000")

# Work that must not hold up a request (e-mail to every subscriber) waits in a queue in the
# database until the worker (`manage.py db_worker`, a service beside gunicorn) runs it.
# A failed task is enqueued again later (municipalities/retry.py).
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# A period or tertial report is published only when a publisher of the municipality and one
# of the police area have both approved it (promises/approval.py). Off: one publisher
# publishes alone.
PORTAL_DUAL_APPROVAL = env_bool("PORTAL_DUAL_APPROVAL", default=True)

# Who runs the portal, for the privacy page (/integritet/) and the e-mail to subscribers.
PORTAL_OPERATOR = env_str(
    "PORTAL_OPERATOR", default="Medborgarlöften (utvecklingsmiljö)" if DEBUG else ""
)
PORTAL_CONTACT_EMAIL = env_str(
    "PORTAL_CONTACT_EMAIL", default=DEFAULT_FROM_EMAIL if DEBUG else ""
)
# The personuppgiftsansvarig (GDPR controller) for the subscribers' addresses.
PRIVACY_CONTROLLER = env_str("PRIVACY_CONTROLLER", default=PORTAL_OPERATOR)
# Where people report accessibility problems or ask for content in another format, named
# on the accessibility statement (/tillganglighet/): an e-mail address, a web address or a
# telephone number.
PORTAL_ACCESSIBILITY_CONTACT = env_str(
    "PORTAL_ACCESSIBILITY_CONTACT", default=PORTAL_CONTACT_EMAIL
)
# Subscription requests per client address and minute, and per e-mail address and hour;
# more get 429 (public/throttle.py). 0 turns a limit off.
SUBSCRIBE_REQUESTS_PER_MINUTE = env_int("SUBSCRIBE_REQUESTS_PER_MINUTE", default=5)
SUBSCRIBE_REQUESTS_PER_ADDRESS_PER_HOUR = env_int(
    "SUBSCRIBE_REQUESTS_PER_ADDRESS_PER_HOUR", default=5
)

# Security. Strict by default; DEBUG relaxes only what plain-HTTP local use needs.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# Seconds a client is told to wait (Retry-After) when the database is unreachable.
DATABASE_UNAVAILABLE_RETRY_AFTER = 30

# Lock a username at one address after repeated failures; a town hall shares one address,
# so the username and the address lock together, never the address alone.
AXES_FAILURE_LIMIT = env_int("DJANGO_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env_int("DJANGO_AXES_COOLOFF_MINUTES", default=15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failed login kept for the IT department
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "municipalities.audit.client_ip"
# Behind nginx, REMOTE_ADDR is the proxy; the client is the last X-Forwarded-For entry.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
# Staff must confirm a TOTP device before they may use the admin.
REQUIRE_2FA = env_bool("DJANGO_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "Medborgarlöften"
# The admin never shows a device's secret (enrol_totp prints it once); its QR code pages,
# which also answered a missing device with a server error, refuse everyone.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# No inline script or style anywhere: everything comes from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}

SIMPLE_HISTORY_REVERT_DISABLED = False
# Demo data and the demo administrator exist only for local use.
DEMO_ADMIN_ALLOWED = DEBUG or env_bool("DJANGO_ALLOW_DEMO_ADMIN", default=False)

# Signing (promises/documents/): each municipality and police area signs with its own key,
# kept encrypted in the database with this key-encryption key (default: derived from
# SECRET_KEY; set it separately so the two can be rotated apart). The demo CA lives in
# SIGNING_KEYS_DIR (create_demo_signing_keys).
SIGNING_KEY_ENCRYPTION_KEY = env_str("SIGNING_KEY_ENCRYPTION_KEY", default="")
SIGNING_KEYS_DIR = Path(env_str("SIGNING_KEYS_DIR", default=str(BASE_DIR / "signing-keys")))
# PEM files of the CA certificates whose signatures the verification page trusts.
SIGNING_TRUST_ROOTS = env_list(
    "SIGNING_TRUST_ROOTS", default=[str(SIGNING_KEYS_DIR / "demo-ca.pem")]
)
SIGNING_TSA_URL = env_str("SIGNING_TSA_URL", default="")
# Largest PDF the verification page accepts; bigger uploads are refused before reading.
VERIFY_MAX_UPLOAD_BYTES = env_int("VERIFY_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# Checking one upload's signatures runs in a child process stopped after this many seconds
# or this much memory (promises/documents/isolation.py); the portal's own PDFs take a
# fraction of a second and a few megabytes.
VERIFY_TIME_LIMIT_SECONDS = env_int("VERIFY_TIME_LIMIT_SECONDS", default=5)
VERIFY_MEMORY_LIMIT_MB = env_int("VERIFY_MEMORY_LIMIT_MB", default=100)
# Uploads to the verification page per client address and minute; more get 429.
VERIFY_UPLOADS_PER_MINUTE = env_int("VERIFY_UPLOADS_PER_MINUTE", default=10)
# Largest tertial workbook (.xlsx) a coordinator may upload to the tertial screen.
TERTIAL_UPLOAD_MAX_BYTES = env_int("TERTIAL_UPLOAD_MAX_BYTES", default=2 * 1024 * 1024)
# Uploads over 2.5 MB go to a temporary file, never memory; other request bodies stay small.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Backups keep times to the microsecond (municipalities/backup_format.py).
SERIALIZATION_MODULES = {"json-exact": "municipalities.backup_format"}
