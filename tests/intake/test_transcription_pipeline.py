"""Transcription through the real stack: Redis, RQ workers (in-process and real processes),
Whisper tiny.en weights, the database and private media storage."""

import logging
import signal
import time
import wave
from pathlib import Path

import numpy as np
import pytest
import redis
from django.core.management import call_command
from django.db import transaction
from rq import Queue

from intake import queue as transcription_queue
from intake import services
from intake.models import Submission
from intake.transcription import engines
from intake.transcription.decode import decode_audio
from intake.worker import TranscriptionWorker
from tests.conftest import AUDIO, attach_audio
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory
from tests.intake.crafted_audio import long_wav, two_audio_streams
from tests.processes import start_worker

pytestmark = pytest.mark.whisper


@pytest.fixture(autouse=True)
def _empty_queue(request):
    """Every test here counts or runs the queue's jobs: start (and end) with none, whatever an
    earlier test in this process left behind (pytest-xdist orders tests differently)."""
    request.getfixturevalue("transcription_queue")


ROOT = Path(__file__).resolve().parents[2]
TS = Submission.TranscriptionState
JFK_WORDS = "ask not what your country can do for you"


def words(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


def queue_transcription(submission: Submission) -> None:
    with transaction.atomic():
        services.transcription_enqueue(submission=submission)


@pytest.fixture
def jfk_submission(transactional_db, episode):
    submission = SubmissionFactory(episode=episode, text="")
    attach_audio(submission, AUDIO / "jfk.webm", seconds=11.0)
    return submission


def test_audio_submission_is_transcribed_by_a_real_worker(jfk_submission, run_worker):
    queue_transcription(jfk_submission)
    assert transcription_queue.get_queue().count == 1

    run_worker()

    jfk_submission.refresh_from_db()
    assert jfk_submission.transcription_state == TS.DONE
    assert JFK_WORDS in words(jfk_submission.transcript)
    assert jfk_submission.transcript_edited == ""
    assert jfk_submission.transcript_language == "en"
    assert jfk_submission.transcript_engine == "openai-whisper"
    assert jfk_submission.transcript_model == "tiny.en"
    assert 0 < jfk_submission.transcription_seconds < 60
    assert jfk_submission.transcription_attempts == 1
    segments = jfk_submission.transcript_segments
    assert segments and all(s["end"] >= s["start"] for s in segments)
    assert segments[-1]["end"] <= 12


def test_done_submission_is_left_alone_unless_a_host_asks(jfk_submission, run_worker):
    queue_transcription(jfk_submission)
    run_worker()
    jfk_submission.refresh_from_db()
    Submission.objects.filter(pk=jfk_submission.pk).update(transcript="kept as it is")

    transcription_queue.push(submission_id=jfk_submission.pk, audio_seconds=11)
    run_worker()
    jfk_submission.refresh_from_db()
    assert jfk_submission.transcript == "kept as it is"
    assert jfk_submission.transcription_attempts == 1

    retried = services.transcription_retry(submission=jfk_submission)
    assert retried.transcription_state == TS.PENDING
    run_worker()
    jfk_submission.refresh_from_db()
    assert JFK_WORDS in words(jfk_submission.transcript)
    assert jfk_submission.transcription_attempts == 2


def test_topic_prompt_gets_names_right(transactional_db, episode, run_worker):
    for position, title in enumerate(
        ["What Ilya Saw in 2014", "What Ilya Saw in 2016-2017", "What Ilya Sees in 2024"]
    ):
        TopicFactory(episode=episode, title=title, position=position)
    submission = SubmissionFactory(episode=episode, text="")
    attach_audio(submission, AUDIO / "q_pretraining.webm", seconds=11.0)
    assert "Ilya" in services.transcription_prompt(episode=episode)
    queue_transcription(submission)
    run_worker()
    submission.refresh_from_db()
    assert submission.transcription_state == TS.DONE
    assert "Ilya" in submission.transcript


def test_undecodable_audio_fails_for_good_with_a_reason_and_keeps_the_file(
    transactional_db, episode, run_worker, tmp_path
):
    bogus = tmp_path / "question.webm"
    bogus.write_bytes(b"\x1aE\xdf\xa3" + b"not really a webm file" * 50)
    submission = SubmissionFactory(episode=episode, text="")
    attach_audio(submission, bogus, seconds=5)
    queue_transcription(submission)

    run_worker()

    submission.refresh_from_db()
    assert submission.transcription_state == TS.FAILED
    assert submission.transcription_error
    assert "decode" in submission.transcription_error or "audio" in submission.transcription_error
    assert submission.transcription_attempts == 1  # permanent: not retried
    assert submission.audio.storage.exists(submission.audio.name)


def test_worker_never_decodes_past_the_limit_whatever_the_file_says(
    transactional_db, run_worker, tmp_path
):
    # Finding 3 of issue 12: a row saying 11 s over a file that decodes much longer (stored by
    # a check that measured another stream, or swapped since). The worker decodes at most the
    # limit plus the grace, sees that this is not what was measured, and fails at once.
    episode = EpisodeFactory(max_audio_seconds=20)
    swapped = tmp_path / "swapped.wav"
    swapped.write_bytes(long_wav(300))
    submission = SubmissionFactory(episode=episode, text="")
    attach_audio(submission, swapped, seconds=11.0)
    queue_transcription(submission)

    run_worker()

    submission.refresh_from_db()
    assert submission.transcription_state == TS.FAILED
    # 22 s: max_audio_seconds 20 + the 2 s grace were decoded, not 300.
    assert submission.transcription_error == (
        "the audio decodes to 22.0 s, not the 11.0 s measured when it arrived"
    )
    assert submission.transcript == ""
    assert submission.transcription_attempts == 1  # permanent: not retried


def test_worker_refuses_a_stored_file_with_two_audio_streams(
    transactional_db, episode, run_worker, tmp_path
):
    # Stored before uploads were checked for it: which track would the host hear?
    crafted = tmp_path / "two.webm"
    crafted.write_bytes(two_audio_streams(hidden_seconds=60, shown_seconds=3))
    submission = SubmissionFactory(episode=episode, text="")
    attach_audio(submission, crafted, seconds=3.0)
    queue_transcription(submission)

    run_worker()

    submission.refresh_from_db()
    assert submission.transcription_state == TS.FAILED
    assert submission.transcription_error == "more than one audio stream"
    assert submission.transcript == ""


def test_crashing_model_is_retried_then_fails_with_the_reason(
    jfk_submission, run_worker, monkeypatch, settings
):
    settings.TRANSCRIPTION_RETRY_INTERVALS = [0, 0]  # two retries, no back-off wait in a test

    class CrashingEngine:
        name, model = "openai-whisper", "tiny.en"

        def transcribe(self, audio, *, prompt=None, language=None):
            raise RuntimeError("model exploded")

    monkeypatch.setattr(
        "intake.services.transcription.get_engine", lambda **kwargs: CrashingEngine()
    )
    queue_transcription(jfk_submission)

    run_worker()

    jfk_submission.refresh_from_db()
    assert jfk_submission.transcription_state == TS.FAILED
    assert jfk_submission.transcription_attempts == 3
    assert "after 3 attempts" in jfk_submission.transcription_error
    assert "RuntimeError: model exploded" in jfk_submission.transcription_error
    assert jfk_submission.audio.storage.exists(jfk_submission.audio.name)
    assert transcription_queue.get_queue().failed_job_registry.count == 1


def test_redis_down_at_submit_keeps_the_submission_and_the_sweeper_recovers(
    jfk_submission, run_worker, monkeypatch, caplog, tmp_path
):
    dead = redis.Redis(unix_socket_path=str(tmp_path / "down.sock"), socket_connect_timeout=0.2)
    with monkeypatch.context() as patch:
        patch.setattr(
            transcription_queue, "get_queue", lambda: Queue("transcription", connection=dead)
        )
        with caplog.at_level(logging.ERROR):
            queue_transcription(jfk_submission)
    assert "Could not queue transcription" in caplog.text
    jfk_submission.refresh_from_db()
    assert jfk_submission.transcription_state == TS.PENDING
    assert transcription_queue.get_queue().count == 0

    call_command("transcribe_pending")  # Redis is back
    assert transcription_queue.get_queue().count == 1
    run_worker()

    jfk_submission.refresh_from_db()
    assert jfk_submission.transcription_state == TS.DONE
    assert JFK_WORDS in words(jfk_submission.transcript)


def test_sweeper_leaves_live_jobs_alone(jfk_submission):
    queue_transcription(jfk_submission)
    assert services.transcription_sweep(min_age_seconds=0) == []
    assert transcription_queue.get_queue().count == 1


def test_job_timeout_grows_with_audio_length(jfk_submission, settings):
    short = transcription_queue.job_timeout_for(audio_seconds=10)
    long = transcription_queue.job_timeout_for(audio_seconds=90)
    assert long - short == 80 * settings.TRANSCRIPTION_TIMEOUT_FACTOR
    job = transcription_queue.push(submission_id=jfk_submission.pk, audio_seconds=90)
    assert job.timeout == long
    assert job.retries_left == len(settings.TRANSCRIPTION_RETRY_INTERVALS)


def test_worker_loads_the_model_once_for_many_jobs(
    transactional_db, episode, transcription_queue, monkeypatch
):
    loads = []
    real_load = engines.load_engine

    def counting_load(**kwargs):
        loads.append(kwargs)
        return real_load(**kwargs)

    engines.clear_engine_cache()
    monkeypatch.setattr(engines, "load_engine", counting_load)
    submissions = []
    for name in ("jfk.flac", "jfk.mp3"):
        submission = SubmissionFactory(episode=episode, text="")
        attach_audio(submission, AUDIO / name, seconds=11)
        queue_transcription(submission)
        submissions.append(submission)

    TranscriptionWorker([transcription_queue], connection=transcription_queue.connection).work(
        burst=True
    )

    assert len(loads) == 1
    for submission in submissions:
        submission.refresh_from_db()
        assert JFK_WORDS in words(submission.transcript)


def write_long_speech(path: Path, *, repeats: int) -> float:
    """A WAV of jfk repeated: long enough to catch the worker in the middle of a job."""
    samples = np.concatenate([decode_audio(AUDIO / "jfk.wav")] * repeats)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return len(samples) / 16000


def test_worker_killed_mid_job_loses_nothing(process_env, episode, transcription_queue, tmp_path):
    seconds = write_long_speech(tmp_path / "long.wav", repeats=3)
    submission = SubmissionFactory(episode=episode, text="")
    attach_audio(submission, tmp_path / "long.wav", seconds=seconds)
    queue_transcription(submission)

    worker = start_worker(process_env, burst=False)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        submission.refresh_from_db()
        if submission.transcription_state == TS.RUNNING:
            break
        assert worker.poll() is None, worker.stdout.read().decode()
        time.sleep(0.05)
    assert submission.transcription_state == TS.RUNNING
    time.sleep(0.3)  # well inside the model's work on 33 s of speech
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    submission.refresh_from_db()
    assert submission.transcription_state == TS.RUNNING  # the job died with the worker

    restarted = start_worker(process_env, burst=True)
    output = restarted.communicate(timeout=300)[0].decode()
    assert restarted.returncode == 0, output

    submission.refresh_from_db()
    assert submission.transcription_state == TS.DONE, output
    assert submission.transcription_attempts == 2
    assert JFK_WORDS in words(submission.transcript)
