"""Which part of the essay a submission is about: the suggested topic a host confirms.

The matching itself (episodes.matching) loads a sentence model: these run in the worker, or
after a host's edit.
"""

from django.conf import settings

from episodes.matching.topics import topic_rank_many
from episodes.models import Episode, Topic
from intake import queue
from intake.models import Submission
from intake.selectors import submission_match_text

SUGGEST_BATCH = 256


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


def submission_suggest_topic_later(*, submission: Submission) -> None:
    """Suggest a topic in the worker once the surrounding transaction commits.

    For typed questions: the listener's request should not wait for the model to load. If
    Redis is down the question simply has no suggestion until its topics or text change.
    """
    queue.enqueue_on_commit(
        queue.SUGGEST_TOPIC_TASK,
        submission.pk,
        job_id=f"suggest-topic-{submission.pk}",
        result_ttl=600,
        failure_ttl=24 * 3600,
        description=f"Topic suggestion for submission {submission.pk}",
    )


def episode_suggest_topics(*, episode: Episode) -> int:
    """Suggest topics again for every submission of the episode; returns how many were done."""
    topics = list(episode.topics.order_by("position", "id"))
    submissions = list(
        Submission.objects.filter(episode=episode).only(
            "pk", "episode_id", "text", "transcript", "transcript_edited"
        )
    )
    for start in range(0, len(submissions), SUGGEST_BATCH):
        batch = submissions[start : start + SUGGEST_BATCH]
        suggestions = _topic_suggestions(
            texts=[submission_match_text(submission) for submission in batch], topics=topics
        )
        for submission, (topic, score) in zip(batch, suggestions, strict=True):
            submission.suggested_topic, submission.suggested_topic_score = topic, score
        # Only these two columns are written: a transcript saved meanwhile is not overwritten.
        Submission.objects.bulk_update(batch, ["suggested_topic", "suggested_topic_score"])
    return len(submissions)


def _topic_suggestions(
    *, texts: list[str], topics: list[Topic]
) -> list[tuple[Topic | None, float | None]]:
    suggestions: list[tuple[Topic | None, float | None]] = [(None, None)] * len(texts)
    asked = [index for index, text in enumerate(texts) if text.strip()]
    if not topics or not asked:
        return suggestions
    rankings = topic_rank_many(questions=[texts[index] for index in asked], topics=topics)
    for index, ranking in zip(asked, rankings, strict=True):
        topic, score = ranking[0]
        if score >= settings.TOPIC_MIN_SCORE:
            suggestions[index] = (topic, round(score, 4))
    return suggestions
