"""Benchmark the whole transcription pipeline (a script, not a test).

    .venv/bin/python bench/transcribe_pipeline.py [--clips 10,30,60,180] [--queue 20]
        [--audio-dir DIR | --shared]

Starts what production runs, on this machine: an embedded Redis, gunicorn (one sync worker)
serving the real web app, and one TranscriptionWorker process (warm model). Then:
- pipeline overhead: for each clip, the time from the form POST (a voice message uploaded on
  /ask/<slug>/) until the submission is `done`, divided by the engine's own transcription time
  for that clip, measured inside the worker (warm) in the same run;
- a queue of N 30-second single-speaker messages (espeak-ng): time until the warm worker has
  done them all, against the `whisper` command line run once per file on the same files (it
  needs Debian's ffmpeg; Mailbag does not), and the worker's peak memory (VmHWM).

Uses a throwaway SQLite database and media folder (or DATABASE_URL if set), loopback only.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
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

from stack import free_port, multipart  # noqa: E402
from transcribe_engine import (  # noqa: E402
    add_audio_options,
    audio_dir,
    build_speech,
    table,
    write_wav,
)

SLUG = "bench-recap"


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
        boundary = uuid.uuid4().hex
        body = multipart(
            {"csrfmiddlewaretoken": token, "kind": "question", "text": "", "consent": "on"},
            boundary=boundary,
            files={"audio": (wav.name, wav.read_bytes(), "audio/wav")},
        )
        request = urllib.request.Request(  # noqa: S310 (loopback http only)
            f"{self.base}/ask/{SLUG}/",
            data=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": f"{self.base}/ask/{SLUG}/",
            },
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


# Single-speaker listener messages (written for this benchmark), spoken by espeak-ng: what a
# queue of voice messages looks like. The clips above stitch four recordings together, which
# is harder on Whisper than one person talking.
MESSAGES = [
    "Hi, this is Priya from Toronto, long time listener. I wanted to ask about the part of the "
    "essay on twenty seventeen. Ilya wrote that self play in multi agent environments would "
    "scale much better than human guidance, and a few months later AlphaGo Zero showed exactly "
    "that. Do you think the same idea applies to language models today?",
    "Hello from Lisbon! Quick question about pre-training. If we really only have one internet, "
    "is synthetic data enough to keep scaling, or do the labs need agents that learn from their "
    "own experience? I would love to hear both of you argue opposite sides of this one. Thanks "
    "for a great year of episodes.",
    "Hey, it's Marcus. You mentioned the scaling hypothesis from the twenty fourteen sequence to "
    "sequence talk. Looking back ten years later, what did Ilya get right, and what aged badly, "
    "like the LSTMs? Also, do you think the connectionism argument still holds up now that "
    "models reason for minutes before they answer?",
    "Hi both, this is Dana, I work on infrastructure. The emails said OpenAI wanted to grow from "
    "six hundred GPUs to five thousand. That sounds tiny now. How should a small team think "
    "about compute today, when one big experiment beats a hundred small ones but the big "
    "clusters belong to a handful of companies?",
]


def make_messages(count: int, work: Path) -> list[Path]:
    from intake.transcription.decode import decode_audio

    paths = []
    for index in range(count):
        spoken = work / f"spoken-{index}.wav"
        voice = ["en-us", "en-gb", "en-us+f3", "en-gb+m3"][index % 4]
        speed = 140 + 7 * (index % 5)
        text = MESSAGES[index % len(MESSAGES)] + " " + MESSAGES[(index + 1) % len(MESSAGES)]
        subprocess.run(  # noqa: S603
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(spoken), text],  # noqa: S607
            check=True,
        )
        path = work / f"message-{index:02d}.wav"
        write_wav(path, decode_audio(spoken)[: 30 * 16000])
        paths.append(path)
    return paths


def whisper_cli_seconds(files: list[Path], work: Path, threads: int) -> float | None:
    """Time `whisper FILE --model <checkpoint>` once per file (needs Debian's ffmpeg)."""
    from django.conf import settings

    from intake.transcription.weights import resolve_model

    if not shutil.which("ffmpeg"):
        return None
    checkpoint = resolve_model(
        engine="openai-whisper", model="tiny.en", cache_dir=settings.WHISPER_CACHE_DIR
    ).path
    cli = Path(sys.executable).with_name("whisper")
    started = time.perf_counter()
    for path in files:
        subprocess.run(  # noqa: S603
            [str(cli), str(path), "--model", str(checkpoint), "--model_dir", str(work),
             "--fp16", "False", "--language", "en", "--threads", str(threads),
             "--output_dir", str(work / "cli-out"), "--output_format", "txt"],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", default="10,30,60,180")
    parser.add_argument("--queue", type=int, default=20, help="30 s messages in the queue test")
    add_audio_options(parser)
    args = parser.parse_args()
    audio = audio_dir(args)
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
            write_wav(wav, build_speech(seconds, audio))
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
            wavs = make_messages(args.queue, work)
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
            words = sum(
                len(t.split())
                for t in Submission.objects.filter(pk__gt=first_new).values_list(
                    "transcript", flat=True
                )
            )
            status = Path(f"/proc/{worker.pid}/status").read_text()
            hwm_mib = int(status.split("VmHWM:")[1].split()[0]) / 1024
            from django.conf import settings

            cli = whisper_cli_seconds(wavs, work, settings.WHISPER_THREADS)
            print(
                f"\nQueue of {args.queue} x 30 s single-speaker voice messages "
                f"(worker peak RSS {hwm_mib:.0f} MiB, {words} words transcribed)"
            )
            rows = [["warm worker: POST to all done", f"{total:.1f}", f"{total / args.queue:.2f}"]]
            if cli is not None:
                rows.append(
                    [
                        "`whisper FILE` command line per file",
                        f"{cli:.1f}",
                        f"{cli / args.queue:.2f}",
                    ]
                )
            print(table(["how", "total s", "per message s"], rows))
            if cli is not None:
                print(f"warm worker is {cli / total:.2f}x faster than the command line per file")
            else:
                print("(no ffmpeg binary: the whisper command line cannot run; not compared)")
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
