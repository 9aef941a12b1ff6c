"""RQ jobs: each takes an id, loads the row and hands it to a service."""

import logging

from rq import get_current_job

from intake import services

logger = logging.getLogger(__name__)


def transcribe_submission(submission_id: int) -> str:
    job = get_current_job()
    # RQ decrements retries_left before each retry, so 0 (or no retry policy) means this
    # run is the last chance and a failure must be recorded on the submission.
    final_attempt = job is None or not job.retries_left
    try:
        submission = services.transcription_run(
            submission_id=submission_id, final_attempt=final_attempt
        )
    except services.TranscriptionNotNeeded as reason:
        logger.info("Submission %s needs no transcription (state %s)", submission_id, reason)
        return f"skipped: {reason}"
    return submission.transcription_state
