"""How alike two questions are: the measure behind "similar questions" and merges."""

import csv
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from episodes.matching.similarity import question_similarities

DATA = Path(__file__).resolve().parent / "data"


def question_similarity(first: str, second: str) -> float:
    return float(question_similarities(question=first, others=[second])[0])


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "Is a 5000 GPU cluster still considered big today?",
            "Would 5,000 GPUs even count as a large cluster nowadays?",
        ),
        (
            "What did the superalignment team publish before they left?",
            "Did the superalignment team release any research before it broke up?",
        ),
        ("Is o1 the same as Q*?", "Was Q* just the early name for o1?"),
        (
            "Why does Ilya call data the fossil fuel of AI?",
            "Hey, Sam here. What did he mean by data being the fossil fuel of AI? Cheers!",
        ),
    ],
)
def test_the_same_question_in_other_words_is_similar(first, second):
    assert question_similarity(first, second) >= settings.DUPLICATE_THRESHOLD


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Is pre-training really over?", "Is the podcast really over for this year?"),
        ("Why do LSTMs not matter anymore?", "Why do benchmarks not matter anymore?"),
        (
            "Will agents be what comes after pre-training?",
            "Will pre-training data run out before 2030?",
        ),
        (
            "How do you get a weak model to supervise a strong one?",
            "How do you get a strong model to run on a weak laptop?",
        ),
        (
            "Hi guys, this is Tom from Leeds, long time listener, love the show. "
            "My question is, is o1 overhyped? Thanks so much!",
            "Hi guys, this is Anna from Oslo, long time listener, love the show. "
            "My question is, what is a yolo run? Thanks so much!",
        ),
    ],
)
def test_questions_sharing_words_but_not_meaning_are_not(first, second):
    assert question_similarity(first, second) < settings.DUPLICATE_THRESHOLD


def test_the_threshold_holds_on_the_evaluation_pairs():
    rows = read_csv("duplicate_pairs.csv")
    duplicate = np.array([row["duplicate"] == "1" for row in rows])
    scores = np.array([question_similarity(row["a"], row["b"]) for row in rows])
    flagged = scores >= settings.DUPLICATE_THRESHOLD
    # Measured (bench/topics.py): 14/20 found, 8/22 near misses flagged. The near misses were
    # written to be as confusing as possible; a host confirms every merge.
    assert flagged[duplicate].mean() >= 0.65
    assert flagged[~duplicate].mean() <= 0.4
    assert np.median(scores[duplicate]) > np.median(scores[~duplicate]) + 0.1


def test_distinct_questions_about_one_essay_are_rarely_flagged():
    questions = [row["text"] for row in read_csv("topic_questions_heldout.csv") if row["topic"]]
    matrix = np.array([question_similarities(question=q, others=questions) for q in questions])
    pairs = matrix[np.triu_indices(len(questions), 1)]
    assert (pairs >= settings.DUPLICATE_THRESHOLD).sum() <= 1  # of 861 pairs
    assert np.allclose(np.diag(matrix), 1.0, atol=1e-4)
