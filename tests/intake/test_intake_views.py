"""The public ask page through Django's test client: every acceptance and rejection case."""

import datetime as dt
import io
import re
from pathlib import Path

import av
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from episodes.formatting import when_phrase
from intake.models import Submission
from intake.queue import job_id_for
from tests.conftest import AUDIO
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def isolated_uploads(settings, tmp_path, private_media):
    """Private media and Django's upload temp files in folders this test can inspect.

    Every upload goes through a temporary file (not memory), so "no file left behind" is
    checked on the path that could actually leave one.
    """
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(uploads)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    return {"media": private_media, "uploads": uploads}


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def ask_url(episode) -> str:
    return reverse("intake:ask", kwargs={"slug": episode.slug})


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def fixture_upload(name: str, *, as_name: str | None = None, content_type: str = "audio/webm"):
    return upload(as_name or name, (AUDIO / name).read_bytes(), content_type)


def post(client, episode, *, audio=None, **fields):
    data = {"kind": "question", "name": "Sam", "email": "sam@example.com", "text": ""}
    data.update(fields)
    if audio is not None:
        data["audio"] = audio
    return client.post(ask_url(episode), data)


def errors_for(response, field: str) -> str:
    """The text of the error slot next to a field."""
    html = response.content.decode()
    match = re.search(rf'data-errors-for="{field}">(.*?)</div>', html, re.S)
    assert match, f"no error slot for {field}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def assert_nothing_created(isolated_uploads):
    assert Submission.objects.count() == 0
    assert files_under(isolated_uploads["media"]) == []
    assert files_under(isolated_uploads["uploads"]) == []


def video_without_audio() -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as output:
        stream = output.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(10):
            frame = av.VideoFrame.from_ndarray(
                np.full((48, 64, 3), index * 20, dtype=np.uint8), format="rgb24"
            )
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return buffer.getvalue()


# --- The page ---------------------------------------------------------------------------------


def test_page_shows_episode_details_and_the_form(client, episode):
    episode.intro = "**Last call!** Send us [your questions](https://example.com/faq)."
    episode.submissions_close_at = timezone.now() + dt.timedelta(days=2, hours=1)
    episode.save()
    response = client.get(ask_url(episode))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>2024 Recap</h1>" in html
    assert "<strong>Last call!</strong>" in html
    assert 'href="https://example.com/faq" rel="noopener noreferrer nofollow"' in html
    assert f"Recording {when_phrase(episode.recording_at)}" in html
    assert f"Questions close {when_phrase(episode.submissions_close_at)}, in 2 days" in html
    assert 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html
    for name in ("kind", "name", "email", "text", "audio", "consent", "website"):
        assert f'name="{name}"' in html
    assert "You may play my recording on the show" in html
    # The honeypot is out of reach for people: not tabbable, not autofilled, not announced.
    assert re.search(r'class="hp-field" aria-hidden="true"', html)
    assert re.search(r'name="website"[^>]*tabindex="-1"[^>]*autocomplete="off"', html)
    assert f'data-max-seconds="{episode.max_audio_seconds}"' in html


def test_intro_cannot_inject_html(client, episode):
    episode.intro = (
        "Hi <script>alert('x')</script> <img src=x onerror=alert(1)>\n\n"
        '<div onclick="steal()">block</div>\n\n[click](javascript:alert(1))'
    )
    episode.save()
    html = client.get(ask_url(episode)).content.decode()
    intro = html.split('class="ask-intro">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in intro
    assert "<img" not in intro
    assert "<div" not in intro
    assert "javascript:" not in intro
    assert "&lt;script&gt;" in intro  # shown as the text the host typed


def test_home_lists_open_episodes_only(client, episode):
    EpisodeFactory(title="Old episode", submissions_close_at=timezone.now() - dt.timedelta(days=1))
    html = client.get(reverse("intake:home")).content.decode()
    assert "2024 Recap" in html
    assert "Old episode" not in html
    assert "Questions close" in html


def test_thanks_page_says_what_happens_next(client, episode):
    html = client.get(reverse("intake:thanks", kwargs={"slug": episode.slug})).content.decode()
    assert "What happens next" in html
    assert "transcribed" in html


# --- Accepted submissions -----------------------------------------------------------------


def test_typed_question_is_saved_and_redirects_to_thanks(client, episode, isolated_uploads):
    response = post(client, episode, text="  What comes after pre-training?  ", name=" Sam ")
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:thanks", kwargs={"slug": episode.slug})
    submission = Submission.objects.get()
    assert submission.episode == episode
    assert submission.kind == "question"
    assert submission.text == "What comes after pre-training?"
    assert submission.name == "Sam"
    assert submission.email == "sam@example.com"
    assert not submission.audio
    assert submission.transcription_state == Submission.TranscriptionState.NONE
    assert submission.consent_to_air is False
    assert files_under(isolated_uploads["media"]) == []


def test_message_kind_without_name_or_email(client, episode):
    response = post(client, episode, kind="message", name="", email="", text="Love the show")
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.kind, submission.name, submission.email) == ("message", "", "")


@pytest.mark.parametrize(
    ("fixture", "container"),
    [
        ("jfk.webm", "webm"),
        ("jfk.mp3", "mp3"),
        ("jfk.m4a", "m4a"),
        ("jfk.wav", "wav"),
        ("jfk.flac", "flac"),
    ],
)
def test_voice_upload_is_stored_privately_under_a_random_name(
    client,
    episode,
    isolated_uploads,
    transcription_queue,
    django_capture_on_commit_callbacks,
    fixture,
    container,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            episode,
            audio=fixture_upload(fixture, as_name="My Question.webm"),
            consent="on",
        )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.audio_format == container
    assert submission.audio_seconds == pytest.approx(11.0, abs=0.05)
    assert submission.consent_to_air is True
    assert submission.transcription_state == Submission.TranscriptionState.PENDING
    stored = Path(submission.audio.path)
    assert stored.is_file()
    assert stored.read_bytes() == (AUDIO / fixture).read_bytes()
    # Named by what the bytes are, not by what the client called them.
    assert stored.suffix == f".{container}"
    assert "My Question" not in stored.name
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}\.\w+", stored.name)
    assert submission.audio.name.startswith(f"audio/{episode.pk}/")
    assert stored.is_relative_to(isolated_uploads["media"])
    # Transcription was queued on commit, on the real Redis queue.
    assert job_id_for(submission_id=submission.pk) in transcription_queue.job_ids
    submission.refresh_from_db()
    assert submission.transcription_queued_at is not None
    # The upload's temporary file is gone once the request is over.
    assert files_under(isolated_uploads["uploads"]) == []


def test_voice_with_text_keeps_both(client, episode):
    response = post(
        client, episode, text="See my recording", audio=fixture_upload("jfk.webm"), consent="on"
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.text == "See my recording"
    assert submission.audio


# --- Rejections: a specific message by the field, values kept, nothing created ------------


AUDIO_REJECTIONS = {
    "empty file": (
        lambda: upload("empty.webm", b"", "audio/webm"),
        "This file is empty. Please choose a recording to upload.",
    ),
    "text renamed .webm": (
        lambda: upload("question.webm", b"Dear hosts, my question is...\n" * 50, "audio/webm"),
        "We couldn't read this file as audio. It may be damaged, or not a recording at all. "
        "Please upload a webm, ogg, mp3, m4a, wav or flac file.",
    ),
    "PNG renamed .mp3": (
        lambda: upload(
            "voice.mp3",
            (
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
                b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
                b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
            ),
            "audio/mpeg",
        ),
        "This file is not one of the audio formats we accept (webm, ogg, mp3, m4a, wav or flac).",
    ),
    "truncated webm": (
        lambda: upload("cut.webm", (AUDIO / "jfk.webm").read_bytes()[:2048], "audio/webm"),
        "This recording is incomplete: it stops after 0.4 seconds of its 11 seconds. "
        "The file was probably cut short; please upload it again.",
    ),
    "video without audio": (
        lambda: upload("clip.mp4", video_without_audio(), "video/mp4"),
        "This file has no sound in it (no audio track). Please upload a voice recording.",
    ),
}


@pytest.mark.parametrize("case", AUDIO_REJECTIONS)
def test_bad_audio_is_refused_with_a_specific_message(client, episode, isolated_uploads, case):
    make_upload, message = AUDIO_REJECTIONS[case]
    response = post(
        client,
        episode,
        text="My typed words stay",
        name="Ada",
        email="ada@example.com",
        audio=make_upload(),
        consent="on",
    )
    assert response.status_code == 200
    assert errors_for(response, "audio") == message.replace("'", "&#x27;")
    html = response.content.decode()
    assert "My typed words stay</textarea>" in html
    assert 'value="Ada"' in html
    assert 'value="ada@example.com"' in html
    assert re.search(r'name="consent"[^>]*checked', html)
    assert_nothing_created(isolated_uploads)


def test_over_the_length_cap(client, isolated_uploads):
    short = EpisodeFactory(slug="short", max_audio_seconds=5)
    response = post(client, short, text="words", audio=fixture_upload("jfk.wav"), consent="on")
    assert response.status_code == 200
    assert errors_for(response, "audio") == (
        "This recording is 11 seconds long; the limit for this episode is 5 seconds."
    )
    assert "up to 5 seconds" in response.content.decode()
    assert_nothing_created(isolated_uploads)


def test_over_the_size_cap_while_streaming(client, episode, settings, isolated_uploads):
    # The file is over the cap but the body is within cap + form overhead: the rest of the
    # body is drained and every field after the file still arrives.
    settings.SUBMISSION_MAX_UPLOAD_BYTES = 100_000
    response = post(client, episode, text="Keep me", audio=fixture_upload("jfk.wav"), consent="on")
    assert response.status_code == 413
    assert errors_for(response, "audio") == (
        "This file is larger than the 0.1 MB limit. Please upload a shorter recording."
    )
    html = response.content.decode()
    assert "Keep me</textarea>" in html
    assert re.search(r'name="consent"[^>]*checked', html)
    assert_nothing_created(isolated_uploads)


def test_over_the_size_cap_is_refused_before_the_body_is_read(
    client, episode, settings, isolated_uploads
):
    # The request's Content-Length alone proves the file is too big: Django stops reading at
    # the file's first byte. The fields sent before it are still shown back.
    settings.SUBMISSION_MAX_UPLOAD_BYTES = 200_000
    big = upload("long.flac", (AUDIO / "jfk.flac").read_bytes() * 2, "audio/flac")
    assert big.size > 200_000 + 256 * 1024
    response = post(client, episode, text="Still here", audio=big, consent="on")
    assert response.status_code == 413
    assert errors_for(response, "audio") == (
        "This file is larger than the 0.2 MB limit. Please upload a shorter recording."
    )
    assert "Still here</textarea>" in response.content.decode()
    assert_nothing_created(isolated_uploads)


def test_decode_budget(client, episode, settings, isolated_uploads):
    settings.AUDIO_DECODE_TIMEOUT_SECONDS = 1e-6
    response = post(client, episode, audio=fixture_upload("jfk.flac"), consent="on")
    assert errors_for(response, "audio") == (
        "This file took too long to check. Please upload a shorter or simpler recording."
    )
    assert_nothing_created(isolated_uploads)


def test_a_recording_without_on_air_consent_is_kept_and_transcribed(
    client, episode, isolated_uploads, transcription_queue, django_capture_on_commit_callbacks
):
    """The hosts may listen to any recording sent; airing it is a separate, optional choice."""
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, episode, audio=fixture_upload("jfk.webm"))
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.consent_to_air is False
    assert Path(submission.audio.path).is_file()
    assert submission.transcription_state == Submission.TranscriptionState.PENDING
    assert transcription_queue.count == 1


def test_the_ask_page_says_the_hosts_listen_and_airing_is_optional(client, episode):
    html = client.get(ask_url(episode)).content.decode()
    assert "The hosts will listen to any recording you send" in html
    assert "goes on air only if you tick the box below" in html
    assert re.search(r'<input type="checkbox" name="consent"(?![^>]*required)[^>]*>', html)


def test_neither_text_nor_audio(client, episode, isolated_uploads):
    response = post(client, episode, text="   ")
    assert response.status_code == 200
    assert errors_for(response, "text") == "Please type your question or message, or record one."
    assert 'value="Sam"' in response.content.decode()
    assert_nothing_created(isolated_uploads)


def test_invalid_email(client, episode, isolated_uploads):
    response = post(client, episode, text="Hi", email="not-an-email")
    assert errors_for(response, "email") == "Enter a valid email address."
    assert 'value="not-an-email"' in response.content.decode()
    assert_nothing_created(isolated_uploads)


@pytest.mark.parametrize(
    "name", ["Eve\r\nBcc: x@example.com", "Eve\nSmith", "Eve\tSmith", "Eve\u2028Smith", "Eve\x07"]
)
def test_a_name_with_a_line_break_or_control_character_is_refused(
    client, episode, isolated_uploads, name
):
    response = post(client, episode, text="Hi", name=name)
    assert response.status_code == 200
    assert errors_for(response, "name") == (
        "Please write your name on one line, without tabs or other control characters."
    )
    assert_nothing_created(isolated_uploads)


@pytest.mark.parametrize("email", ["sam@example.com\r\nBcc: x@example.com", "sam\t@example.com"])
def test_an_email_with_a_line_break_or_control_character_is_refused(
    client, episode, isolated_uploads, email
):
    response = post(client, episode, text="Hi", email=email)
    assert response.status_code == 200
    assert errors_for(response, "email")
    assert_nothing_created(isolated_uploads)


def test_unknown_kind(client, episode, isolated_uploads):
    response = post(client, episode, text="Hi", kind="complaint")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert_nothing_created(isolated_uploads)


def test_honeypot_filled_creates_nothing(client, episode, isolated_uploads):
    response = post(
        client,
        episode,
        text="Buy cheap watches",
        website="https://spam.example",
        audio=fixture_upload("jfk.webm"),
        consent="on",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "We couldn&#x27;t accept this form. Please check it and send it again." in html
    # A person caught by autofill can send again: the trap comes back empty.
    assert "https://spam.example" not in html
    assert_nothing_created(isolated_uploads)


def test_closed_episode_shows_a_notice_instead_of_the_form(client, episode):
    episode.submissions_close_at = timezone.now() - dt.timedelta(minutes=1)
    episode.save()
    response = client.get(ask_url(episode))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Questions for this episode are closed" in html
    assert f"They closed {when_phrase(episode.submissions_close_at)}" in html
    assert 'name="text"' not in html


def test_post_to_a_closed_episode_is_refused(client, episode, isolated_uploads):
    episode.submissions_close_at = timezone.now() - dt.timedelta(minutes=1)
    episode.save()
    response = post(
        client, episode, text="Too late?", audio=fixture_upload("jfk.webm"), consent="on"
    )
    assert response.status_code == 403
    assert "Questions for this episode are closed" in response.content.decode()
    assert_nothing_created(isolated_uploads)


def test_link_checkers_may_probe_the_page(client, episode):
    assert client.head(ask_url(episode)).status_code == 200
    assert client.put(ask_url(episode)).status_code == 405


def test_unknown_episode_is_404(client, db):
    assert client.get("/ask/no-such-episode/").status_code == 404


def test_csrf_is_enforced(episode, isolated_uploads):
    strict = Client(enforce_csrf_checks=True)
    response = post(strict, episode, text="No token")
    assert response.status_code == 403
    assert_nothing_created(isolated_uploads)


def test_csrf_token_round_trip_is_accepted(episode):
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(ask_url(episode)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = post(strict, episode, text="With token", csrfmiddlewaretoken=token)
    assert response.status_code == 302
    assert Submission.objects.get().text == "With token"


def test_only_the_audio_file_is_kept(client, episode, isolated_uploads):
    # Extra file fields are dropped while streaming, never stored, and don't disturb `audio`.
    response = client.post(
        ask_url(episode),
        {
            "kind": "question",
            "text": "",
            "attachment": upload("notes.txt", b"x" * 5000),
            "audio": fixture_upload("jfk.webm"),
            "zzz": upload("more.bin", b"y" * 5000),
            "consent": "on",
        },
    )
    assert response.status_code == 302
    assert Submission.objects.get().audio_seconds == pytest.approx(11.0, abs=0.05)
    assert len(files_under(isolated_uploads["media"])) == 1
    assert files_under(isolated_uploads["uploads"]) == []
