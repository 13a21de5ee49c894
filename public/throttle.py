"""How often one client address (or any other key) may take a costly public action: a count
per key over a window (a minute, unless said otherwise) from its first request, in Django's
cache (shared by every server when CACHE_URL points at Redis)."""

import math
import time

from django.core.cache import cache

from municipalities.audit import client_ip

WINDOW_SECONDS = 60


def retry_after(request, *, action, per_minute):
    """Count this request; the seconds to wait when its address has now taken `action` more
    than `per_minute` times within the minute, else None. `per_minute` 0 means no limit."""
    return retry_after_for(
        f"{action}:{client_ip(request) or 'unknown'}", limit=per_minute, window=WINDOW_SECONDS
    )


def retry_after_for(key, *, limit, window):
    """Count one more for `key`; the seconds to wait when it has now been counted more than
    `limit` times within `window` seconds, else None. `limit` 0 means no limit."""
    if not limit:
        return None
    key = f"throttle:{key}"
    now = time.time()
    cache.add(f"{key}:since", now, timeout=window)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the count expired between the two calls
        cache.set(key, count := 1, timeout=window)
    if count <= limit:
        return None
    since = cache.get(f"{key}:since", now)
    return max(1, math.ceil(since + window - now))
