"""A mixed load of typed and voice submissions against Mailbag as deployed, then a check that
nothing was lost.

Starts its own stack on loopback (bench/stack.py): gunicorn with deploy/gunicorn.conf.py, one
transcription worker (`manage.py rqworker ... TranscriptionWorker`), an embedded Redis, and
SQLite or a PostgreSQL database of its own (created and dropped here); production settings,
the per-client limits off. Then --concurrency clients POST to /ask/<slug>/ for --seconds, each
submission typed or, with probability --voice-share, a voice message (one of the recordings in
tests/fixtures/audio/*.webm), as a browser's form sends them (multipart, CSRF token).

Afterwards it checks that every 302 left exactly one row and every refused post none; that
every voice row has exactly one file and no file is left without a row (nor any temporary
upload file); and waits (at most --drain-timeout) for the worker to transcribe every voice
message (`done`). It prints submissions per second and p50/p99 latency for typed and voice
separately, and how long the worker took to catch up.

    .venv/bin/python bench/load.py [--database sqlite|postgres] [--seconds 120]
        [--concurrency 8] [--voice-share 0.2] [--drain-timeout 1800]

PostgreSQL: 127.0.0.1:5432, user postgres without a password (as in CI).
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import PROJECT, Stack, csrf_credentials, multipart, stack_start  # noqa: E402

BOUNDARY = "----mailbag-load-boundary"
VOICE = sorted((PROJECT / "tests" / "fixtures" / "audio").glob("*.webm"))
QUESTIONS = (
    "What comes after pre-training, now that the data is running out?",
    "Could you revisit the scaling hypothesis from the 2014 talk?",
    "Is self-play the way past the data wall, or only for games?",
    "Love the show! What would you tell a student starting in machine learning today?",
)


@dataclass
class Result:
    name: str
    kind: str  # "typed" or "voice"
    status: int | str
    seconds: float


async def client_loop(
    http: httpx2.AsyncClient,
    *,
    index: int,
    url: str,
    headers: dict[str, str],
    token: str,
    deadline: float,
    voice_share: float,
    voice: list[tuple[str, bytes]],
    results: list[Result],
) -> None:
    chooser = random.Random(index)  # the same mix on every run
    sequence = 0
    while time.monotonic() < deadline:
        sequence += 1
        name = f"load {index}-{sequence}"
        fields = {
            "csrfmiddlewaretoken": token,
            "kind": "question",
            "name": name,
            "email": "listener@example.com",
            "website": "",
        }
        if chooser.random() < voice_share:
            kind = "voice"
            filename, data = chooser.choice(voice)
            fields.update(text="", consent="on")
            body = multipart(
                fields, boundary=BOUNDARY, files={"audio": (filename, data, "audio/webm")}
            )
        else:
            kind = "typed"
            fields["text"] = chooser.choice(QUESTIONS)
            body = multipart(fields, boundary=BOUNDARY)
        started = time.perf_counter()
        try:
            response = await http.post(url, content=body, headers=headers)
            status: int | str = response.status_code
        except httpx2.HTTPError as error:
            status = type(error).__name__
        results.append(Result(name, kind, status, time.perf_counter() - started))


async def load(stack: Stack, *, seconds: float, concurrency: int, voice_share: float):
    path = f"/ask/{stack.slug}/"
    cookie, token = csrf_credentials(stack.port, path)
    headers = {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Cookie": f"csrftoken={cookie}",
    }
    voice = [(path.name, path.read_bytes()) for path in VOICE]
    results: list[Result] = []
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(
        base_url=f"http://127.0.0.1:{stack.port}", limits=limits, timeout=120, trust_env=False
    ) as http:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(
                client_loop(
                    http,
                    index=index,
                    url=path,
                    headers=headers,
                    token=token,
                    deadline=deadline,
                    voice_share=voice_share,
                    voice=voice,
                    results=results,
                )
                for index in range(concurrency)
            )
        )
        elapsed = time.monotonic() - started
    return results, elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(results: list[Result], elapsed: float) -> None:
    print(f"{'':<7} {'sent':>6} {'302':>6} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for kind in ("typed", "voice", "all"):
        chosen = [r for r in results if kind in ("all", r.kind)]
        if not chosen:
            continue
        accepted = [r for r in chosen if r.status == 302]
        latencies = [r.seconds * 1000 for r in chosen]
        print(
            f"{kind:<7} {len(chosen):>6} {len(accepted):>6} {len(accepted) / elapsed:>7.1f} "
            f"{statistics.median(latencies):>8.0f} {percentile(latencies, 0.99):>8.0f}  "
            f"{dict(Counter(r.status for r in chosen))}"
        )


def files_under(folder: Path) -> set[str]:
    if not folder.exists():
        return set()
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


def check_nothing_lost(stack: Stack, results: list[Result]) -> list[str]:
    """Every 302 has exactly one row (and a voice one exactly one file); nothing else does."""
    problems = []
    rows = Counter()
    audio_of: dict[str, str] = {}
    for name, audio in stack.sql("SELECT name, COALESCE(audio, '') FROM intake_submission"):
        rows[name] += 1
        audio_of[name] = audio
    for result in results:
        expected = 1 if result.status == 302 else 0
        if rows[result.name] != expected:
            problems.append(f"{result.name} ({result.status}): {rows[result.name]} rows")
        elif expected and (result.kind == "voice") != bool(audio_of[result.name]):
            problems.append(f"{result.name}: audio {audio_of[result.name]!r} on a {result.kind}")
    sent = {result.name for result in results}
    problems += [f"{name}: a row nobody sent" for name in rows if name not in sent]
    stored = files_under(stack.media)
    referenced = {audio for audio in audio_of.values() if audio}
    problems += [f"{audio}: row without its file" for audio in sorted(referenced - stored)]
    problems += [f"{audio}: file without a row" for audio in sorted(stored - referenced)]
    problems += [f"{name}: temporary upload left" for name in sorted(files_under(stack.uploads))]
    return problems


def drain(stack: Stack, *, timeout: float) -> tuple[float, Counter]:
    """Wait until no voice row is pending or running; return the time taken and the states."""
    started = time.monotonic()
    while True:
        rows = stack.sql(
            "SELECT transcription_state, COUNT(*) FROM intake_submission "
            "WHERE transcription_state != 'none' GROUP BY transcription_state"
        )
        states = Counter({state: int(count) for state, count in rows})  # psql gives text
        waiting = states["pending"] + states["running"]
        if not waiting or time.monotonic() - started > timeout:
            return time.monotonic() - started, states
        time.sleep(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--voice-share", type=float, default=0.2)
    parser.add_argument("--drain-timeout", type=float, default=1800)
    args = parser.parse_args()

    stack = stack_start(database=args.database, pg_name="mailbag_load", slug="load-bench")
    try:
        stack.start_worker()
        stack.start_web()
        print(
            f"{args.database}, gunicorn -c deploy/gunicorn.conf.py, 1 transcription worker, "
            f"{args.concurrency} clients for {args.seconds:g} s, "
            f"{args.voice_share:.0%} voice; {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f} before the run",
            flush=True,
        )
        results, elapsed = asyncio.run(
            load(
                stack,
                seconds=args.seconds,
                concurrency=args.concurrency,
                voice_share=args.voice_share,
            )
        )
        report(results, elapsed)
        waited, states = drain(stack, timeout=args.drain_timeout)
        voice_rows = sum(states.values())
        print(
            f"worker: {voice_rows} voice messages, {states['done']} done "
            f"{waited:.0f} s after the load ended; states {dict(states)}"
        )
        problems = check_nothing_lost(stack, results)
        problems += [
            f"{count} voice rows ended {state}"
            for state, count in states.items()
            if state != "done" and count
        ]
        if problems:
            print(f"PROBLEMS ({len(problems)}):", *problems[:20], sep="\n  ")
            raise SystemExit(1)
        print("every 302 has its row (and its file), nothing else was stored")
    finally:
        stack.close()


if __name__ == "__main__":
    main()
