"""The address a request came from, for per-address limits.

Behind ``CPMIS_PROXY_COUNT`` trusted reverse proxies (default 0: none), the client is the
address the first of them saw: that many entries from the right of X-Forwarded-For (entries
further left are whatever the client chose to send, so never trusted). Without a usable
address (a Unix-socket proxy, a malformed header) every such request shares one bucket
rather than failing.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "0.0.0.0"  # noqa: S104 - a bucket name, never bound


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    proxies = settings.CPMIS_PROXY_COUNT
    if proxies > 0:
        chain = [p for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(chain) >= proxies:
            return _valid(chain[-proxies]) or UNKNOWN
        return UNKNOWN
    return _valid(request.META.get("REMOTE_ADDR") or "") or UNKNOWN
