"""Production refuses to start unsafe (DEBUG on, a short secret key) and speaks only HTTPS to
browsers (redirect, HSTS), except to the health probes; demo and test modes are left as they were.

Each setting is read in a fresh interpreter with the environment of the case, as a server
process would read it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

KEY = "k" * 30 + "0123456789abcdefghij"  # 50 characters: the shortest key production takes
# Everything a case sets is cleared from the environment the suite runs in first.
CLEARED = {
    "CPMIS_MODE",
    "SECRET_KEY",
    "DEBUG",
    "DATABASE_URL",
    "CPMIS_SSL_REDIRECT",
    "CPMIS_HSTS_SECONDS",
    "CPMIS_HSTS_INCLUDE_SUBDOMAINS",
    "CPMIS_PROXY_TLS_HEADER",
    "CPMIS_SECURE_COOKIES",
}
SETUP = (
    "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'cpmis.settings'; "
    "django.setup(); from django.conf import settings as s; "
)
PRINT_HTTPS = SETUP + (
    "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT, s.SECURE_HSTS_SECONDS, "
    "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER]))"
)


def run_python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in CLEARED}
    return subprocess.run(  # noqa: S603 - a fixed interpreter and code
        [sys.executable, "-c", code],
        env={**base, "CPMIS_VAR_DIR": str(tmp_path / "var"), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def https_settings(tmp_path: Path, **env: str) -> list[Any]:
    result = run_python(PRINT_HTTPS, tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout))


def test_production_refuses_to_start_with_debug_on(tmp_path: Path) -> None:
    result = run_python(SETUP, tmp_path, CPMIS_MODE="production", SECRET_KEY=KEY, DEBUG="1")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Production mode refuses to run with DEBUG on" in result.stderr


@pytest.mark.parametrize("key", ["k" * 49, "a-typical-password-1234"])
def test_production_refuses_a_secret_key_shorter_than_50_characters(
    tmp_path: Path, key: str
) -> None:
    result = run_python(SETUP, tmp_path, CPMIS_MODE="production", SECRET_KEY=key)
    assert result.returncode != 0
    assert f"SECRET_KEY is too short ({len(key)} characters" in result.stderr
    assert "python -c 'import secrets; print(secrets.token_urlsafe(50))'" in result.stderr
    assert key not in result.stderr  # the message does not repeat the secret


def test_production_starts_with_a_50_character_key_and_https_only(tmp_path: Path) -> None:
    assert https_settings(tmp_path, CPMIS_MODE="production", SECRET_KEY=KEY) == [
        True,
        ["^healthz$", "^readyz$"],
        365 * 24 * 60 * 60,
        True,
        False,
        None,  # X-Forwarded-Proto is not trusted until the operator says a proxy sets it
    ]


@pytest.mark.parametrize("mode", ["demo", "test"])
def test_demo_and_test_modes_keep_their_key_debug_and_plain_http(tmp_path: Path, mode: str) -> None:
    # A short key and DEBUG on, as a demo has them (and a developer may set for tests).
    assert https_settings(tmp_path, CPMIS_MODE=mode, SECRET_KEY="short", DEBUG="1") == [
        False,
        ["^healthz$", "^readyz$"],
        0,
        False,
        False,
        None,
    ]
    result = run_python(SETUP + "print(len(s.SECRET_KEY))", tmp_path, CPMIS_MODE=mode)
    assert result.returncode == 0, result.stderr  # no key at all: the insecure built-in one


def test_the_operator_sets_redirect_hsts_and_the_proxy_header(tmp_path: Path) -> None:
    assert https_settings(
        tmp_path,
        CPMIS_MODE="production",
        SECRET_KEY=KEY,
        CPMIS_SSL_REDIRECT="0",
        CPMIS_HSTS_SECONDS="3600",
        CPMIS_HSTS_INCLUDE_SUBDOMAINS="0",
        CPMIS_PROXY_TLS_HEADER="1",
    ) == [False, ["^healthz$", "^readyz$"], 3600, False, False, ["HTTP_X_FORWARDED_PROTO", "https"]]


# A production process answering requests (Django's test client, no server): which are
# redirected to https, and what an HTTPS answer carries.
REQUESTS = SETUP + (
    "from django.test import Client; c = Client(); out = {}\n"
    "for name, path, extra in [('login', '/accounts/login/', {}), ('healthz', '/healthz', {}),\n"
    "        ('readyz', '/readyz', {}),\n"
    "        ('proxied', '/accounts/login/', {'HTTP_X_FORWARDED_PROTO': 'https'})]:\n"
    "    r = c.get(path, **extra)\n"
    "    out[name] = [r.status_code, r.headers.get('Location')]\n"
    "r = c.get('/healthz', secure=True)\n"
    "out['hsts'] = r.headers.get('Strict-Transport-Security')\n"
    "print(json.dumps(out))"
)


def production_answers(tmp_path: Path, **env: str) -> dict[str, Any]:
    result = run_python(
        REQUESTS,
        tmp_path,
        CPMIS_MODE="production",
        SECRET_KEY=KEY,
        DATABASE_URL=f"sqlite:///{tmp_path / 'none.sqlite3'}",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.splitlines()[-1]))


def test_production_redirects_plain_http_except_the_probes(tmp_path: Path) -> None:
    answers = production_answers(tmp_path)
    assert answers["login"] == [301, "https://testserver/accounts/login/"]
    # The probes answer over plain HTTP (a new, empty database: alive, not ready).
    assert answers["healthz"] == [200, None]
    assert answers["readyz"] == [503, None]
    # A client's own X-Forwarded-Proto is not believed without CPMIS_PROXY_TLS_HEADER.
    assert answers["proxied"] == [301, "https://testserver/accounts/login/"]
    assert answers["hsts"] == "max-age=31536000; includeSubDomains"


def test_behind_a_declared_tls_proxy_its_header_counts(tmp_path: Path) -> None:
    answers = production_answers(tmp_path, CPMIS_PROXY_TLS_HEADER="1")
    assert answers["login"] == [301, "https://testserver/accounts/login/"]
    assert answers["proxied"] == [200, None]


def test_without_the_redirect_plain_http_is_served(tmp_path: Path) -> None:
    answers = production_answers(tmp_path, CPMIS_SSL_REDIRECT="0")
    assert answers["login"] == [200, None]
