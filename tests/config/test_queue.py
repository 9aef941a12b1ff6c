"""The first real job: through django-rq, a real Redis and a real RQ worker."""

import django_rq
from django.db import transaction

from intake.models import Submission
from tests.factories import SubmissionFactory


def mark_declined(submission_id: int) -> None:
    Submission.objects.filter(pk=submission_id).update(status=Submission.Status.DECLINED)


def test_job_runs_through_real_redis_and_worker(transactional_db, transcription_queue, run_worker):
    queue = django_rq.get_queue("transcription")
    with transaction.atomic():
        submission = SubmissionFactory()
        queue.enqueue(mark_declined, submission.pk)
        # django-rq holds the job until the row it points at is committed.
        assert transcription_queue.count == 0
    assert transcription_queue.count == 1
    job = transcription_queue.jobs[0]
    assert job.get_status() == "queued"

    run_worker()

    submission.refresh_from_db()
    assert submission.status == Submission.Status.DECLINED
    assert transcription_queue.count == 0
    job.refresh()
    assert job.get_status() == "finished"
