"""RQ jobs: each takes an id, loads the row and hands it to a service."""

from intake.models import Submission


def transcribe_submission(submission_id: int) -> str:
    submission = Submission.objects.get(pk=submission_id)
    return submission.transcription_state
