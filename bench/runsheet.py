"""Run-sheet page and Markdown export: time and query count as the mailbag grows.

Builds episodes of 1,000 and 10,000 submissions (a fifth approved and tagged), puts 20 and 200
of them on the run-sheet, then times GET /host/<slug>/runsheet/ and the Markdown export
through Django's test client (server time, no network), medians of repeated runs, side by
side in one process. Target: the same number of queries at every size, under 300 ms on SQLite.

    .venv/bin/python bench/runsheet.py [--repeats 7] [--sizes 1000:20,10000:200]

Uses a throwaway SQLite database (or DATABASE_URL if set) and needs no Redis.
"""

import argparse
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
os.environ.setdefault("MAILBAG_VAR_DIR", tempfile.mkdtemp(prefix="mailbag-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Never touch a real Redis: nothing here queues jobs (passages are written directly).
os.environ.setdefault("REDIS_URL", "unix:///nonexistent/redis.sock")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from episodes.demo import DEMO_TOPICS  # noqa: E402
from episodes.models import Episode, Topic  # noqa: E402
from intake.models import Submission  # noqa: E402
from runsheet.models import Entry, RunSheet, Segment  # noqa: E402

QUESTIONS = [
    "Is pre-training really over now that we only have one internet of data?",
    "Did the 2017 bet on self-play lead straight to AlphaGo Zero?",
    "Was Ilya right in 2014 that big datasets and big networks guarantee success?",
    "What did the superalignment team publish before it came apart?",
    "Would a 5,000 GPU cluster still count as big today?",
]


def build(*, submissions: int, entries: int, host) -> Episode:
    from django.utils import timezone

    slug = f"bench-{submissions}"
    Episode.objects.filter(slug=slug).delete()
    episode = Episode.objects.create(
        slug=slug, title=f"Bench {submissions}", recording_at=timezone.now()
    )
    episode.hosts.add(host)
    topics = Topic.objects.bulk_create(
        Topic(episode=episode, title=title, summary=summary, position=index)
        for index, (title, summary) in enumerate(DEMO_TOPICS)
    )
    rows = []
    for index in range(submissions):
        approved = index % 5 == 0
        voice = index % 3 == 0
        rows.append(
            Submission(
                episode=episode,
                name=f"Listener {index}",
                text="" if voice else QUESTIONS[index % len(QUESTIONS)],
                transcript=QUESTIONS[index % len(QUESTIONS)] if voice else "",
                audio=f"audio/{index}.webm" if voice else None,
                audio_seconds=40.0 if voice else None,
                consent_to_air=voice,
                transcription_state="done" if voice else "none",
                status="approved" if approved else "new",
            )
        )
    created = Submission.objects.bulk_create(rows, batch_size=1000)
    approved_rows = [s for s in created if s.status == "approved"]
    through = Submission.topics.through
    through.objects.bulk_create(
        through(submission_id=s.pk, topic_id=topics[i % len(topics)].pk)
        for i, s in enumerate(approved_rows)
    )
    RunSheet.objects.create(episode=episode)
    segments = Segment.objects.bulk_create(
        Segment(episode=episode, title=t.title, topic=t, position=i) for i, t in enumerate(topics)
    )
    Entry.objects.bulk_create(
        Entry(
            segment=segments[i % len(segments)],
            submission=s,
            position=i // len(segments),
            passage="The essay's passage that answers this question, a few sentences long. " * 3,
        )
        for i, s in enumerate(approved_rows[:entries])
    )
    return episode


def measure(client: Client, url: str, repeats: int) -> tuple[float, int, int]:
    client.get(url)  # warm caches (templates, URL resolver)
    times, queries, size = [], 0, 0
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            content = b"".join(response) if response.streaming else response.content
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries, size = len(captured), len(content)
    return statistics.median(times), queries, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--sizes", default="1000:20,10000:200", help="submissions:entries,...")
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in pair.split(":")) for pair in args.sizes.split(",")]

    call_command("migrate", verbosity=0)
    host, _ = get_user_model().objects.get_or_create(username="bench-host", is_staff=True)
    client = Client(SERVER_NAME="localhost")
    client.force_login(host)

    engine = connection.vendor
    print(f"Run-sheet bench: {engine}, Python {platform.python_version()}, "
          f"{os.cpu_count()} cores ({cpu_flags()}), median of {args.repeats}")  # fmt: skip
    print()
    print("| submissions | entries | page ms | page queries | page KB | md ms | md queries |")
    print("|---|---|---|---|---|---|---|")
    for submissions, entries in sizes:
        started = time.perf_counter()
        episode = build(submissions=submissions, entries=entries, host=host)
        built = time.perf_counter() - started
        page = measure(client, reverse("dashboard:runsheet", args=[episode.slug]), args.repeats)
        export = measure(
            client,
            reverse("dashboard:runsheet_export", kwargs={"slug": episode.slug, "fmt": "md"}),
            args.repeats,
        )
        print(
            f"| {submissions:,} | {entries} | {page[0]:.0f} | {page[1]} | {page[2] / 1024:.0f} "
            f"| {export[0]:.0f} | {export[1]} |",
            flush=True,
        )
        print(f"  (built in {built:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
