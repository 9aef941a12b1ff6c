"""Per-client limit on rejected uploads (UPLOAD_REJECTION_LIMIT, e.g. "5/10m"; "0" = off).

The submission rate limit counts only accepted submissions, so on its own it lets one address
send crafted file after crafted file, each costing a core for the whole check budget. Every
upload therefore takes a unit of this limit before it is checked, and hands it back once the
recording is accepted (or could not be checked because the machine was busy): what stays
counted are the refusals, and simultaneous uploads cannot all slip in under a count read
before any of them was refused. The window slides, with the submission limit's atomic
check-and-count (intake/ratelimit.py): no more than the limit of refusals in any window, not
twice as many across a fixed window's edge. Over the limit, uploads from that address are
refused without decoding until the oldest refusal leaves the window; typed questions still go
through. When Redis is unreachable the limit fails open, like the submission limit: the decode
budget and the concurrency cap still bound what an upload costs.
"""

import logging

from django.conf import settings

from intake.ratelimit import (
    RateStatus,
    rate_parse,
    sliding_window_release,
    sliding_window_reserve,
)

logger = logging.getLogger(__name__)

# Audio errors that are not the file's fault, so they do not count as a refusal.
NOT_REFUSALS = {"busy", "uploads_paused"}


def upload_attempt_reserve(*, client: str, now: float | None = None) -> RateStatus:
    """Count an upload from `client` as refused until upload_attempt_release() says otherwise.

    Not allowed (with the seconds until it would be) when the client's refusals in the last
    window, this upload included, would exceed the limit.
    """
    rate = rate_parse(settings.UPLOAD_REJECTION_LIMIT, setting="UPLOAD_REJECTION_LIMIT")
    if rate is None:
        return RateStatus(allowed=True)
    try:
        return sliding_window_reserve(scope="upload-refusals", client=client, rate=rate, now=now)
    except Exception:
        logger.exception("Upload refusal limit unavailable (cache error); checking the upload")
        return RateStatus(allowed=True)


def upload_attempt_release(*, status: RateStatus) -> None:
    """Hand back the unit of an upload that turned out not to be a refusal."""
    try:
        sliding_window_release(status=status)
    except Exception:
        logger.exception("Could not hand back an upload attempt (cache error)")


def upload_attempt_settle(*, status: RateStatus | None, audio_errors: list[str]) -> None:
    """After the form was checked: keep the unit only if the recording itself was refused."""
    if status is None:
        return
    if not audio_errors or set(audio_errors) <= NOT_REFUSALS:
        upload_attempt_release(status=status)
