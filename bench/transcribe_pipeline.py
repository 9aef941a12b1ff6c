"""Benchmark the whole transcription pipeline (a script, not a test).

    .venv/bin/python bench/transcribe_pipeline.py [--clips 10,30,60,180] [--queue 20]

Starts what production runs, on this machine: an embedded Redis, gunicorn (one sync worker)
serving the real web app, and one TranscriptionWorker process (warm model). Then:
- pipeline overhead: for each clip, the time from the form POST (a voice message uploaded on
  /ask/<slug>/) until the submission is `done`, divided by the engine's own transcription time
  for that clip, measured inside the worker (warm) in the same run;
- a queue of N 30-second messages: time until the warm worker has done them all, and the
  worker process's peak memory (VmHWM).

Uses a throwaway SQLite database and media folder (or DATABASE_URL if set), loopback only.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from transcribe_engine import build_speech, table, write_wav  # noqa: E402

SLUG = "bench-recap"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def multipart(fields: dict[str, str], files: dict[str, Path]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, path in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{path.name}"\r\nContent-Type: audio/wav\r\n\r\n'
        )
        parts.append(head.encode() + path.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Listener:
    """A browser-like client: keeps the CSRF cookie, posts the question form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def submit_voice(self, wav: Path) -> None:
        page = self.opener.open(f"{self.base}/ask/{SLUG}/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body, content_type = multipart(
            {"csrfmiddlewaretoken": token, "kind": "question", "text": "", "consent": "on"},
            {"audio": wav},
        )
        request = urllib.request.Request(  # noqa: S310 (loopback http only)
            f"{self.base}/ask/{SLUG}/",
            data=body,
            headers={"Content-Type": content_type, "Referer": f"{self.base}/ask/{SLUG}/"},
        )
        with self.opener.open(request, timeout=120) as response:
            if "/thanks/" not in response.url:
                Path("/tmp/refused.html").write_bytes(response.read())
                raise RuntimeError(f"submission refused ({response.status}): see /tmp/refused.html")


def wait_until(predicate, *, timeout: float, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("gave up waiting")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", default="10,30,60,180")
    parser.add_argument("--queue", type=int, default=20, help="30 s messages in the queue test")
    args = parser.parse_args()
    clips = [int(c) for c in args.clips.split(",")]

    work = Path(tempfile.mkdtemp(prefix="mailbag-bench-"))
    redis_dir = Path(tempfile.mkdtemp(prefix="mb-bench-redis-", dir="/tmp"))
    processes: list[subprocess.Popen] = []
    try:
        from config import embedded_redis

        redis_process, redis_url = embedded_redis.start(
            directory=redis_dir, persist=False, stdout=subprocess.DEVNULL
        )
        processes.append(redis_process)
        env = dict(
            os.environ,
            DJANGO_DEBUG="1",
            MAILBAG_VAR_DIR=str(work),
            REDIS_URL=redis_url,
            SUBMISSION_RATE_LIMIT="0",
            WHISPER_CACHE_DIR=os.environ.get("WHISPER_CACHE_DIR", str(REPO / "var" / "models")),
            PYTHONUNBUFFERED="1",
        )
        os.environ.update(env)
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        django.setup()
        from django.core.management import call_command

        from episodes.demo import DEMO_TOPICS
        from episodes.services import episode_create
        from intake.models import Submission

        call_command("migrate", verbosity=0)
        longest = max([*clips, 30])
        demo = episode_create(slug=SLUG, title="Bench recap", max_audio_seconds=longest + 10)
        demo.topics.bulk_create(
            demo.topics.model(episode=demo, title=title, summary=summary, position=index)
            for index, (title, summary) in enumerate(DEMO_TOPICS)
        )

        port = free_port()
        log = open(work / "services.log", "wb")  # noqa: SIM115 - closed in finally via process end
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--timeout", "300"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "rqworker", "transcription",
             "--worker-class", "intake.worker.TranscriptionWorker", "--with-scheduler"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes += [web, worker]
        wait_until(
            lambda: b"Transcription model ready" in (work / "services.log").read_bytes(),
            timeout=300,
            interval=0.2,
        )
        base = f"http://127.0.0.1:{port}"
        listener = Listener(base)
        wait_until(lambda: _up(base), timeout=60, interval=0.2)

        def submit_and_wait(seconds: int) -> tuple[float, Submission]:
            wav = work / f"clip-{seconds}-{uuid.uuid4().hex[:6]}.wav"
            write_wav(wav, build_speech(seconds))
            before = Submission.objects.count()
            started = time.perf_counter()
            listener.submit_voice(wav)
            submission = wait_until(
                lambda: (
                    Submission.objects.filter(
                        episode=demo, transcription_state__in=["done", "failed"]
                    )
                    .order_by("-pk")
                    .exclude(pk__lte=before)
                    .first()
                ),
                timeout=600,
            )
            elapsed = time.perf_counter() - started
            if submission.transcription_state != "done":
                raise RuntimeError(submission.transcription_error)
            return elapsed, submission

        submit_and_wait(10)  # first request through every process: not counted
        rows = []
        for seconds in clips:
            pipeline, submission = submit_and_wait(seconds)
            engine = submission.transcription_seconds
            rows.append(
                [f"{seconds} s", f"{engine:.2f}", f"{pipeline:.2f}", f"{pipeline / engine:.2f}"]
            )
        print("\nPipeline: form POST -> done, through gunicorn, Redis and a warm worker")
        print(table(["clip", "engine in worker (s)", "POST to done (s)", "overhead ratio"], rows))

        if args.queue:
            wavs = []
            speech = build_speech(30)
            for index in range(args.queue):
                wav = work / f"queue-{index}.wav"
                write_wav(wav, speech)
                wavs.append(wav)
            first_new = Submission.objects.order_by("-pk").values_list("pk", flat=True).first()
            started = time.perf_counter()
            for wav in wavs:
                listener.submit_voice(wav)
            wait_until(
                lambda: (
                    Submission.objects.filter(pk__gt=first_new, transcription_state="done").count()
                    == args.queue
                ),
                timeout=3600,
                interval=0.2,
            )
            total = time.perf_counter() - started
            engine_total = sum(
                Submission.objects.filter(pk__gt=first_new).values_list(
                    "transcription_seconds", flat=True
                )
            )
            status = Path(f"/proc/{worker.pid}/status").read_text()
            hwm_mib = int(status.split("VmHWM:")[1].split()[0]) / 1024
            print(f"\nQueue of {args.queue} x 30 s voice messages through one warm worker")
            print(
                table(
                    ["messages", "wall (s)", "per message (s)", "engine share", "worker peak RSS"],
                    [
                        [
                            str(args.queue),
                            f"{total:.1f}",
                            f"{total / args.queue:.2f}",
                            f"{engine_total / total:.0%}",
                            f"{hwm_mib:.0f} MiB",
                        ]
                    ],
                )
            )
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(redis_dir, ignore_errors=True)


def _up(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


if __name__ == "__main__":
    main()
