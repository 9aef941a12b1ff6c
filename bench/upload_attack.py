"""Issue 12, finding 1: /healthz while four crafted uploads arrive at once.

Starts Mailbag in production mode on loopback (DEBUG off, SQLite and an embedded Redis in a
temporary folder, gunicorn as the README's deployment section runs it: 4 sync workers, its
default 30 s timeout), builds the crafted files in a temporary folder (tests/fixtures/audio/
jfk.wav padded with zero bytes to 24.9 MB, which FFmpeg's WAV demuxer walks a few bytes at a
time), sends them all at once while polling /healthz every 0.5 s, and prints /healthz latency
(p50, max, failures) before and during the attack, what each upload got and how long it
took, the workers gunicorn killed, and the temporary files left behind.

    .venv/bin/python bench/upload_attack.py [--tree PATH] [--uploads 4] [--size-mb 24.9]

--tree runs another checkout's code with this one's venv, e.g. the state before issue 12:
`git worktree add /tmp/before HEAD && .venv/bin/python bench/upload_attack.py --tree /tmp/before`.
"""

import argparse
import html
import http.client
import os
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import (  # noqa: E402
    PROJECT,
    csrf_credentials,
    free_port,
    multipart,
    processes_stop,
    wait_for_http,
)
from config import embedded_redis  # noqa: E402

SLUG = "attack"
BOUNDARY = "----mailbag-attack-boundary"
JFK = PROJECT / "tests" / "fixtures" / "audio" / "jfk.wav"


def manage(tree: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def get(port: int, path: str, timeout: float) -> tuple[int, str, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace"), dict(response.headers)
    finally:
        connection.close()


def upload_body(port: int, audio: bytes) -> tuple[bytes, dict[str, str]]:
    """A browser's form POST: CSRF cookie (Secure in production, so sent by hand) and token."""
    cookie, token = csrf_credentials(port, f"/ask/{SLUG}/", timeout=30)
    fields = {"csrfmiddlewaretoken": token, "kind": "question", "text": "", "consent": "on"}
    body = multipart(fields, boundary=BOUNDARY, files={"audio": ("voice.wav", audio, "audio/wav")})
    return body, {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Cookie": f"csrftoken={cookie}",
        "Referer": f"http://127.0.0.1:{port}/ask/{SLUG}/",
        "Host": "127.0.0.1",
    }


def what_it_got(status: int, page: str, location: str) -> str:
    if status == 302:
        return f"302 accepted -> {location}"
    match = re.search(r'data-errors-for="audio">(.*?)</div>', page, re.S)
    message = html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""
    return f"{status} {message or page[:80].strip()!r}"


class HealthPoller:
    """GET /healthz every `interval` s, each in its own thread so that a hung request does
    not delay the next one; records (seconds, ok) per poll."""

    def __init__(self, port: int, interval: float) -> None:
        self.port, self.interval = port, interval
        self.results: list[tuple[float, bool]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def _poll(self) -> None:
        started = time.perf_counter()
        try:
            ok = get(self.port, "/healthz", timeout=30)[0] == 200
        except OSError:
            ok = False
        with self.lock:
            self.results.append((time.perf_counter() - started, ok))

    def run(self) -> None:
        while not self.stop.is_set():
            thread = threading.Thread(target=self._poll)
            thread.start()
            self.threads.append(thread)
            self.stop.wait(self.interval)

    def finish(self) -> list[tuple[float, bool]]:
        self.stop.set()
        for thread in self.threads:
            thread.join()
        return self.results


def health_line(label: str, results: list[tuple[float, bool]]) -> str:
    latencies = [seconds for seconds, _ in results]
    failures = sum(1 for _, ok in results if not ok)
    return (
        f"{label:<22} polls {len(results):>3}  p50 {statistics.median(latencies) * 1000:8.1f} ms"
        f"  max {max(latencies) * 1000:8.1f} ms  failures {failures}"
    )


def poll_health(port: int, seconds: float, interval: float) -> list[tuple[float, bool]]:
    poller = HealthPoller(port, interval)
    thread = threading.Thread(target=poller.run)
    thread.start()
    time.sleep(seconds)
    results = poller.finish()
    thread.join()
    return results


def honest_upload_times(port: int, count: int) -> None:
    """What a listener's real recording costs: POST jfk.wav (11 s, 352 KB) to the answer."""
    seconds, answers = [], set()
    for _ in range(count):
        body, headers = upload_body(port, JFK.read_bytes())
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("POST", f"/ask/{SLUG}/", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            answers.add(response.status)
        finally:
            connection.close()
        seconds.append(time.perf_counter() - started)
    print(
        f"honest jfk.wav uploads, one at a time: {count}, median "
        f"{statistics.median(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms, "
        f"status {sorted(answers)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=PROJECT, help="checkout whose code runs")
    parser.add_argument("--uploads", type=int, default=4)
    parser.add_argument("--size-mb", type=float, default=24.9)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument(
        "--honest", type=int, default=5, help="then this many jfk.wav uploads, one at a time"
    )
    parser.add_argument(
        "--gunicorn-config", type=Path, help="e.g. deploy/gunicorn.conf.py instead of --workers"
    )
    args = parser.parse_args()
    tree = args.tree.resolve()

    workdir = Path(tempfile.mkdtemp(prefix="mailbag-attack-"))
    processes: list[subprocess.Popen] = []
    try:
        redis_process, redis_url = embedded_redis.start(
            directory=Path(tempfile.mkdtemp(prefix="mb-redis-", dir=workdir)),
            persist=False,
            stdout=subprocess.DEVNULL,
        )
        processes.append(redis_process)
        # Django's own temporary files go to TMPDIR unless the code says otherwise: a folder
        # of this run's, so what a killed worker leaves behind can be counted.
        (workdir / "tmp").mkdir()
        env = {
            **os.environ,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{workdir / 'var' / 'mailbag.sqlite3'}",
            "REDIS_URL": redis_url,
            "MAILBAG_VAR_DIR": str(workdir / "var"),
            "STATIC_ROOT": str(workdir / "static"),
            "HOST_NOTIFY_EMAILS": "",
            "SUBMISSION_RATE_LIMIT": "0",  # the honest uploads after the attack
            "LOG_LEVEL": "WARNING",
            "TMPDIR": str(workdir / "tmp"),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        (workdir / "var").mkdir()
        manage(tree, env, "migrate", "--noinput")
        manage(tree, env, "collectstatic", "--noinput")
        code_from = manage(
            tree, env, "shell", "-c",
            "import datetime as dt, intake; from django.utils import timezone; "
            "from episodes.models import Episode; "
            f"Episode.objects.create(slug='{SLUG}', title='Attack', max_audio_seconds=90, "
            "recording_at=timezone.now() + dt.timedelta(days=3), "
            "submissions_close_at=timezone.now() + dt.timedelta(days=2)); "
            "print(intake.__file__)",
        ).splitlines()[-1]  # fmt: skip

        crafted = JFK.read_bytes()
        crafted += b"\0" * (int(args.size_mb * 1_000_000) - len(crafted))

        port = free_port()
        web_log = workdir / "web.log"
        if args.gunicorn_config:
            how = ["-c", str(args.gunicorn_config.resolve()), "--access-logfile", "/dev/null"]
            described = f"gunicorn -c {args.gunicorn_config} config.wsgi"
        else:
            how = ["--workers", str(args.workers)]
            described = f"gunicorn config.wsgi --workers {args.workers} (sync, timeout 30 s)"
        with web_log.open("wb") as log:
            web = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", *how,
                 "--bind", f"127.0.0.1:{port}"],
                cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        processes.append(web)
        wait_for_http(port, f"/ask/{SLUG}/", web)
        bodies = [upload_body(port, crafted) for _ in range(args.uploads)]

        print(f"Code under test: {Path(code_from).parent.parent}")
        print(
            f"{described}; {os.cpu_count()} cores; {args.uploads} uploads of "
            f"{len(crafted) / 1e6:.1f} MB (jfk.wav + zero bytes)"
        )
        idle = poll_health(port, 5, args.interval)

        poller = HealthPoller(port, args.interval)
        poll_thread = threading.Thread(target=poller.run)
        poll_thread.start()
        outcomes: list[tuple[int, float, str]] = []
        lock = threading.Lock()

        def send(index: int, body: bytes, headers: dict[str, str]) -> None:
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            try:
                connection.request("POST", f"/ask/{SLUG}/", body=body, headers=headers)
                response = connection.getresponse()
                page = response.read().decode(errors="replace")
                got = what_it_got(response.status, page, response.getheader("Location") or "")
            except OSError as error:
                got = f"{type(error).__name__}: {error}"
            finally:
                connection.close()
            with lock:
                outcomes.append((index, time.perf_counter() - started, got))

        senders = [
            threading.Thread(target=send, args=(index, *bodies[index]))
            for index in range(args.uploads)
        ]
        attack_started = time.perf_counter()
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        attack_seconds = time.perf_counter() - attack_started
        time.sleep(1.0)  # a poll or two after the last answer
        during = poller.finish()
        poll_thread.join()

        print()
        print(health_line("/healthz idle (5 s)", idle))
        print(health_line(f"/healthz attack ({attack_seconds:.1f} s)", during))
        print()
        for index, seconds, got in sorted(outcomes):
            print(f"upload {index + 1}: {seconds:6.1f} s  {got}")
        time.sleep(2)  # let gunicorn log what it did
        log_text = web_log.read_text(errors="replace")
        left = [
            path
            for folder in (workdir / "tmp", workdir / "var" / "uploads")
            if folder.exists()
            for path in folder.rglob("*")
            if path.is_file()
        ]
        with sqlite3.connect(workdir / "var" / "mailbag.sqlite3") as database:
            rows = database.execute("SELECT COUNT(*) FROM intake_submission").fetchone()[0]
        print()
        print(f"gunicorn WORKER TIMEOUT lines: {log_text.count('WORKER TIMEOUT')}")
        print(f"submissions stored: {rows}")
        print(
            f"temporary files left: {len(left)} "
            f"({sum(path.stat().st_size for path in left) / 1e6:.1f} MB)"
        )
        if args.honest:
            honest_upload_times(port, args.honest)
    finally:
        processes_stop(reversed(processes))
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
