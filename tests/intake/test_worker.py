"""The transcription worker as a real process: stopping at any moment, sweeping on time, and
being counted by /healthz only while it is alive."""

import datetime as dt
import signal
import time

import pytest
from django.utils import timezone
from rq.worker import Worker

from intake.models import Submission
from intake.worker import READY_MESSAGE
from tests.conftest import AUDIO, attach_audio
from tests.factories import SubmissionFactory
from tests.processes import Output, start_worker


def test_a_stop_while_the_models_load_ends_the_worker_quickly_and_quietly(process_env):
    worker = start_worker(process_env)
    output = Output(worker)
    output.wait_for("Listening on transcription", timeout=60)
    time.sleep(0.5)  # inside loading Whisper and the sentence model (several seconds)

    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)  # what `make run` sends on Ctrl-C
    worker.wait(timeout=10)
    took = time.monotonic() - started

    text = output.text()
    assert took < 3, text
    assert worker.returncode == 0, text
    assert READY_MESSAGE not in text  # it really was stopped while loading
    assert "Traceback" not in text and "Could not load" not in text
    assert text.count("asked to stop while loading the models") == 1


def test_an_idle_worker_sweeps_every_sweep_interval(process_env, episode, transcription_queue):
    process_env.update(TRANSCRIPTION_SWEEP_SECONDS="5", TRANSCRIPTION_WARM_ON_START="0")
    worker = start_worker(process_env)
    output = Output(worker)
    try:
        output.wait_for(READY_MESSAGE, timeout=60)
        # A submission Redis never heard of (Redis was down when it arrived), arriving while
        # the worker waits on an empty queue.
        submission = SubmissionFactory(episode=episode, text="")
        attach_audio(submission, AUDIO / "jfk.webm", seconds=11.0)
        long_ago = timezone.now() - dt.timedelta(minutes=5)
        Submission.objects.filter(pk=submission.pk).update(updated_at=long_ago)
        arrived = time.monotonic()
        deadline = arrived + 20
        while time.monotonic() < deadline:
            submission.refresh_from_db()
            if submission.transcription_queued_at is not None:
                break
            time.sleep(0.2)
        waited = time.monotonic() - arrived
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    assert submission.transcription_queued_at is not None, output.text()
    # Within one interval of 5 s, with room for a loaded machine (it used to be 407 s).
    assert waited < 5 + 10, output.text()


def healthz_workers(client) -> int:
    return client.get("/healthz").json()["workers"]


def test_healthz_stops_counting_a_worker_killed_with_sigkill(
    process_env, client, transcription_queue
):
    process_env["TRANSCRIPTION_WARM_ON_START"] = "0"
    worker = start_worker(process_env)
    Output(worker).wait_for(READY_MESSAGE, timeout=60)
    assert healthz_workers(client) == 1

    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)

    # Its registration is still in Redis (RQ would keep it for minutes)...
    assert len(Worker.all(queue=transcription_queue)) == 1
    # ...but /healthz counts only live workers.
    assert healthz_workers(client) == 0

    # The next worker to start on this machine marks the dead one as dead.
    restarted = start_worker(process_env, burst=True)
    restarted.wait(timeout=60)
    assert Worker.all(queue=transcription_queue) == []


@pytest.mark.parametrize(("silent_minutes", "counted"), [(0, 1), (10, 0)])
def test_healthz_counts_a_remote_worker_by_its_heartbeat(
    transactional_db, client, transcription_queue, silent_minutes, counted
):
    worker = Worker([transcription_queue], connection=transcription_queue.connection)
    worker.hostname = "another-machine"
    worker.register_birth()
    heartbeat = timezone.now() - dt.timedelta(minutes=silent_minutes)
    worker.connection.hset(
        worker.key, "last_heartbeat", heartbeat.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    )
    try:
        assert healthz_workers(client) == counted
    finally:
        worker.register_death()
