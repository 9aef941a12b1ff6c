"""Requests per second one gunicorn sync worker sustains on the public ask page.

Loopback only, bounded: a PostgreSQL database of its own (created and dropped here), an
embedded Redis on a unix socket, production settings (DEBUG off) with the rate limit off,
one gunicorn sync worker on a free 127.0.0.1 port. Two client threads first GET the page,
then POST typed submissions with the page's CSRF token, as a browser's form does
(multipart), each phase for at most --seconds or --requests, whichever comes first.

    .venv/bin/python bench/intake_rps.py [--seconds 10] [--requests 2000] [--threads 2]

Needs PostgreSQL on 127.0.0.1:5432 reachable as `postgres` without a password (as in CI).
"""

import argparse
import http.client
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import csrf_credentials, multipart, stack_start  # noqa: E402

BOUNDARY = "----mailbag-bench-boundary"


def load(port: int, *, method: str, threads: int, seconds: float, requests: int, make_request):
    """Drive the server from `threads` clients; return (latencies, statuses, elapsed)."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    issued = 0
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        nonlocal issued
        sequence = 0
        while time.monotonic() < deadline:
            with lock:
                if issued >= requests:
                    return
                issued += 1
            sequence += 1
            path, body, headers = make_request(index, sequence)
            started = time.perf_counter()
            # A sync worker closes every connection after its response: one per request.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError as error:
                status = type(error).__name__
            finally:
                connection.close()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] += 1

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, statuses, time.monotonic() - started


def summary(label: str, latencies: list[float], statuses: Counter, elapsed: float) -> float:
    rate = len(latencies) / elapsed
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    print(
        f"{label:<28} {len(latencies):>6} req in {elapsed:5.2f} s = {rate:7.1f} req/s   "
        f"latency ms p50 {cuts[49] * 1000:6.1f}  p90 {cuts[89] * 1000:6.1f}  "
        f"p99 {cuts[98] * 1000:6.1f}  max {max(latencies) * 1000:6.1f}   "
        f"status {dict(statuses)}"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    stack = stack_start(database="postgres", pg_name="mailbag_intake_bench")
    try:
        # One sync worker, as this bench has always measured: the cost of one request.
        stack.start_web(
            "--workers", "1", "--worker-class", "sync", "--threads", "1", "--max-requests", "0"
        )  # fmt: skip
        port = stack.port
        path = f"/ask/{stack.slug}/"
        cookie, token = csrf_credentials(port, path)
        post_headers = {
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Cookie": f"csrftoken={cookie}",
        }

        def get_page(index: int, sequence: int):
            return path, None, {}

        def post_question(index: int, sequence: int):
            body = multipart(
                {
                    "csrfmiddlewaretoken": token,
                    "kind": "question",
                    "text": f"Bench question {index}-{sequence}: what comes after pre-training?",
                    "name": "Bench",
                    "email": "bench@example.com",
                    "website": "",
                },
                boundary=BOUNDARY,
            )
            return path, body, post_headers

        common = {"threads": args.threads, "seconds": args.seconds, "requests": args.requests}
        for warm in (get_page, post_question):  # imports, connections, caches
            load(port, method="GET" if warm is get_page else "POST", make_request=warm,
                 threads=1, seconds=5, requests=20)  # fmt: skip

        print(
            f"1 gunicorn sync worker, PostgreSQL, {args.threads} loopback client threads, "
            f"each phase <= {args.seconds:g} s or {args.requests} requests"
        )
        get_rate = summary(
            "GET /ask/<slug>/", *load(port, method="GET", make_request=get_page, **common)
        )
        latencies, statuses, elapsed = load(
            port, method="POST", make_request=post_question, **common
        )
        post_rate = summary("POST typed submission", latencies, statuses, elapsed)
        print(f"{'POST / GET throughput':<28} {post_rate / get_rate:.2f}x")
        ((accepted,),) = stack.sql("SELECT count(*) FROM intake_submission")
        print(f"{'rows in intake_submission':<28} {accepted} (includes 20 warm-up posts)")
        if statuses.get(302, 0) != len(latencies):
            raise SystemExit("some submissions were not accepted (expected every POST to be 302)")
    finally:
        stack.close()


if __name__ == "__main__":
    main()
