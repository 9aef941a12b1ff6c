""" "Waiting" and "Transcribing" told truly (issue 12, finding 10): a submission is `running`
only while a worker holds its job. A sweeper re-queue, or RQ putting a dead worker's job back
in the queue, makes it `pending` again, and the pages say "Waiting"."""

import pytest
from django.test import Client
from django.urls import reverse
from rq import SimpleWorker
from rq.job import JobStatus

from intake import queue, services
from intake.models import Submission
from intake.receipts import RECEIPT_COOKIE
from tests.conftest import AUDIO
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db
TS = Submission.TranscriptionState


def voice(episode, state: str) -> Submission:
    submission = SubmissionFactory(episode=episode, text="", audio_seconds=11.0)
    # The sweeper only reads the row: a stored name is enough, no file needed.
    Submission.objects.filter(pk=submission.pk).update(
        audio="submissions/voice.webm", transcription_state=state
    )
    return submission


def state_of(submission: Submission) -> str:
    return Submission.objects.get(pk=submission.pk).transcription_state


def job_status(submission: Submission):
    job = queue.get_queue().fetch_job(queue.job_id_for(submission_id=submission.pk))
    return job.get_status() if job else None


def test_a_run_whose_worker_died_is_waiting_again_once_swept(episode, transcription_queue):
    submission = voice(episode, TS.RUNNING)  # its worker was killed and its job is gone

    assert services.transcription_sweep(min_age_seconds=0) == [submission.pk]

    assert state_of(submission) == TS.PENDING
    assert job_status(submission) == JobStatus.QUEUED


def test_a_dead_workers_job_put_back_in_the_queue_is_waiting(episode, transcription_queue):
    submission = voice(episode, TS.RUNNING)
    queue.push(submission_id=submission.pk, audio_seconds=11.0)  # RQ re-queued it

    assert services.transcription_sweep(min_age_seconds=0) == []  # the job is left alone

    assert state_of(submission) == TS.PENDING
    assert job_status(submission) == JobStatus.QUEUED
    assert transcription_queue.count == 1


def test_a_run_a_live_worker_holds_stays_transcribing(episode, transcription_queue):
    submission = voice(episode, TS.RUNNING)
    worker = SimpleWorker([transcription_queue], connection=transcription_queue.connection)
    worker.register_birth()
    job = queue.push(submission_id=submission.pk, audio_seconds=11.0)
    job.worker_name = worker.name
    job.set_status(JobStatus.STARTED)
    job.save()
    try:
        assert services.transcription_sweep(min_age_seconds=0) == []
        assert state_of(submission) == TS.RUNNING
    finally:
        worker.register_death()


def test_the_host_pages_tell_waiting_from_transcribing(host_client, episode):
    waiting = voice(episode, TS.PENDING)
    running = voice(episode, TS.RUNNING)
    voice(episode, TS.PENDING)

    page = host_client.get(reverse("dashboard:episode_list")).content.decode()
    inbox = reverse("dashboard:submission_list", kwargs={"slug": episode.slug})
    assert f'<dt>Waiting</dt><dd><a href="{inbox}?transcription=pending">2</a>' in page
    assert f'<dt>Transcribing</dt><dd><a href="{inbox}?transcription=running">1</a>' in page

    def detail(submission):
        url = reverse(
            "dashboard:submission_detail", kwargs={"slug": episode.slug, "pk": submission.pk}
        )
        return host_client.get(url).content.decode()

    assert "Queued for transcription" in detail(waiting)
    assert "Transcribing" not in detail(waiting)
    assert "Transcribing…" in detail(running)


def test_the_listeners_thanks_page_tells_waiting_from_transcribing(
    client, episode, private_media, transcription_queue
):
    thanks = reverse("intake:thanks", kwargs={"slug": episode.slug})
    with (AUDIO / "jfk.webm").open("rb") as audio:
        response = client.post(
            reverse("intake:ask", kwargs={"slug": episode.slug}),
            {"kind": "question", "text": "", "audio": audio, "consent": "on", "name": "Sam"},
        )
    assert response["Location"] == thanks
    submission = Submission.objects.get()
    assert submission.transcription_state == TS.PENDING

    waiting = client.get(thanks)
    assert "waiting for its turn to be transcribed" in waiting.content.decode()
    assert "no-store" in waiting["Cache-Control"]
    Submission.objects.filter(pk=submission.pk).update(transcription_state=TS.RUNNING)
    assert "being transcribed right now" in client.get(thanks).content.decode()

    # Another browser, or a receipt not signed by the server, is told nothing.
    assert "transcrib" not in Client().get(thanks).content.decode().split("<h2>")[0]
    forged = Client()
    forged.cookies[RECEIPT_COOKIE] = str(submission.pk)
    assert "being transcribed" not in forged.get(thanks).content.decode()
