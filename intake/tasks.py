"""Every RQ job of Mailbag's worker: each takes an id, loads the row, calls a service.

Services queue these by dotted path (intake.queue), so nothing here is imported by them.
"""

import logging

from rq import get_current_job

from intake.models import Submission
from intake.services import suggestions, transcription

logger = logging.getLogger(__name__)


def transcribe_submission(submission_id: int) -> str:
    job = get_current_job()
    # RQ decrements retries_left before each retry, so 0 (or no retry policy) means this
    # run is the last chance and a failure must be recorded on the submission.
    final_attempt = job is None or not job.retries_left
    try:
        submission = transcription.transcription_run(
            submission_id=submission_id, final_attempt=final_attempt
        )
    except transcription.TranscriptionNotNeeded as reason:
        logger.info("Submission %s needs no transcription (state %s)", submission_id, reason)
        return f"skipped: {reason}"
    return submission.transcription_state


def suggest_topic(submission_id: int) -> str:
    """A typed question's topic, suggested in the worker where the model is warm."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        return "gone"
    topic = suggestions.submission_suggest_topic(submission=submission)
    return topic.title if topic else "no topic"
