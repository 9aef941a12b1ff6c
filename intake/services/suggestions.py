"""Which part of the essay a submission is about: the suggested topic a host confirms.

The matching itself (episodes.matching) loads a sentence model: these run in the worker only
(intake.services.analysis queues them), never in a web request.
"""

import numpy as np
from django.conf import settings
from django.db import transaction

from episodes.matching.embedding import text_embed
from episodes.matching.question_text import question_core
from episodes.matching.similarity import vectors_unpack
from episodes.matching.topics import topic_rank_many
from episodes.models import Episode, Topic
from intake.models import Submission
from intake.selectors import submission_match_text
from intake.services.similarity import embedding_digest, embedding_source

SUGGEST_BATCH = 256
WRITE_BATCH = 250


def submission_suggest_topic(*, submission: Submission) -> Topic | None:
    """Store the episode's most relevant topic for what the submission says, with its score.

    Both are cleared when the submission has no words yet or nothing is relevant enough
    (settings.TOPIC_MIN_SCORE): "love the show!" belongs to no part of the essay.
    """
    topics = list(Topic.objects.filter(episode_id=submission.episode_id).order_by("position", "id"))
    [(topic, score)] = _topic_suggestions(texts=[submission_match_text(submission)], topics=topics)
    Submission.objects.filter(pk=submission.pk).update(
        suggested_topic=topic, suggested_topic_score=score
    )
    submission.suggested_topic, submission.suggested_topic_score = topic, score
    return topic


def episode_suggest_topics(*, episode: Episode) -> int:
    """Suggest topics again for every submission of the episode; returns how many were done.

    Questions are scored from the vectors the worker stored (embedding, whose hash says which
    text it came from); only those without an up-to-date vector are embedded here. Only rows
    whose suggestion changed are written, in modest batches: a rename that moves a few
    suggestions writes a few rows, and even a new essay writes 10,000 in seconds.
    """
    topics = list(episode.topics.order_by("position", "id"))
    submissions = list(
        Submission.objects.filter(episode=episode)
        .only(
            "pk",
            "episode_id",
            "text",
            "transcript",
            "transcript_edited",
            "embedding",
            "embedding_hash",
            "suggested_topic",
            "suggested_topic_score",
        )
        .order_by("pk")
    )
    changed: list[Submission] = []
    for start in range(0, len(submissions), SUGGEST_BATCH):
        batch = submissions[start : start + SUGGEST_BATCH]
        suggestions = _topic_suggestions(
            texts=[submission_match_text(submission) for submission in batch],
            topics=topics,
            vectors=[_stored_vector(submission) for submission in batch],
        )
        for submission, (topic, score) in zip(batch, suggestions, strict=True):
            topic_id = topic.pk if topic else None
            if (submission.suggested_topic_id, submission.suggested_topic_score) != (
                topic_id,
                score,
            ):
                submission.suggested_topic_id, submission.suggested_topic_score = topic_id, score
                changed.append(submission)
    # Only these two columns are written: a transcript saved meanwhile is not overwritten.
    # Small batches: each is one UPDATE with a CASE per row, and a CASE of thousands of
    # branches is evaluated for every row it touches (12 s for 10,000 rows in one batch).
    with transaction.atomic():
        for start in range(0, len(changed), WRITE_BATCH):
            Submission.objects.bulk_update(
                changed[start : start + WRITE_BATCH], ["suggested_topic", "suggested_topic_score"]
            )
    return len(submissions)


def _stored_vector(submission: Submission) -> np.ndarray | None:
    """The worker's vector of what the submission asks, if it is of its current text."""
    if submission.embedding is None:
        return None
    if submission.embedding_hash != embedding_digest(embedding_source(submission)):
        return None
    return vectors_unpack([submission.embedding])[0]


def _topic_suggestions(
    *, texts: list[str], topics: list[Topic], vectors: list[np.ndarray | None] | None = None
) -> list[tuple[Topic | None, float | None]]:
    suggestions: list[tuple[Topic | None, float | None]] = [(None, None)] * len(texts)
    asked = [index for index, text in enumerate(texts) if text.strip()]
    if not topics or not asked:
        return suggestions
    questions = [texts[index] for index in asked]
    question_vectors = None
    if vectors is not None and any(vectors[index] is not None for index in asked):
        missing = [index for index in asked if vectors[index] is None]
        embedded = (
            dict(zip(missing, text_embed([question_core(texts[i]) for i in missing]), strict=True))
            if missing
            else {}
        )
        question_vectors = np.stack(
            [vectors[index] if vectors[index] is not None else embedded[index] for index in asked]
        )
    rankings = topic_rank_many(
        questions=questions, topics=topics, question_vectors=question_vectors
    )
    for index, ranking in zip(asked, rankings, strict=True):
        topic, score = ranking[0]
        if score >= settings.TOPIC_MIN_SCORE:
            suggestions[index] = (topic, round(score, 4))
    return suggestions
