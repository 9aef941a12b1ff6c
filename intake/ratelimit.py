"""Per-client limit on accepted submissions (SUBMISSION_RATE_LIMIT, e.g. "5/10m"; "0" = off).

Only accepted submissions count, and the limit is asked only once the form is valid: a
listener whose file is refused hears about the file, not about the limit, and every refused
attempt is already bounded by the upload guard (intake/upload_guard.py).

A sliding window: each accepted submission is a timestamp in a Redis sorted set, and a new
one is allowed while fewer than `count` lie in the last `seconds`. Fixed windows let twice
the limit through across a window's edge (5 at 9:59, 5 more at 10:00). The check and the
count are one Lua script, so of simultaneous requests exactly `count` pass; a slot whose
submission is then not stored is handed back. When Redis is unreachable the limit fails
open: losing a listener's question is worse than letting a burst through.

The sliding window itself (sliding_window_reserve/_release) takes a scope and a Rate, and
also limits refused uploads (intake/upload_guard.py).
"""

import logging
import math
import re
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from intake.redis_client import cache_redis as _redis  # one name, for tests to break

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
    # The sorted set and the member counted, when a slot was taken (to hand it back).
    key: str = ""
    member: str = ""


def rate_parse(value: str, *, setting: str = "SUBMISSION_RATE_LIMIT") -> Rate | None:
    """ "5/10m" -> Rate(5, 600); "0" -> None (no limit). `setting` names it in the error."""
    value = value.strip()
    if value == "0":
        return None
    match = _RATE.fullmatch(value)
    if match is None:
        raise ImproperlyConfigured(f"{setting} must look like 5/10m or 0; got {value!r}")
    size = int(match["size"] or 1)
    return Rate(count=int(match["count"]), seconds=size * _UNITS[match["unit"]])


def _key(scope: str, client: str) -> str:
    return f"intake:{scope}:sliding:{client}"


# Drop what left the window, then count one more only while under the limit, in one step on
# the server: simultaneous requests each see what the previous one left. A refused request
# takes nothing and learns when the oldest one counted leaves the window. The set
# expires with its newest member, so an idle client leaves nothing behind.
# ARGV: now (ms), window (ms), limit, member.
_RESERVE = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
"""


def sliding_window_reserve(
    *, scope: str, client: str, rate: Rate, now: float | None = None
) -> RateStatus:
    """Count one for `client` in `scope` while fewer than `rate.count` lie in the last
    `rate.seconds`, or say how long until one is allowed.

    Hand the slot back with sliding_window_release(). Raises when Redis is unreachable: each
    limit chooses how to fail. (Redis, not the cache API: get() then incr() as two calls let a
    burst through.)
    """
    now_ms = int((time.time() if now is None else now) * 1000)
    key = cache.make_and_validate_key(_key(scope, client))
    member = f"{now_ms}:{uuid.uuid4().hex}"
    taken, wait_ms = _redis(key).eval(
        _RESERVE, 1, key, now_ms, rate.seconds * 1000, rate.count, member
    )
    if not taken:
        return RateStatus(allowed=False, retry_after=max(1, math.ceil(int(wait_ms) / 1000)))
    return RateStatus(allowed=True, key=key, member=member)


def sliding_window_release(*, status: RateStatus) -> None:
    """Hand back the slot `status` took, if it took one. Raises when Redis is unreachable."""
    if not status.key:
        return
    # ZREM of a member that already left the window (or an expired set) is a no-op.
    _redis(status.key).zrem(status.key, status.member)


def submission_rate_reserve(
    *, client: str, exempt: bool = False, now: float | None = None
) -> RateStatus:
    """Count one accepted submission for the client, or say how long until one is allowed.

    Call it once the submission is valid, just before storing it; hand the slot back with
    submission_rate_release() when it ends up not stored. `exempt` (the episode's own hosts
    trying their page) passes without counting.
    """
    rate = rate_parse(settings.SUBMISSION_RATE_LIMIT)
    if rate is None or exempt:
        return RateStatus(allowed=True)
    try:
        return sliding_window_reserve(scope="submissions", client=client, rate=rate, now=now)
    except Exception:
        logger.exception("Rate limit unavailable (cache error); letting the submission through")
        return RateStatus(allowed=True)


def submission_rate_release(*, status: RateStatus) -> None:
    """Hand back a slot whose submission was not stored: only accepted ones count."""
    try:
        sliding_window_release(status=status)
    except Exception:
        logger.exception("Could not hand back a rate-limit slot (cache error)")


def retry_phrase(seconds: int) -> str:
    """'4 minutes', '1 minute', '45 seconds', '2 hours': the wait, in words, rounded up."""
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    hours = math.ceil(minutes / 60)
    return f"{hours} hours"


def rate_limited_message(*, retry_after: int, audio_name: str | None) -> str:
    """What the listener over the limit reads above the form, which keeps what they typed.

    `audio_name` is the sent file's name: the recorder names its files "recording.<ext>" and
    keeps them in the browser until sent (static/intake/recorder.js), while a file chosen from
    the device is gone from the re-rendered form and must be chosen again.
    """
    kept = "Everything you typed is still below"
    if audio_name and audio_name.startswith("recording."):
        kept += ", and so is your recording"
    elif audio_name:
        kept += " (choose your audio file again when you send it)"
    return (
        "That's a lot of questions in a short time: to keep the mailbag fair, we take a few "
        f"from each connection. Nothing was sent yet. {kept}. Please try again in "
        f"{retry_phrase(retry_after)}."
    )
