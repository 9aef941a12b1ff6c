"""Intake business logic: creating submissions and moving them through their states."""

import logging

import django_rq
from django.db import transaction
from django.utils import timezone

from episodes.models import Episode
from intake.models import Submission

logger = logging.getLogger(__name__)

TRANSCRIPTION_QUEUE = "transcription"


def submission_create(
    *,
    episode: Episode,
    kind: str,
    text: str,
    name: str = "",
    email: str = "",
) -> Submission:
    submission = Submission.objects.create(
        episode=episode, kind=kind, text=text.strip(), name=name.strip(), email=email.strip()
    )
    return submission


def transcription_job_id(*, submission_id: int) -> str:
    # A stable id lets the sweeper ask RQ whether a live job exists for a submission.
    return f"transcribe-{submission_id}"


def transcription_enqueue(*, submission: Submission) -> None:
    """Queue transcription once the surrounding transaction commits.

    The row is already durable when the job is pushed, so a worker never sees a missing
    submission, and a Redis outage only leaves it `pending` for the sweeper.
    """
    submission_id = submission.pk

    def push() -> None:
        from intake.jobs import transcribe_submission

        try:
            queue = django_rq.get_queue(TRANSCRIPTION_QUEUE)
            queue.enqueue(
                transcribe_submission,
                submission_id,
                job_id=transcription_job_id(submission_id=submission_id),
            )
            Submission.objects.filter(pk=submission_id).update(
                transcription_queued_at=timezone.now()
            )
        except Exception:
            logger.exception(
                "Could not enqueue transcription of submission %s; the sweeper will retry",
                submission_id,
            )

    transaction.on_commit(push)
