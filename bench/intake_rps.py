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
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from config import embedded_redis  # noqa: E402

DATABASE = "mailbag_intake_bench"
SLUG = "bench-episode"
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
BOUNDARY = "----mailbag-bench-boundary"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, cwd=PROJECT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_for_http(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", f"/ask/{SLUG}/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer in time")


def multipart(fields: dict[str, str]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def csrf_credentials(port: int) -> tuple[str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", f"/ask/{SLUG}/")
    response = connection.getresponse()
    html = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return cookie, token


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

    workdir = Path(tempfile.mkdtemp(prefix="mailbag-intake-bench-"))
    redis_dir = Path(tempfile.mkdtemp(prefix="mb-bench-redis-", dir="/tmp"))
    redis_process = gunicorn = None
    env = dict(os.environ)
    try:
        redis_process, redis_url = embedded_redis.start(
            directory=redis_dir,
            persist=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
            REDIS_URL=redis_url,
            MAILBAG_VAR_DIR=str(workdir / "var"),
            STATIC_ROOT=str(workdir / "static"),
            SUBMISSION_RATE_LIMIT="0",
            HOST_NOTIFY_EMAILS="",
            LOG_LEVEL="WARNING",
        )
        subprocess.run(["dropdb", *PG, "--if-exists", DATABASE], check=True)
        subprocess.run(["createdb", *PG, DATABASE], check=True)
        python = sys.executable
        run([python, "manage.py", "migrate", "--noinput"], env)
        run([python, "manage.py", "collectstatic", "--noinput"], env)
        run(
            [
                python, "manage.py", "shell", "-c",
                "import datetime as dt; from django.utils import timezone; "
                "from episodes.models import Episode; "
                f"Episode.objects.create(slug='{SLUG}', title='Bench episode', "
                "recording_at=timezone.now() + dt.timedelta(days=3), "
                "submissions_close_at=timezone.now() + dt.timedelta(days=2))",
            ],
            env,
        )  # fmt: skip

        port = free_port()
        gunicorn = subprocess.Popen(
            [
                str(Path(python).with_name("gunicorn")), "config.wsgi:application",
                "--workers", "1", "--worker-class", "sync",
                "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
            ],
            cwd=PROJECT,
            env=env,
        )  # fmt: skip
        wait_for_http(port, gunicorn)
        cookie, token = csrf_credentials(port)
        path = f"/ask/{SLUG}/"
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
                }
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
        accepted = subprocess.run(
            ["psql", *PG, "-d", DATABASE, "-tAc", "SELECT count(*) FROM intake_submission"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        print(f"{'rows in intake_submission':<28} {accepted} (includes 20 warm-up posts)")
        if statuses.get(302, 0) != len(latencies):
            raise SystemExit("some submissions were not accepted (expected every POST to be 302)")
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=15)
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=10)
        subprocess.run(["dropdb", *PG, "--if-exists", DATABASE], check=False)
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(redis_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
