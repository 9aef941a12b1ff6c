"""The raw Redis client behind Django's cache (CACHES in config/settings.py, on REDIS_URL).

The cache API has no atomic "check and count", no sorted sets and no scripts, which the rate
limits (intake/ratelimit.py, and through it intake/upload_guard.py) and the audio check slots
(intake/check_slots.py) need: they all reach Redis here. Calls on the client raise when Redis
is unreachable (and this raises when the cache is not Redis); each caller has its own fallback.
"""

from django.core.cache import cache


def cache_redis(key: str):
    """A client on the cache's own connection pool, for writing `key`."""
    return cache._cache.get_client(key, write=True)
