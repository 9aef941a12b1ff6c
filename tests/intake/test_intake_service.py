"""submission_create: rules, private storage, one transaction, and what survives an outage."""

import datetime as dt
import logging
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.models import Submission
from tests.conftest import AUDIO

pytestmark = pytest.mark.django_db

DEAD_REDIS = "unix:///tmp/mailbag-intake-no-redis-here.sock?db=0"


@pytest.fixture(autouse=True)
def media(private_media):
    return private_media


def stored_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def jfk(name: str = "jfk.webm") -> File:
    return File((AUDIO / name).open("rb"), name="anything.bin")


@pytest.fixture
def redis_down(settings):
    """Point the cache and the RQ queues at a socket nobody listens on: a real outage."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.RQ_QUEUES = {
        name: {**config, "URL": DEAD_REDIS} for name, config in settings.RQ_QUEUES.items()
    }


def test_typed_submission(episode):
    submission = services.submission_create(
        episode=episode, kind="message", text="  Great year!  ", name=" Kim ", email=""
    )
    submission.refresh_from_db()
    assert (submission.kind, submission.text, submission.name) == ("message", "Great year!", "Kim")
    assert submission.transcription_state == Submission.TranscriptionState.NONE
    assert not submission.audio


def test_voice_submission_probes_when_the_caller_did_not(episode, media, transcription_queue):
    with jfk("jfk.m4a") as audio:
        submission = services.submission_create(
            episode=episode, kind="question", audio=audio, consent_to_air=True
        )
    assert submission.audio_format == "m4a"
    assert submission.audio_seconds == pytest.approx(11.0, abs=0.05)
    assert submission.transcription_state == Submission.TranscriptionState.PENDING
    assert Path(submission.audio.path).suffix == ".m4a"
    assert stored_files(media) == [Path(submission.audio.path)]


def test_voice_without_on_air_consent_is_stored(episode, media, transcription_queue):
    with jfk("jfk.webm") as audio:
        submission = services.submission_create(
            episode=episode, kind="message", audio=audio, consent_to_air=False
        )
    submission.refresh_from_db()
    assert submission.consent_to_air is False
    assert submission.transcription_state == Submission.TranscriptionState.PENDING
    assert stored_files(media) == [Path(submission.audio.path)]


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ({"text": " "}, "text", "Please type your question or message, or record one."),
        ({"text": "hi", "email": "nope"}, "email", "Enter a valid email address."),
        (
            {"text": "hi", "name": "Eve\r\nBcc: x@example.com"},
            "name",
            "Please write your name on one line, without tabs or other control characters.",
        ),
        (
            {"text": "hi", "email": "eve@example.com\nBcc: x@example.com"},
            "email",
            "Please type your email address on one line, without tabs or other control characters.",
        ),
        ({"text": "hi", "kind": "rant"}, "kind", "Value 'rant' is not a valid choice."),
    ],
)
def test_rules_are_enforced_whoever_calls(episode, media, arguments, field, message):
    arguments = dict(arguments)
    audio = jfk() if arguments.pop("with_audio", False) else None
    with pytest.raises(ValidationError) as caught:
        services.submission_create(
            episode=episode, kind=arguments.pop("kind", "question"), audio=audio, **arguments
        )
    assert caught.value.message_dict[field] == [message]
    assert Submission.objects.count() == 0
    assert stored_files(media) == []


def test_bad_audio_is_refused_by_the_service_too(episode, media, tmp_path):
    fake = tmp_path / "fake.webm"
    fake.write_bytes(b"not audio at all " * 100)
    with fake.open("rb") as handle, pytest.raises(ValidationError) as caught:
        services.submission_create(
            episode=episode, kind="question", audio=File(handle), consent_to_air=True
        )
    assert caught.value.error_dict["audio"][0].code == "unreadable"
    assert Submission.objects.count() == 0
    assert stored_files(media) == []


def test_closed_episode(episode, media):
    episode.submissions_close_at = timezone.now() - dt.timedelta(seconds=1)
    episode.save()
    with pytest.raises(ValidationError) as caught:
        services.submission_create(episode=episode, kind="question", text="late")
    assert caught.value.code == "closed"
    assert Submission.objects.count() == 0


def test_a_failure_inside_the_transaction_leaves_no_row_and_no_file(episode, media, monkeypatch):
    # Fault injection: the step after the file and the row are written blows up.
    def explode(*, submission):
        assert stored_files(media), "the file should exist at this point"
        raise RuntimeError("injected")

    monkeypatch.setattr("intake.services.intake.transcription_enqueue", explode)
    with jfk() as audio, pytest.raises(RuntimeError, match="injected"):
        services.submission_create(
            episode=episode, kind="question", audio=audio, consent_to_air=True
        )
    assert Submission.objects.count() == 0
    assert stored_files(media) == []


def test_redis_down_still_saves_the_submission(
    episode, media, redis_down, caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level(logging.ERROR),
        django_capture_on_commit_callbacks(execute=True),
        jfk() as audio,
    ):
        submission = services.submission_create(
            episode=episode, kind="question", audio=audio, consent_to_air=True
        )
    submission.refresh_from_db()
    assert submission.transcription_state == Submission.TranscriptionState.PENDING
    assert submission.transcription_queued_at is None  # left for the sweeper
    assert Path(submission.audio.path).is_file()
    assert f"Could not queue transcription of submission {submission.pk}" in caplog.text


def test_redis_down_the_listener_still_gets_the_thank_you_page(
    client, episode, media, settings, redis_down, caplog, django_capture_on_commit_callbacks
):
    settings.SUBMISSION_RATE_LIMIT = "5/10m"  # the limiter must fail open, not fail the post
    with (
        caplog.at_level(logging.ERROR),
        django_capture_on_commit_callbacks(execute=True),
        (AUDIO / "jfk.webm").open("rb") as audio,
    ):
        response = client.post(
            reverse("intake:ask", kwargs={"slug": episode.slug}),
            {"kind": "question", "text": "", "audio": audio, "consent": "on"},
        )
    assert response.status_code == 302
    assert response["Location"].endswith("/thanks/")
    submission = Submission.objects.get()
    assert submission.transcription_state == Submission.TranscriptionState.PENDING
    assert "Rate limit unavailable" in caplog.text
    assert "Could not queue transcription" in caplog.text


# Emails to the hosts (sent by the worker, never here): tests/intake/test_notifications.py.
