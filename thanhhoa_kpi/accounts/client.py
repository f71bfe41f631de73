"""The address a request came from, as the trusted proxies saw it.

One definition for everything keyed by client address: axes' lockout
(``AXES_CLIENT_IP_CALLABLE``) and the API's login throttle. ``X-Forwarded-For`` is any
client's to write, so it is read only when ``TRUSTED_PROXY_COUNT`` proxies stand in front
of the application, and then only the hop the outermost trusted proxy appended: with one
proxy the right-most entry, with two the one before it. Whatever a client puts further
left is ignored, so rotating the header changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_address(request: Any) -> str:
    meta = request.META
    remote = str(meta.get("REMOTE_ADDR") or "")
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted <= 0:
        return remote
    hops = [hop.strip() for hop in str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    if len(hops) < trusted:
        # Fewer hops than proxies: the request skipped a proxy, so the header proves nothing.
        return remote
    return hops[-trusted]
