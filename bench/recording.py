"""Recording day with a big mailbag: server time and queries of the live page, the state the
open laptops poll, a Next press, the after-show summary and the chapters download.

For each (submissions in the episode, questions on the run-sheet) pair, builds an episode
(bulk_create: typed questions, a fifth approved; the run-sheet's questions spread over one
segment per topic plus an intro with time of its own), starts a recording and presses Next a
few times, then measures through Django's test client (SERVER_NAME="localhost") the median of
`--repeats` requests after one warm-up, and the queries of each. The figures of every pair are
printed side by side with their ratio to the first pair, since only ratios compare across
machines.

    .venv/bin/python bench/recording.py [--pairs 100x10,10000x10,10000x60] [--repeats 20]

Uses a throwaway SQLite database (or DATABASE_URL if set) and its own embedded Redis.
Targets: the same queries at every size; the state poll (every 1.5 s from each open laptop)
and a Next press well under 50 ms on SQLite.
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.machine import cpu_flags  # noqa: E402

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("MAILBAG_VAR_DIR"):
    os.environ["MAILBAG_VAR_DIR"] = tempfile.mkdtemp(prefix="mailbag-bench-")

ESSAY = ROOT / "tests" / "fixtures" / "essays" / "four-eras.md"
HOST = "bench-host"
MEASURED = [
    ("live page", "live"),
    ("state poll (JSON)", "state"),
    ("Next press (JSON)", "next"),
    ("after-show summary", "summary"),
    ("chapters download", "chapters"),
]


def build(*, submissions: int, on_sheet: int):
    from django.utils import timezone

    from episodes.models import Episode
    from episodes.services import essay_import
    from intake.models import Submission
    from runsheet import services
    from runsheet.models import Entry, Segment

    slug = f"bench-rec-{submissions}-{on_sheet}"
    Episode.objects.filter(slug=slug).delete()
    now = timezone.now()
    episode = Episode.objects.create(
        slug=slug, title=f"Bench {submissions:,}", recording_at=now + dt.timedelta(days=1)
    )
    from django.contrib.auth import get_user_model

    episode.hosts.add(get_user_model().objects.get(username=HOST))
    essay_import(episode=episode, markdown=ESSAY.read_text(encoding="utf-8"))
    rows = [
        Submission(
            episode=episode,
            name=f"Listener {index}",
            email=f"l{index}@example.com" if index % 3 == 0 else "",
            notify_when_aired=index % 3 == 0,
            text=f"Question {index}: what did the essay get right about scaling, and why?",
            status="approved" if index % 5 == 0 else "new",
        )
        for index in range(submissions)
    ]
    created = Submission.objects.bulk_create(rows, batch_size=500)
    approved = [row for row in created if row.status == "approved"][:on_sheet]
    services.runsheet_start(episode=episode)
    intro = services.segment_create(episode=episode, title="Intro", extra_seconds=90)
    for _ in range(episode.topics.count()):
        services.segment_move(segment=intro, direction="up")
    segments = list(Segment.objects.filter(episode=episode, topic__isnull=False))
    Entry.objects.bulk_create(
        Entry(segment=segments[index % len(segments)], submission=row, position=index)
        for index, row in enumerate(approved)
    )
    services.recording_start(episode=episode, now=now - dt.timedelta(minutes=20))
    for minutes in (18, 14, 10):
        services.recording_next(episode=episode, now=now - dt.timedelta(minutes=minutes))
    return episode


def measure(episode, repeats: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from runsheet import services

    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username=HOST))
    slug = episode.slug
    urls = {
        "live": reverse("dashboard:recording_live", args=[slug]),
        "state": reverse("dashboard:recording_state", args=[slug]),
        "next": reverse("dashboard:recording_action", args=[slug, "next"]),
        "summary": reverse("dashboard:recording_summary", args=[slug]),
        "chapters": reverse("dashboard:runsheet_export", args=[slug, "chapters"]),
    }
    results = {}
    for _label, key in MEASURED:
        times, queries = [], 0
        for attempt in range(repeats + 1):
            if key == "next":
                # Back first (not timed), so every Next has a step to move on to.
                services.recording_back(episode=episode)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if key == "next":
                    response = client.post(urls[key], HTTP_ACCEPT="application/json")
                else:
                    response = client.get(urls[key])
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (key, response.status_code)
            if attempt:
                times.append(elapsed)
            queries = len(captured)
        results[key] = (statistics.median(times), queries)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", default="100x10,10000x10,10000x60")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    pairs = [tuple(int(n) for n in pair.split("x")) for pair in args.pairs.split(",")]

    from bench.stack import embedded_redis_env

    with embedded_redis_env():
        run(args, pairs)


def run(args, pairs) -> None:
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # the login throttle's per-login lines
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    get_user_model().objects.get_or_create(username=HOST)
    print(
        f"Mailbag recording bench: {platform.python_version()}, {connection.vendor}, "
        f"{os.cpu_count()} cores ({cpu_flags()}), median of {args.repeats}"
    )
    figures = []
    for submissions, on_sheet in pairs:
        episode = build(submissions=submissions, on_sheet=on_sheet)
        figures.append(measure(episode, args.repeats))
    header = " | ".join(f"{s:,} subs, {n} on sheet" for s, n in pairs)
    print(f"| request | {header} |")
    print("|---|" + "---|" * len(pairs))
    for label, key in MEASURED:
        base_ms = figures[0][key][0]
        cells = [
            f"{ms:.1f} ms ({queries} q, x{ms / base_ms:.2f})"
            for ms, queries in (figure[key] for figure in figures)
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
