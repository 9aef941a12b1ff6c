"""Per-client limit on rejected uploads (UPLOAD_REJECTION_LIMIT, e.g. "5/10m"; "0" = off).

The submission rate limit counts only accepted submissions, so on its own it lets one address
send crafted file after crafted file, each costing a core for the whole check budget. Every
upload therefore takes a unit of this limit before it is checked, and hands it back once the
recording is accepted (or could not be checked because the machine was busy): what stays
counted are the refusals, and simultaneous uploads cannot all slip in under a count read
before any of them was refused. Over the limit, uploads from that address are refused
without decoding until the window ends; typed questions still go through. When Redis is
unreachable the limit fails open, like the submission limit: the decode budget and the
concurrency cap still bound what an upload costs.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from intake.ratelimit import RateStatus, rate_parse

logger = logging.getLogger(__name__)

# Audio errors that are not the file's fault, so they do not count as a refusal.
NOT_REFUSALS = {"busy", "uploads_paused"}

# Only decrement a count that still exists: after the window ended, DECR would create a key
# at -1 with no expiry, one free refusal forever.
_RELEASE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('DECR', KEYS[1])
end
return 0
"""


def _redis(key: str):
    # The raw client behind Django's Redis cache, for INCR and EXPIRE in one MULTI.
    return cache._cache.get_client(key, write=True)


def upload_attempt_reserve(*, client: str, now: float | None = None) -> RateStatus:
    """Count an upload from `client` as refused until upload_attempt_release() says otherwise.

    Not allowed (with the seconds until the window ends) when the client's refusals in this
    window, this upload included, exceed the limit.
    """
    rate = rate_parse(settings.UPLOAD_REJECTION_LIMIT)
    if rate is None:
        return RateStatus(allowed=True)
    now = time.time() if now is None else now
    index = int(now // rate.seconds)
    ends_in = int((index + 1) * rate.seconds - now) + 1
    key = cache.make_and_validate_key(f"intake:upload-refusals:{client}:{index}")
    try:
        pipeline = _redis(key).pipeline(transaction=True)
        pipeline.incr(key)
        pipeline.expire(key, ends_in)
        used, _ = pipeline.execute()
    except Exception:
        logger.exception("Upload refusal limit unavailable (cache error); checking the upload")
        return RateStatus(allowed=True)
    if used > rate.count:
        return RateStatus(allowed=False, retry_after=ends_in)
    return RateStatus(allowed=True, key=key)


def upload_attempt_release(*, status: RateStatus) -> None:
    """Hand back the unit of an upload that turned out not to be a refusal."""
    if not status.key:
        return
    try:
        _redis(status.key).eval(_RELEASE, 1, status.key)
    except Exception:
        logger.exception("Could not hand back an upload attempt (cache error)")


def upload_attempt_settle(*, status: RateStatus | None, audio_errors: list[str]) -> None:
    """After the form was checked: keep the unit only if the recording itself was refused."""
    if status is None:
        return
    if not audio_errors or set(audio_errors) <= NOT_REFUSALS:
        upload_attempt_release(status=status)
