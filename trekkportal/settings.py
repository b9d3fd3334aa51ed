"""Settings for Trekkportal, read from the environment.

Every variable is listed in README.md. Without any of them the project runs
embedded: an SQLite file under var/, mail and SMS printed to the console.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import xstatic.pkg.bootstrap as xstatic_bootstrap
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from stdnum.no import kontonr

from trekkportal.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is false.")

# Where links in mail and SMS point; in development it follows `make run PORT=...`.
PORT = env_int("PORT", 8000, minimum=1)
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.netloc:
    raise ImproperlyConfigured(f"SITE_URL must be an http(s) address, not {SITE_URL!r}.")
if not DEBUG and _site.scheme != "https":
    raise ImproperlyConfigured("SITE_URL must use https when DEBUG is false.")
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "two_factor.plugins.phonenumber",
    "phonenumber_field",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "employers",
    "deductions",
    "messaging",
]

MIDDLEWARE = [
    # Outermost: mail and SMS a request recorded go out once its response has been sent.
    "messaging.middleware.OutboxMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the session lifetime check, which tells the user why they were logged out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.ActiveRoleMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "trekkportal.middleware.NulCharacterMiddleware",
    # Axes must be last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trekkportal.urls"
WSGI_APPLICATION = "trekkportal.wsgi.application"

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
                "accounts.context_processors.portal",
                "messaging.context_processors.unread_messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'trekkportal.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not understood: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reusing connections doubles throughput against opening one per request.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, passwords, sessions -----------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "accounts:after_login"
LOGOUT_REDIRECT_URL = "two_factor:login"

SESSION_COOKIE_AGE = 30 * 60  # idle timeout, pushed on by accounts.middleware
SESSION_TOUCH_INTERVAL = 60  # seconds: the session is saved at most this often to push it on
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
# The list form saves itself (static/js/list_autosave.js) this many seconds after the last
# keystroke, and at the latest this long after the first unsaved change; while keys are
# pressed it asks the server at least this often, so typing keeps the session alive.
LIST_AUTOSAVE_DELAY = 5
LIST_AUTOSAVE_MAX_DELAY = 30
LIST_KEEP_ALIVE_INTERVAL = 120
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

PASSWORD_RESET_EMAIL_VALIDITY = timedelta(minutes=60)
PASSWORD_RESET_SMS_VALIDITY = timedelta(minutes=15)
PASSWORD_RESET_MAX_PER_USER_PER_HOUR = 3
FIRST_PASSWORD_LINK_VALIDITY = timedelta(days=3)
# A contact's invitation of a colleague waits for staff (the role opens members' national IDs).
ROLE_INVITATIONS_NEED_APPROVAL = env_bool("ROLE_INVITATIONS_NEED_APPROVAL", True)
PASSWORD_RESET_MAX_PER_IP_PER_HOUR = env_int("PASSWORD_RESET_MAX_PER_IP_PER_HOUR", 20, minimum=1)

# Two-factor: always for staff and admin; optionally for every contact.
REQUIRE_2FA_FOR_CONTACTS = env_bool("REQUIRE_2FA_FOR_CONTACTS", False)
TWO_FACTOR_SMS_GATEWAY = "trekkportal.sms.TwoFactorGateway"
TWO_FACTOR_CALL_GATEWAY = None
TWO_FACTOR_REMEMBER_COOKIE_AGE = None
PHONENUMBER_DEFAULT_REGION = "NO"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Trekkportal")

# Login throttling: a lockout is keyed on user ID and IP address together.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "auth-username"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# X-Forwarded-For counts only as far as our own proxies wrote it (accounts/lockout.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip_address"

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål")]
# Fills the gaps in Django's own nb catalogue (e.g. the password length message); see the .po.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static", ("bootstrap", xstatic_bootstrap.BASE_DIR)]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_ADD_HEADERS_FUNCTION = None
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 40_000
# Parsing an uploaded workbook runs in a child process killed after this many seconds (start-up
# included) and refused more address space than this (trekkportal.uploads.read_xlsx_rows).
UPLOAD_PARSE_SECONDS = env_int("UPLOAD_PARSE_SECONDS", 4, minimum=1)
UPLOAD_PARSE_MAX_MEMORY = env_int(
    "UPLOAD_PARSE_MAX_MEMORY", 200 * 1024 * 1024, minimum=64 * 1024 * 1024
)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Mail and SMS ---------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Trekkportalen <trekkportal@fagforening.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SMS_BACKEND = env_choice(
    "SMS_BACKEND", "console" if DEBUG else "twilio", {"twilio", "console", "memory"}
)
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM = env_str("TWILIO_FROM", "")
if SMS_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM):
    raise ImproperlyConfigured(
        "SMS_BACKEND is twilio: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM must be set."
    )

# The outbox (messaging/models/outbox.py): a run renews its claims every third of this window
# while it lives; a claim not renewed for this long is presumed dead and taken over. A mail or
# SMS that failed temporarily is tried this many times, then waits for staff («Prøv igjen»).
OUTBOX_STALE_CLAIM = timedelta(minutes=env_int("OUTBOX_STALE_CLAIM_MINUTES", 15, minimum=1))
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5, minimum=1)
# One mail may wait on the server for about ten EMAIL_TIMEOUTs (connect, greeting, login, each
# command); its claim must outlast that, or a second run could send it too.
if OUTBOX_STALE_CLAIM.total_seconds() < 10 * EMAIL_TIMEOUT:
    raise ImproperlyConfigured(
        "OUTBOX_STALE_CLAIM_MINUTES must be at least ten times EMAIL_TIMEOUT (in minutes)."
    )

# --- Background work --------------------------------------------------------
# Django's task framework (the `django-tasks` backport; `django.tasks` from Django 6), queued as
# rows in our own database and run by `manage.py db_worker` (README: «Bakgrunnsjobber»).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- The union ------------------------------------------------------------
UNION_NAME = env_str("UNION_NAME", "Norsk Tjenestemannslag")
UNION_REPLY_TO = env_str("UNION_REPLY_TO", "trekk@fagforening.example")
UNION_STAFF_EMAIL = env_str("UNION_STAFF_EMAIL", UNION_REPLY_TO)
PAYMENT_ACCOUNT = env_str("PAYMENT_ACCOUNT", "90010741504").replace(" ", "").replace(".", "")
if not kontonr.is_valid(PAYMENT_ACCOUNT):
    raise ImproperlyConfigured(
        f"PAYMENT_ACCOUNT {PAYMENT_ACCOUNT!r} is not a valid Norwegian account number."
    )

# --- Browser security -----------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Deductions (basis, lists, monthly cycle) -------------------------------
LOGGING["loggers"]["weasyprint"] = {"level": "WARNING"}
LOGGING["loggers"]["fontTools"] = {"level": "WARNING"}
# Monthly cycle: a period's deduction list is due on this day of the month after it.
LIST_DEADLINE_DAY = env_int("LIST_DEADLINE_DAY", 10, minimum=1)
if LIST_DEADLINE_DAY > 28:
    raise ImproperlyConfigured("LIST_DEADLINE_DAY must be 1-28.")

# The list form shows this many lines a page (with and without script), searched and filtered
# on the server over the whole list (deductions/lists/pages.py).
LIST_FORM_PAGE_SIZE = env_int("LIST_FORM_PAGE_SIZE", 200, minimum=10)

# --- Messaging --------------------------------------------------------------
MESSAGE_ATTACHMENT_MAX_BYTES = env_int(
    "MESSAGE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024
)
MESSAGE_ATTACHMENTS_MAX_COUNT = 5
# What a contact may send (new messages and replies together); staff have no limit.
MESSAGES_PER_10_MINUTES = env_int("MESSAGES_PER_10_MINUTES", 10, minimum=1)
MESSAGES_PER_DAY = env_int("MESSAGES_PER_DAY", 50, minimum=1)
