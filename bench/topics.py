"""Topic suggestions and duplicate detection, measured on an essay.

    .venv/bin/python bench/topics.py [--shared | --essay PATH --questions CSV]

By default the essay is our stand-in (tests/fixtures/essays/four-eras.md) with its eight
labelled questions (tests/fixtures/topic_questions.csv); `--shared` takes the real example
essay and its questions from the shared fixtures folder beside the project instead
(tests/shared_fixtures.py says where; MAILBAG_SHARED_DIR moves it).

Prints, side by side for the hybrid matcher and each of its halves: top-1 accuracy on the
eight labelled questions and on our held-out set (tests/episodes/data), how
"love the show!" messages score against real questions (the evidence for TOPIC_MIN_SCORE),
model load time, and milliseconds per suggestion. Then the duplicate evaluation pairs at a
range of thresholds (the evidence for DUPLICATE_THRESHOLD).
"""

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402

from episodes.essay import essay_parse  # noqa: E402
from episodes.matching import embedding as text_embedding  # noqa: E402
from episodes.matching.question_text import question_core  # noqa: E402
from episodes.matching.similarity import question_similarities  # noqa: E402
from episodes.matching.topics import METHODS, topic_passages, topic_rank, topic_scores  # noqa: E402
from episodes.models import Topic  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
ESSAY = FIXTURES / "essays" / "four-eras.md"
FIXTURE = FIXTURES / "topic_questions.csv"
SHARED_ESSAY = "fixtures/essays/what-ilya-saw.md"
SHARED_FIXTURE = "fixtures/topic_questions.csv"
DATA = ROOT / "tests" / "episodes" / "data"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared", action="store_true", help="the real example essay from the shared folder"
    )
    parser.add_argument("--essay", type=Path, default=None, help=f"default {ESSAY}")
    parser.add_argument("--questions", type=Path, default=None, help=f"default {FIXTURE}")
    args = parser.parse_args()
    if args.shared:
        from tests.shared_fixtures import SHARED_DIR

        args.essay = args.essay or SHARED_DIR / SHARED_ESSAY
        args.questions = args.questions or SHARED_DIR / SHARED_FIXTURE
    args.essay = args.essay or ESSAY
    args.questions = args.questions or FIXTURE
    for path in (args.essay, args.questions):
        if not path.is_file():
            parser.error(f"{path} does not exist")
    return args


def main() -> None:
    args = parse_args()
    fixture = [(row["topic"], row["text"]) for row in read_csv(args.questions)]
    held_rows = read_csv(DATA / "topic_questions_heldout.csv")
    held = [(row["topic"], row["text"]) for row in held_rows if row["topic"]]
    chatter = [row["text"] for row in held_rows if not row["topic"]]
    pairs = [
        (row["duplicate"] == "1", row["a"], row["b"])
        for row in read_csv(DATA / "duplicate_pairs.csv")
    ]

    started = time.perf_counter()
    sections = essay_parse(args.essay.read_text(encoding="utf-8"))
    parse_ms = (time.perf_counter() - started) * 1000
    topics = [
        Topic(pk=i + 1, title=s.title, summary=s.summary, body=s.body, position=i)
        for i, s in enumerate(sections)
    ]
    print(f"Essay: {args.essay}, {len(topics)} topics parsed in {parse_ms:.1f} ms")
    print(f"Labelled questions: {args.questions}")
    load_seconds = text_embedding.text_embedder_warm()
    print(f"Model load (import sentence-transformers + all-MiniLM-L6-v2): {load_seconds:.2f} s")
    import torch  # already imported by the model; only asked how many threads it uses

    print(
        f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
        f"(timings grow with it), torch threads {torch.get_num_threads()}"
    )
    started = time.perf_counter()
    topic_scores(questions=["warm"], topics=topics)
    print(f"Topic index (passages embedded, TF-IDF fitted): {time.perf_counter() - started:.2f} s")

    # Warm model and topics, but every question new to the embedding cache.
    questions = [text for _, text in fixture + held] + chatter
    timings, cpu_timings = [], []
    for question in questions:
        started, cpu_started = time.perf_counter(), time.process_time()
        topic_rank(question=question, topics=topics)
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.process_time() - cpu_started) * 1000)
    fresh_cache(topics)
    started = time.perf_counter()
    topic_scores(questions=questions, topics=topics)
    batch_ms = (time.perf_counter() - started) * 1000 / len(questions)
    fresh_cache(topics)
    print(
        f"Per suggestion, warm: median {statistics.median(timings):.1f} ms, "
        f"p90 {np.percentile(timings, 90):.1f} ms, max {max(timings):.1f} ms; "
        f"batched (episode recompute): {batch_ms:.1f} ms per question"
    )
    print(
        f"CPU time per suggestion (all threads; less sensitive to a busy machine): "
        f"median {statistics.median(cpu_timings):.1f} ms"
    )
    counts = [len(topic_passages(title=t.title, summary=t.summary, body=t.body)) for t in topics]
    print(f"Passages per topic: {counts}")

    print()
    print(f"TOPIC_MIN_SCORE = {settings.TOPIC_MIN_SCORE}")
    header = (
        f"{'method':10} {'fixture':>8} {'held-out':>9} {'combined':>9} "
        f"{'chatter max':>12} {'question min':>13} {'q below min':>12} {'chatter above':>14}"
    )
    print(header)
    print("-" * len(header))
    misses = {}
    for method in METHODS:
        fixture_ok, _, fixture_tops = score(fixture, topics, method)
        held_ok, held_missed, held_tops = score(held, topics, method)
        chatter_tops = topic_scores(questions=chatter, topics=topics, method=method).max(axis=1)
        question_tops = np.concatenate([fixture_tops, held_tops])
        total = len(fixture) + len(held)
        below = int((question_tops < settings.TOPIC_MIN_SCORE).sum())
        above = int((chatter_tops >= settings.TOPIC_MIN_SCORE).sum())
        print(
            f"{method:10} {fixture_ok:>5}/{len(fixture):<2} {held_ok:>6}/{len(held):<2} "
            f"{(fixture_ok + held_ok) / total:>9.1%} {chatter_tops.max():>12.3f} "
            f"{question_tops.min():>13.3f} {below:>9}/{total:<2} {above:>11}/{len(chatter):<2}"
        )
        misses[method] = held_missed
    print("\nHeld-out questions the hybrid matcher gets wrong:")
    for question, wanted, got in misses["hybrid"]:
        print(f"  {question[:70]!r}: wanted {wanted!r}, got {got!r}")
    tops = topic_scores(questions=chatter, topics=topics).max(axis=1)
    print("Chatter (no topic expected), hybrid top score:")
    for text, top in sorted(zip(chatter, tops, strict=True), key=lambda pair: -pair[1])[:4]:
        print(f"  {top:.3f} {text[:70]!r}")

    print()
    duplicates(pairs, [text for _, text in fixture + held])


def fresh_cache(topics: list[Topic]) -> None:
    """Forget every question's vector, keep the topics' passages warm."""
    text_embedding.text_embed_cache_clear()
    topic_scores(questions=["warm"], topics=topics)


def question_similarity_matrix(texts: list[str]) -> np.ndarray:
    """Pairwise similarity of `texts`, as question_similarities measures it."""
    vectors = text_embedding.text_embed([question_core(text) for text in texts])
    return np.clip(vectors @ vectors.T, 0.0, 1.0)


def score(labelled, topics, method):
    scores = topic_scores(questions=[text for _, text in labelled], topics=topics, method=method)
    correct = 0
    missed = []
    for (wanted, text), row in zip(labelled, scores, strict=True):
        got = topics[int(np.argmax(row))].title
        if got == wanted:
            correct += 1
        else:
            missed.append((text, wanted, got))
    return correct, missed, scores.max(axis=1)


def duplicates(pairs, distinct_questions: list[str]) -> None:
    similarity = np.array([question_similarities(question=a, others=[b])[0] for _, a, b in pairs])
    is_duplicate = np.array([duplicate for duplicate, _, _ in pairs])
    matrix = question_similarity_matrix(distinct_questions)
    upper = matrix[np.triu_indices(len(distinct_questions), 1)]
    print(f"DUPLICATE_THRESHOLD = {settings.DUPLICATE_THRESHOLD}")
    print(
        f"Evaluation pairs: {is_duplicate.sum()} duplicates (same question, other words), "
        f"{(~is_duplicate).sum()} near misses (shared words, different question); "
        f"background: {len(upper)} pairs of the {len(distinct_questions)} distinct labelled "
        "questions."
    )
    header = (
        f"{'threshold':>9} {'duplicates found':>17} {'near misses flagged':>20} "
        f"{'precision':>10} {'background flagged':>19}"
    )
    print(header)
    print("-" * len(header))
    for threshold in sorted({0.55, 0.6, 0.65, 0.7, 0.75, 0.8, settings.DUPLICATE_THRESHOLD}):
        flagged = similarity >= threshold
        found = int((flagged & is_duplicate).sum())
        false = int((flagged & ~is_duplicate).sum())
        marker = "  <- setting" if threshold == settings.DUPLICATE_THRESHOLD else ""
        precision = found / max(found + false, 1)
        background = int((upper >= threshold).sum())
        print(
            f"{threshold:>9.2f} {found:>13}/{is_duplicate.sum():<3} "
            f"{false:>16}/{(~is_duplicate).sum():<3} {precision:>10.2f} "
            f"{background:>14}/{len(upper)}{marker}"
        )
    print(
        f"Duplicates: min {similarity[is_duplicate].min():.3f}, "
        f"median {np.median(similarity[is_duplicate]):.3f}; near misses: median "
        f"{np.median(similarity[~is_duplicate]):.3f}, max {similarity[~is_duplicate].max():.3f}; "
        f"background: p99 {np.percentile(upper, 99):.3f}, max {upper.max():.3f}"
    )
    text_embedding.text_embed_cache_clear()
    started = time.perf_counter()
    question_similarity_matrix(distinct_questions)
    elapsed = (time.perf_counter() - started) * 1000
    print(f"Similarity of {len(distinct_questions)} new questions to each other: {elapsed:.0f} ms")


if __name__ == "__main__":
    main()
