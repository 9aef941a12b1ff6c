"""Every RQ job of Mailbag's worker: each takes an id, loads the row, calls a service.

Services queue these by dotted path (intake.queue), so nothing here is imported by them.
"""

import logging

from rq import get_current_job

from intake import notifications
from intake.services import analysis, transcription

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


def submission_analyse(submission_id: int, force: bool = False) -> str:
    """A submission's suggested topic, vector and similar questions (its words arrived or
    changed)."""
    return analysis.submission_analyse(submission_id=submission_id, force=force)


def suggest_topic(submission_id: int) -> str:
    """Jobs queued before submission_analyse existed (by dotted path) still run."""
    return analysis.submission_analyse(submission_id=submission_id)


def episode_rank(episode_id: int) -> str:
    """Every suggested topic of the episode again, after its topics changed (one job per
    episode at a time: intake.queue.rank_request)."""
    runs = analysis.episode_rank(episode_id=episode_id)
    return f"ranked {runs} time{'s' if runs != 1 else ''}"


def submission_notify(submission_id: int) -> str:
    """Email the hosts who asked to hear of each new submission (intake.notifications)."""
    sent = notifications.submission_notify_hosts(submission_id=submission_id)
    return f"{sent} email{'' if sent == 1 else 's'} sent"
