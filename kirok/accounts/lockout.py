"""The client address that lockouts count by.

Behind a reverse proxy every request comes from the proxy's address, so counting by REMOTE_ADDR
would lock everyone out together. With KIROK_BEHIND_PROXY=1 the address is the one the nearest
trusted proxy appended to X-Forwarded-For (KIROK_PROXY_COUNT proxies deep); entries further left
were written by the client and are not trusted.
"""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    count = settings.KIROK_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
