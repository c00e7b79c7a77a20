"""Settings, driven by the environment so one build serves a laptop and a server.

KIROK_HOME          workspace folder (default ./kirok-data)
KIROK_DATABASE_URL  database; default SQLite inside the workspace
KIROK_DEBUG         1 for development pages with tracebacks
KIROK_ALLOWED_HOSTS comma-separated host names for a server
KIROK_HTTPS         1 on a server reached over HTTPS: redirect to HTTPS, HSTS, secure cookies
KIROK_BEHIND_PROXY  1 when a reverse proxy terminates TLS and sets X-Forwarded-Proto/-For
                    (KIROK_PROXY_COUNT: how many proxies append to X-Forwarded-For, default 1)
KIROK_CSRF_TRUSTED_ORIGINS  comma-separated origins (https://kirok.example.org) behind a proxy
KIROK_HSTS_SECONDS, KIROK_HSTS_SUBDOMAINS, KIROK_HSTS_PRELOAD, KIROK_SSL_REDIRECT  fine-tuning
KIROK_LOCKOUT_FAILURES          failed sign-ins before a lockout (default 5)
KIROK_LOCKOUT_COOLOFF_MINUTES   how long a lockout lasts (default 30)
KIROK_IDLE_MINUTES              idle sign-out for roles without protected data (default 60)
KIROK_IDLE_MINUTES_PROTECTED    idle sign-out for roles that see protected data (default 15)
KIROK_SESSION_MAX_HOURS         sign-out however active, after this long (default 12)
KIROK_STATIC_ROOT   where `kirok collectstatic` puts static files for a front web server (optional)
See docs/accounts.md.
"""

from __future__ import annotations

import os
from datetime import timedelta

import dj_database_url
from csp.constants import NONE, SELF

from kirok.workspace import Workspace

WORKSPACE = Workspace.from_env()

SECRET_KEY = os.environ.get("KIROK_SECRET_KEY") or WORKSPACE.secret_key()
DEBUG = os.environ.get("KIROK_DEBUG") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("KIROK_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default) == "1"


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise ValueError(f"environment variable {name}={value!r} must be a whole number") from None


INSTALLED_APPS = [
    "kirok.accounts.apps.KirokAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "kirok.accounts",
    "kirok.records",
    "kirok.evidence",
    "kirok.ledger",
    "kirok.protection",
    "kirok.bundles",
    "kirok.search",
    "kirok.linkage",
    "kirok.cases",
    "kirok.upr",
    "kirok.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kirok.accounts.middleware.SessionPolicyMiddleware",
    "kirok.accounts.middleware.SignInStepsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kirok.accounts.backends.RoleBackend",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

ROOT_URLCONF = "kirok.config.urls"
WSGI_APPLICATION = "kirok.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {"default": dj_database_url.parse(WORKSPACE.database_url, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (the web pages) go on while an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    # The access filters are correlated EXISTS subqueries; PostgreSQL's JIT spends longer
    # compiling them than running them (a count of all acts: 463 ms with JIT, 78 ms without).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify and are re-hashed with Argon2 at the next sign-in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [os.path.join(os.path.dirname(os.path.dirname(__file__)), "locale")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Set KIROK_STATIC_ROOT (and run `kirok collectstatic`) only where a web server serves the files.
STATIC_ROOT = os.environ.get("KIROK_STATIC_ROOT") or None
# WhiteNoise serves the apps' static files straight from the package (no collectstatic step),
# with DEBUG off too, so `kirok serve` and a WSGI server both show styled pages.
WHITENOISE_USE_FINDERS = True

# Sessions: HttpOnly, SameSite, stored server-side; the idle and absolute limits are applied per
# role by kirok.accounts.middleware.SessionPolicyMiddleware; login() rotates the key.
SESSION_COOKIE_NAME = "kirok_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = _number("KIROK_SESSION_MAX_HOURS", 12) * 3600
KIROK_SESSION_MAX_SECONDS = SESSION_COOKIE_AGE
KIROK_IDLE_SECONDS = _number("KIROK_IDLE_MINUTES", 60) * 60
KIROK_IDLE_SECONDS_PROTECTED = _number("KIROK_IDLE_MINUTES_PROTECTED", 15) * 60
CSRF_COOKIE_NAME = "kirok_csrftoken"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KIROK_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# A server reached over HTTPS (KIROK_HTTPS=1): every cookie secure, HTTP redirected, HSTS.
HTTPS = _flag("KIROK_HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-kirok_session"
    CSRF_COOKIE_NAME = "__Host-kirok_csrftoken"
    SECURE_SSL_REDIRECT = _flag("KIROK_SSL_REDIRECT", "1")
    SECURE_HSTS_SECONDS = _number("KIROK_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("KIROK_HSTS_SUBDOMAINS", "1")
    SECURE_HSTS_PRELOAD = _flag("KIROK_HSTS_PRELOAD", "1")
if _flag("KIROK_BEHIND_PROXY"):
    # Only behind a proxy that overwrites these headers; otherwise a client could forge them.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
KIROK_PROXY_COUNT = _number("KIROK_PROXY_COUNT", 1) if _flag("KIROK_BEHIND_PROXY") else 0

# Content-Security-Policy: everything from this server, no inline script, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Two-factor sign-in (django-otp, TOTP per RFC 6238; static recovery codes).
OTP_TOTP_ISSUER = os.environ.get("KIROK_OTP_ISSUER", "Kirok")

# Lockout (django-axes): N failures for one user name, or from one address, lock it out until
# the cool-off passes or an administrator runs `kirok user unlock`.
AXES_FAILURE_LIMIT = _number("KIROK_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_number("KIROK_LOCKOUT_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kirok.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "kirok.accounts.lockout.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token", "token", "new_password1", "new_password2", "old_password"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KIROK_LOG_LEVEL", "WARNING")},
}
