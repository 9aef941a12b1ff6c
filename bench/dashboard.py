"""The host dashboard with a big mailbag: server time and queries of every host page.

Builds one episode each of 100, 1,000 and 10,000 realistic submissions (bulk_create: typed
questions and transcribed voice messages from our evaluation sets, greetings and sign-offs
around them, a fifth approved, some tagged, some merged), with what the worker would have
stored: the folded search text, a sentence vector per submission (the real model's vector of
each distinct question, nudged per submission as paraphrases are) and the similar-question
pairs computed from them by intake.services.similarity, and the stand-in essay's topics.

Then, for each size, a fresh web process (this script with --walk, Django's test client,
SERVER_NAME="localhost") walks every host page of the episode and reports the median server
time of 5 requests after one warm-up, the queries of each page, the first detail request of
the process (cold), and its peak RSS after the walk, and whether it imported any
machine-learning library (it must not). Topic rename is the POST a host makes: it now only
marks the episode and queues the re-ranking job; that job's own time in a worker is measured
here too (not a page).

    .venv/bin/python bench/dashboard.py [--sizes 100,1000,10000] [--repeats 5]

Uses a throwaway SQLite database (or DATABASE_URL if set) and its own embedded Redis.
Targets: every page under 300 ms at 10,000 on SQLite, the same queries at every size, and a
web process under 250 MB.
"""

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
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
    os.environ["MAILBAG_BENCH_OWN_VAR"] = "1"

DATA = ROOT / "tests" / "episodes" / "data"
ESSAY = ROOT / "tests" / "fixtures" / "essays" / "four-eras.md"
HEAVY_MODULES = ("torch", "sentence_transformers", "transformers", "whisper", "faster_whisper")
HOST = "bench-host"
PAGES = [
    ("inbox page 1", "inbox"),
    ("inbox last page", "inbox_last"),
    ("submission detail", "detail"),
    ("topic rename (enqueue only)", "rename"),
    ("topics page", "topics"),
    ("`/host/` episode list", "episodes"),
]
GREETINGS = ["", "Hi, long time listener. ", "Hey guys, this is {name}. ", "Hello from Leeds! "]
SIGN_OFFS = ["", " Thanks!", " Love the show.", " Cheers, keep it up."]
NAMES = ["Sam", "Priya", "Zoë", "Tom", "Ana", "Marcus", "Chen", "Fatima", "Olek", "", "Jo"]


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MiB.

    From /proc (VmRSS, VmHWM): getrusage's ru_maxrss would count the parent's memory too, as
    Linux carries it over fork and exec.
    """
    status = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            status[key] = value
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


# --- Building the episodes (this process; it may load the sentence model) ------------------


def question_texts() -> list[str]:
    texts = []
    with (DATA / "topic_questions_heldout.csv").open(newline="", encoding="utf-8") as handle:
        texts += [row["text"] for row in csv.DictReader(handle)]
    with (DATA / "duplicate_pairs.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            texts += [row["a"], row["b"]]
    return sorted(set(texts))


def build(*, size: int, host, rng: random.Random):
    import numpy as np
    from django.utils import timezone

    from episodes.matching.embedding import text_embed
    from episodes.matching.question_text import question_core
    from episodes.matching.similarity import vector_pack
    from episodes.models import Episode
    from episodes.services import essay_import
    from intake.models import Submission
    from intake.search import search_fold
    from intake.services import episode_suggest_topics
    from intake.services.similarity import embedding_digest, similar_pairs_store_all

    slug = f"bench-{size}"
    Episode.objects.filter(slug=slug).delete()
    now = timezone.now()
    episode = Episode.objects.create(
        slug=slug, title=f"Bench {size:,}", recording_at=now + dt.timedelta(days=3)
    )
    episode.hosts.add(host)
    essay_import(episode=episode, markdown=ESSAY.read_text(encoding="utf-8"))
    topics = list(episode.topics.order_by("position"))

    questions = question_texts()
    cores = [question_core(text) for text in questions]
    base = text_embed(cores)  # the real model, once per distinct question
    rows = []
    for index in range(size):
        pick = rng.randrange(len(questions))
        name = rng.choice(NAMES)
        words = (
            rng.choice(GREETINGS).format(name=name or "Sam")
            + questions[pick]
            + rng.choice(SIGN_OFFS)
        )
        voice = index % 3 == 0
        # A paraphrase lands near its question, not on it.
        vector = base[pick] + np.asarray(
            [rng.gauss(0, 0.025) for _ in range(base.shape[1])], dtype=np.float32
        )
        vector /= np.linalg.norm(vector)
        row = Submission(
            episode=episode,
            name=name,
            email=f"{name.lower() or 'anon'}{index}@example.com" if index % 4 == 0 else "",
            text="" if voice else words,
            transcript=words if voice else "",
            audio=f"audio/{index}.webm" if voice else None,
            audio_seconds=rng.uniform(8, 90) if voice else None,
            audio_format="webm" if voice else "",
            consent_to_air=voice,
            transcription_state="done" if voice else "none",
            status="approved" if index % 5 == 0 else "declined" if index % 11 == 0 else "new",
            embedding=vector_pack(vector),
            embedding_hash=embedding_digest(question_core(words)),
        )
        row.search_text = search_fold(f"{row.name} {row.email} {row.text} {row.transcript}")
        rows.append(row)
    created = Submission.objects.bulk_create(rows, batch_size=500)
    # Spread over the last two weeks, oldest first.
    step = 14 * 24 * 3600 / max(size, 1)
    stamps = [now - dt.timedelta(seconds=step * (size - i)) for i in range(size)]
    for row, stamp in zip(created, stamps, strict=True):
        row.created_at = row.updated_at = stamp
    Submission.objects.bulk_update(created, ["created_at", "updated_at"], batch_size=500)
    through = Submission.topics.through
    through.objects.bulk_create(
        through(submission_id=row.pk, topic_id=topics[i % len(topics)].pk)
        for i, row in enumerate(created)
        if row.status == "approved" or i % 7 == 0
    )
    # Some duplicates folded in already (about 2 %), into the one before them.
    merged = []
    for i in range(50, len(created), 50):
        if created[i].status == "new":
            created[i].status, created[i].merged_into_id = "merged", created[i - 1].pk
            merged.append(created[i])
    Submission.objects.bulk_update(merged, ["status", "merged_into"], batch_size=500)
    similar_pairs_store_all(episode_id=episode.pk)
    started = time.perf_counter()
    episode_suggest_topics(episode=episode)  # what the worker's re-ranking job does
    rank_seconds = time.perf_counter() - started
    Episode.objects.filter(pk=episode.pk).update(suggestions_stale_since=None)
    return episode, rank_seconds


# --- The walk (a fresh web process) ---------------------------------------------------------


def walk(slug: str, repeats: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from episodes.models import Episode
    from intake.models import Submission, SubmissionSimilarity

    episode = Episode.objects.get(slug=slug)
    host = get_user_model().objects.get(username=HOST)
    client = Client(SERVER_NAME="localhost")
    client.force_login(host)
    inbox = reverse("dashboard:submission_list", args=[slug])
    total = Submission.objects.filter(episode=episode).count()
    last_page = max(1, -(-total // 50))
    # A question with a full "similar questions" list, half-way down the inbox.
    middle = (
        SubmissionSimilarity.objects.filter(submission__episode=episode)
        .exclude(submission__status="merged")
        .order_by("submission_id")
        .values_list("submission_id", flat=True)
    )
    detail_id = middle[max(0, middle.count() // 2)]
    detail = reverse("dashboard:submission_detail", args=[slug, detail_id])
    topic = episode.topics.order_by("position").first()
    rename = reverse("dashboard:topic_update", args=[slug, topic.pk])
    urls = {
        "inbox": inbox,
        "inbox_last": f"{inbox}?page={last_page}",
        "detail": detail,
        "topics": reverse("dashboard:topic_list", args=[slug]),
        "episodes": reverse("dashboard:episode_list"),
    }

    started = time.perf_counter()
    response = client.get(detail)
    cold_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code

    results = {}
    titles = [topic.title, f"{topic.title} (renamed)"]
    for key in ("inbox", "inbox_last", "detail", "rename", "topics", "episodes"):
        times, queries, size = [], 0, 0
        for attempt in range(repeats + 1):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if key == "rename":
                    title = titles[(attempt + 1) % 2]
                    response = client.post(rename, {"title": title, "summary": topic.summary})
                    expected = 302
                else:
                    response = client.get(urls[key])
                    expected = 200
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == expected, (key, response.status_code)
            if attempt:  # the first is the warm-up
                times.append(elapsed)
            queries, size = len(captured), len(response.content)
        results[key] = {"ms": statistics.median(times), "queries": queries, "bytes": size}
    Episode.objects.filter(pk=episode.pk).update(suggestions_stale_since=None)
    current, peak = rss_mb()
    return {
        "size": total,
        "cold_detail_ms": cold_ms,
        "pages": results,
        "rss_mb": current,
        "peak_rss_mb": peak,
        "heavy_modules": sorted(name for name in HEAVY_MODULES if name in sys.modules),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--walk", metavar="SLUG", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.walk:
        print(json.dumps(walk(args.walk, args.repeats)))
        return

    # Never a real Redis: renames queue jobs, and nothing here should reach anyone's worker.
    from bench.stack import embedded_redis_env

    try:
        with embedded_redis_env():
            run(args)
    finally:
        if os.environ.get("MAILBAG_BENCH_OWN_VAR"):
            shutil.rmtree(os.environ["MAILBAG_VAR_DIR"], ignore_errors=True)


def run(args) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    sizes = [int(size) for size in args.sizes.split(",")]
    call_command("migrate", verbosity=0)
    host, _ = get_user_model().objects.get_or_create(username=HOST)
    rng = random.Random(11)
    walks, ranks = {}, {}
    for size in sizes:
        started = time.perf_counter()
        episode, ranks[size] = build(size=size, host=host, rng=rng)
        print(f"  built {size:,} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        connection.close()  # the walk opens the database in another process
        child = subprocess.run(
            [sys.executable, __file__, "--walk", episode.slug, "--repeats", str(args.repeats)],
            capture_output=True,
            text=True,
            env=os.environ,
            check=False,
        )
        if child.returncode:
            sys.stderr.write(child.stdout + child.stderr)
            raise SystemExit(f"the walk of {episode.slug} failed")
        walks[size] = json.loads(child.stdout.strip().splitlines()[-1])

    print(
        f"Dashboard bench: {connection.vendor}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {cpu_flags()}, Django test client, server ms median of "
        f"{args.repeats} after a warm-up (queries in brackets)"
    )
    print()
    print("| page / action | " + " | ".join(f"{size:,}" for size in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for label, key in PAGES:
        cells = []
        for size in sizes:
            page = walks[size]["pages"][key]
            cells.append(f"{page['ms']:.0f} ms ({page['queries']})")
        print(f"| {label} | " + " | ".join(cells) + " |")
    cells = [f"{walks[size]['cold_detail_ms']:.0f} ms" for size in sizes]
    print("| submission detail, first request in a web process | " + " | ".join(cells) + " |")
    cells = [f"{walks[size]['pages']['detail']['bytes'] / 1024:.0f} KB" for size in sizes]
    print("| submission detail, HTML | " + " | ".join(cells) + " |")
    cells = [f"{ranks[size]:.1f} s" for size in sizes]
    print(
        "| re-ranking job, every suggestion new (worker, not a page) | " + " | ".join(cells) + " |"
    )
    cells = [f"{walks[size]['peak_rss_mb']:.0f} MiB" for size in sizes]
    print("| web process peak RSS after the walk | " + " | ".join(cells) + " |")
    heavy = sorted({name for size in sizes for name in walks[size]["heavy_modules"]})
    print()
    print(
        "Machine-learning libraries imported by the web process: "
        + (", ".join(heavy) if heavy else "none")
    )


if __name__ == "__main__":
    main()
