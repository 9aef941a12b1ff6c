"""At most AUDIO_CHECK_CONCURRENCY upload checks at once on this machine.

Each check may keep a core busy for its whole budget, so without a cap a handful of crafted
uploads take every core (and every web worker waiting on them) away from everyone else. A slot
is a member of a Redis sorted set, scored by when it expires: taking one first drops the
expired ones, so a web worker killed mid-check holds its slot for one budget at most. Redis's
own clock scores them, so web processes whose clocks disagree still agree on expiry. The set
is per machine (its host name in the key), because what is protected is the machine's cores.
When Redis is unreachable each web process falls back to its own cap: a listener's upload is
still checked, and no more checks run at once in a process than the cap allows.
"""

import logging
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

from intake.redis_client import cache_redis

logger = logging.getLogger(__name__)

_POLL_SECONDS = 0.1

# KEYS[1] the set; ARGV: the cap, the slot's lifetime in ms, the slot's token.
_ACQUIRE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return 1
end
return 0
"""

_local_lock = threading.Lock()
_local_semaphore: threading.BoundedSemaphore | None = None


class CheckSlotsBusy(Exception):
    """Every slot stayed taken for as long as we were willing to wait."""


def _key() -> str:
    return cache.make_and_validate_key(f"intake:audio-checks:{socket.gethostname()}")


def _local() -> threading.BoundedSemaphore:
    global _local_semaphore
    with _local_lock:
        if _local_semaphore is None:
            _local_semaphore = threading.BoundedSemaphore(settings.AUDIO_CHECK_CONCURRENCY)
        return _local_semaphore


def check_slot_try(*, token: str, lifetime_seconds: float) -> bool:
    """Take one of the machine's check slots for `lifetime_seconds` at most; False if none."""
    key = _key()
    taken = cache_redis(key).eval(
        _ACQUIRE,
        1,
        key,
        settings.AUDIO_CHECK_CONCURRENCY,
        max(1, int(lifetime_seconds * 1000)),
        token,
    )
    return bool(taken)


def check_slot_release(*, token: str) -> None:
    key = _key()
    cache_redis(key).zrem(key, token)


@contextmanager
def check_slot_hold(*, lifetime_seconds: float, wait_seconds: float) -> Iterator[None]:
    """Hold a check slot for the block, waiting up to `wait_seconds` for one.

    Raises CheckSlotsBusy when none frees up in time. `lifetime_seconds` bounds how long a
    slot outlives a process killed while holding it.
    """
    token = secrets.token_hex(8)
    give_up = time.monotonic() + wait_seconds
    try:
        while not check_slot_try(token=token, lifetime_seconds=lifetime_seconds):
            if time.monotonic() >= give_up:
                raise CheckSlotsBusy()
            time.sleep(_POLL_SECONDS)
    except CheckSlotsBusy:
        raise
    except Exception:
        logger.exception("Audio check slots unavailable (Redis error); capping this process only")
        yield from _hold_local(wait_seconds=wait_seconds)
        return
    try:
        yield
    finally:
        try:
            check_slot_release(token=token)
        except Exception:
            # It expires by itself at the end of its lifetime.
            logger.exception("Could not hand back an audio check slot (Redis error)")


def _hold_local(*, wait_seconds: float) -> Iterator[None]:
    semaphore = _local()
    if not semaphore.acquire(timeout=wait_seconds):
        raise CheckSlotsBusy()
    try:
        yield
    finally:
        semaphore.release()
