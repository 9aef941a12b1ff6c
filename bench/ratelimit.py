"""The submission rate limit (intake/ratelimit.py): the cost of one check-and-count.

Against the Redis in REDIS_URL (default: the local one at 127.0.0.1:6379/15), times
submission_rate_reserve() for clients under the limit (the check, ZADD and PEXPIRE) and over
it (the check and the wait), one thread and 20 threads at once, and the memory one busy
client's sorted set takes. Prints the figures; asserts nothing.

    .venv/bin/python bench/ratelimit.py [--calls 20000]
"""

import argparse
import os
import platform
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402

from intake.ratelimit import submission_rate_reserve  # noqa: E402


def timed(calls: int, client_of) -> list[float]:
    times = []
    for number in range(calls):
        client = client_of(number)
        start = time.perf_counter()
        submission_rate_reserve(client=client)
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float]) -> None:
    times = sorted(times)
    p50 = statistics.median(times) * 1e6
    p99 = times[int(len(times) * 0.99)] * 1e6
    print(f"{label:<44} p50 {p50:7.0f} µs   p99 {p99:7.0f} µs   {len(times) / sum(times):8.0f}/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20000)
    calls = parser.parse_args().calls
    settings.SUBMISSION_RATE_LIMIT = "5/10m"
    run = uuid.uuid4().hex[:8]
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {settings.CACHES['default']['LOCATION']}"
    )

    report("new client each call (allowed)", timed(calls, lambda n: f"bench-{run}-{n}"))
    busy = f"bench-{run}-busy"
    report("one client over the limit (refused)", timed(calls, lambda n: busy))

    def burst(_):
        return timed(calls // 20, lambda n: f"bench-{run}-t-{n % 50}")

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=20) as pool:
        merged = [t for times in pool.map(burst, range(20)) for t in times]
    wall = time.perf_counter() - start
    report("20 threads, 50 clients", merged)
    print(f"{'':<44} {len(merged) / wall:.0f} calls/s overall")

    key = cache.make_and_validate_key(f"intake:submissions:sliding:{busy}")
    raw = cache._cache.get_client(key, write=True)
    print(
        f"one client at the limit: {raw.zcard(key)} members, "
        f"{raw.memory_usage(key)} bytes, expires in {raw.ttl(key)} s"
    )
    for pattern in (f"*bench-{run}-*",):
        for found in raw.scan_iter(match=pattern, count=1000):
            raw.delete(found)


if __name__ == "__main__":
    main()
