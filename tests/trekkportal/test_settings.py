"""Settings are read once at start-up: each case starts a fresh Python with its own environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x-very-long-secret-key-for-checking-only-0123456789abcdef",
    "ALLOWED_HOSTS": "trekk.example.org",
    "SITE_URL": "https://trekk.example.org",
    "SMS_BACKEND": "console",
}
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
    "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
)


def environment_with(**environment):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION
        and key != "PORT"
        and not key.startswith(("TWILIO_", "EMAIL_", "DATABASE_", "DJANGO_"))
    }
    return env | {"DJANGO_SETTINGS_MODULE": "trekkportal.settings", **environment}


def start(code=PRINT_SETTINGS, **environment):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment_with(**environment),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_turn_on_hsts_for_a_year_and_secure_cookies():
    result = start(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True", "True", "True"]


def test_deployment_checks_pass_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environment_with(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DEBUG": "ja"}, "DEBUG must be true or false, not 'ja'"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set when DEBUG is false"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set when DEBUG is false"),
        ({"SITE_URL": "http://trekk.example.org"}, "SITE_URL must use https"),
        ({"SMS_BACKEND": "twilio"}, "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM"),
        ({"PAYMENT_ACCOUNT": "12345678901"}, "not a valid Norwegian account number"),
        ({"TRUSTED_PROXY_COUNT": "mange"}, "TRUSTED_PROXY_COUNT must be a whole number"),
    ],
    ids=[
        "bad-boolean",
        "no-secret-key",
        "no-hosts",
        "http-site",
        "no-twilio",
        "bad-account",
        "bad-int",
    ],
)
def test_bad_production_environment_stops_start_up(change, message):
    result = start(**(PRODUCTION | change))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


PRINT_SITE_URL = (
    "import django; django.setup(); from django.conf import settings as s; print(s.SITE_URL)"
)


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8010"}, "http://127.0.0.1:8010"),
        ({"PORT": "8010", "SITE_URL": "http://localhost:9000/"}, "http://localhost:9000"),
    ],
    ids=["default", "port", "site-url-wins"],
)
def test_site_url_follows_the_port_unless_set(environment, expected):
    result = start(PRINT_SITE_URL, **environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_make_run_serves_on_the_port_it_is_given():
    result = subprocess.run(
        ["make", "--dry-run", "run", "PORT=8010"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "runserver 127.0.0.1:8010" in result.stdout
