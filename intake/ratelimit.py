"""Per-client limit on accepted submissions (SUBMISSION_RATE_LIMIT, e.g. "5/10m"; "0" = off).

Only accepted submissions count: a listener who fixes a rejected file is not punished for it,
while every rejected attempt is already bounded by the upload cap and the decode budget.
Counts live in Django's cache (Redis) in fixed windows. When Redis is unreachable the limit
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


def submission_rate_check(*, client: str, now: float | None = None) -> RateStatus:
    rate = rate_parse(settings.SUBMISSION_RATE_LIMIT)
    if rate is None:
        return RateStatus(allowed=True)
    window, ends_in = _window(rate, time.time() if now is None else now)
    try:
        used = cache.get(_key(client, window), 0)
    except Exception:
        logger.exception("Rate limit unavailable (cache error); letting the submission through")
        return RateStatus(allowed=True)
    if used >= rate.count:
        return RateStatus(allowed=False, retry_after=ends_in)
    return RateStatus(allowed=True)


def submission_rate_record(*, client: str, now: float | None = None) -> None:
    rate = rate_parse(settings.SUBMISSION_RATE_LIMIT)
    if rate is None:
        return
    window, ends_in = _window(rate, time.time() if now is None else now)
    key = _key(client, window)
    try:
        cache.add(key, 0, timeout=ends_in)
        cache.incr(key)
    except Exception:
        logger.exception("Could not count a submission for the rate limit (cache error)")
