"""How often one client address may take a costly public action: a count per address over a
minute from its first request, in Django's cache (shared by every server when CACHE_URL
points at Redis)."""

import math
import time

from django.core.cache import cache

from municipalities.audit import client_ip

WINDOW_SECONDS = 60


def retry_after(request, *, action, per_minute):
    """Count this request; the seconds to wait when its address has now taken `action` more
    than `per_minute` times within the minute, else None. `per_minute` 0 means no limit."""
    if not per_minute:
        return None
    key = f"throttle:{action}:{client_ip(request) or 'unknown'}"
    now = time.time()
    cache.add(f"{key}:since", now, timeout=WINDOW_SECONDS)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the count expired between the two calls
        cache.set(key, count := 1, timeout=WINDOW_SECONDS)
    if count <= per_minute:
        return None
    since = cache.get(f"{key}:since", now)
    return max(1, math.ceil(since + WINDOW_SECONDS - now))
