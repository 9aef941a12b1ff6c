"""Per-client limit on accepted submissions (SUBMISSION_RATE_LIMIT, e.g. "5/10m"; "0" = off).

Only accepted submissions count: a listener who fixes a rejected file is not punished for it,
while every rejected attempt is already bounded by the upload cap and the decode budget.
Counts live in Django's cache (Redis) in fixed windows. A slot is taken atomically before the
submission is stored and handed back when it is refused, so simultaneous requests cannot all
pass a check made before any of them is counted. When Redis is unreachable the limit
fails open: losing a listener's question is worse than letting a burst through.
"""

import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"(?P<count>[1-9]\d*)/(?P<size>[1-9]\d*)?(?P<unit>[smhd])")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


@dataclass(frozen=True)
class RateStatus:
    allowed: bool
    retry_after: int = 0
    # The Redis key counted against, when a slot was taken (to hand it back).
    key: str = ""


def rate_parse(value: str) -> Rate | None:
    """ "5/10m" -> Rate(5, 600); "0" -> None (no limit)."""
    value = value.strip()
    if value == "0":
        return None
    match = _RATE.fullmatch(value)
    if match is None:
        raise ImproperlyConfigured(
            f"SUBMISSION_RATE_LIMIT must look like 5/10m or 0; got {value!r}"
        )
    size = int(match["size"] or 1)
    return Rate(count=int(match["count"]), seconds=size * _UNITS[match["unit"]])


def _window(rate: Rate, now: float) -> tuple[str, int]:
    index = int(now // rate.seconds)
    ends_in = int((index + 1) * rate.seconds - now) + 1
    return str(index), ends_in


def _key(client: str, window: str) -> str:
    return f"intake:submissions:{client}:{window}"


def _redis(key: str):
    # The raw client behind Django's Redis cache: the cache API has no atomic "count if
    # under the limit", and get() then incr() as two calls let a burst through.
    return cache._cache.get_client(key, write=True)


# Count one more only while under the limit, in one step on the server: simultaneous requests
# each see the count the previous one left, and a refused request takes nothing. Every call
# sets the same deadline (the window's end), so repeating the EXPIRE is harmless.
_RESERVE = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then
    return 0
end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


def submission_rate_reserve(*, client: str, now: float | None = None) -> RateStatus:
    """Take one of the client's submissions in this window, or say when to come back.

    One Redis round trip (a Lua script), so of simultaneous requests exactly `count` get
    through. A reservation that does not end in a stored submission is handed back with
    submission_rate_release().
    """
    rate = rate_parse(settings.SUBMISSION_RATE_LIMIT)
    if rate is None:
        return RateStatus(allowed=True)
    window, ends_in = _window(rate, time.time() if now is None else now)
    key = cache.make_and_validate_key(_key(client, window))
    try:
        taken = _redis(key).eval(_RESERVE, 1, key, rate.count, ends_in)
    except Exception:
        logger.exception("Rate limit unavailable (cache error); letting the submission through")
        return RateStatus(allowed=True)
    if not taken:
        return RateStatus(allowed=False, retry_after=ends_in)
    return RateStatus(allowed=True, key=key)


# Only decrement a count that still exists: after the window expired, DECR would create a
# key at -1 with no expiry, a free extra submission forever.
_RELEASE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('DECR', KEYS[1])
end
return 0
"""


def submission_rate_release(*, status: RateStatus) -> None:
    """Hand back a reservation whose submission was refused: only accepted ones count."""
    if not status.key:
        return
    try:
        _redis(status.key).eval(_RELEASE, 1, status.key)
    except Exception:
        logger.exception("Could not hand back a rate-limit reservation (cache error)")
