"""Issue 12, findings 1 and 3 on the ask page: crafted uploads cost at most the check budget,
checks are capped, refused uploads are limited per address, temporary files never pile up,
and a file with a second audio stream is refused."""

import contextlib
import html
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from intake.audio import MESSAGES
from intake.models import Submission
from tests.factories import EpisodeFactory
from tests.intake.crafted_audio import JFK_WAV, padded_wav, two_audio_streams

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def uploads(settings, tmp_path, private_media):
    """Media and upload temp files in folders this test can inspect; uploads always go
    through a temporary file, the path that could leave one behind."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    return {"media": private_media, "uploads": folder}


@pytest.fixture
def client():
    """A client from an address of its own: the limits' counts outlive a test in Redis."""
    return Client(REMOTE_ADDR=f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1")


@pytest.fixture
def episode(db):
    return EpisodeFactory(slug="recap", max_audio_seconds=30)


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def assert_nothing_created(uploads) -> None:
    assert Submission.objects.count() == 0
    assert files_under(uploads["media"]) == []
    assert files_under(uploads["uploads"]) == []


def post(client, episode, *, audio: bytes | None = None, text: str = ""):
    data = {"kind": "question", "name": "Sam", "text": text, "consent": "on"}
    if audio is not None:
        data["audio"] = SimpleUploadedFile("voice.wav", audio, content_type="audio/wav")
    return client.post(reverse("intake:ask", kwargs={"slug": episode.slug}), data)


def audio_error(response) -> str:
    page = response.content.decode()
    start = page.index('data-errors-for="audio">')
    return html.unescape(page[start : page.index("</div>", start)])


# Finding 1: the padded WAV.


def test_a_padded_wav_costs_at_most_the_budget(client, episode, uploads, settings):
    # 8 MB of padding: about 7 s of FFmpeg walking zeros inside one demuxer call, where the
    # old in-process deadline was never looked at.
    settings.AUDIO_DECODE_TIMEOUT_SECONDS = 1
    started = time.monotonic()
    response = post(client, episode, audio=padded_wav(8_000_000), text="Kept")
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert MESSAGES["too_slow"] in audio_error(response)
    assert "Kept</textarea>" in response.content.decode()
    assert elapsed < 4, f"the check took {elapsed:.1f} s for a budget of 1 s"
    assert_nothing_created(uploads)


def test_the_kernel_stops_a_check_whose_parent_is_gone(tmp_path):
    """The child's CPU limit holds without anyone waiting on it (a killed web worker)."""
    crafted = tmp_path / "padded"
    crafted.write_bytes(padded_wav(24_900_000))
    request = {
        "path": str(crafted),
        "max_seconds": 90,
        "grace_seconds": 2,
        "deadline": time.monotonic() + 600,  # no wall-clock deadline to speak of
        "cpu_seconds": 1,
    }
    started = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-m", "intake.audio_sandbox"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert child.returncode in (-signal.SIGXCPU, -signal.SIGKILL)
    assert child.stdout == ""
    # CPU seconds, not wall seconds: generous for a loaded machine.
    assert time.monotonic() - started < 30


def test_an_honest_recording_is_still_accepted(client, episode, uploads):
    response = post(client, episode, audio=JFK_WAV.read_bytes())
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.audio_seconds == 11.0
    assert submission.audio_format == "wav"
    assert files_under(uploads["uploads"]) == []


# Finding 1: at most AUDIO_CHECK_CONCURRENCY checks at once.


def test_beyond_the_concurrent_checks_the_listener_is_asked_to_send_again(
    client, episode, uploads, settings
):
    from intake.check_slots import check_slot_release, check_slot_try

    settings.AUDIO_CHECK_CONCURRENCY = 1
    settings.AUDIO_CHECK_WAIT_SECONDS = 1
    assert check_slot_try(token="someone-else", lifetime_seconds=60)
    try:
        response = post(client, episode, audio=JFK_WAV.read_bytes(), text="My question")
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert MESSAGES["busy"] in audio_error(response)
        assert "My question</textarea>" in response.content.decode()
        assert_nothing_created(uploads)
    finally:
        check_slot_release(token="someone-else")

    response = post(client, episode, audio=JFK_WAV.read_bytes(), text="My question")
    assert response.status_code == 302


def test_a_slot_of_a_killed_process_frees_itself(settings):
    from intake.check_slots import check_slot_release, check_slot_try

    settings.AUDIO_CHECK_CONCURRENCY = 1
    assert check_slot_try(token="killed", lifetime_seconds=0.5)  # never released
    assert not check_slot_try(token="next", lifetime_seconds=10)
    time.sleep(0.6)
    assert check_slot_try(token="next", lifetime_seconds=10)
    check_slot_release(token="next")


# Finding 1: refused uploads are limited per address.


def test_refused_uploads_have_their_own_limit(client, episode, uploads, settings):
    settings.UPLOAD_REJECTION_LIMIT = "2/10m"
    for _ in range(2):
        response = post(client, episode, audio=b"not audio at all" * 100, text="Again")
        assert response.status_code == 200
        assert MESSAGES["unreadable"] in audio_error(response)

    # Even a good file is not decoded now; what was typed is kept.
    response = post(client, episode, audio=JFK_WAV.read_bytes(), text="Third try")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many recordings from your network were refused" in audio_error(response)
    assert "Third try</textarea>" in response.content.decode()
    assert_nothing_created(uploads)

    # A typed question still goes through.
    response = post(client, episode, text="Just typing this time")
    assert response.status_code == 302


def test_accepted_uploads_do_not_count_as_refused(client, episode, uploads, settings):
    settings.UPLOAD_REJECTION_LIMIT = "1/10m"
    for _ in range(3):
        assert post(client, episode, audio=JFK_WAV.read_bytes()).status_code == 302
    assert Submission.objects.count() == 3


# Finding 1: temporary files of killed web workers.


def test_an_upload_sweeps_the_files_of_a_killed_process(client, episode, uploads, settings):
    # A real process receives an upload into its temporary file and is killed (SIGKILL, as
    # gunicorn does after its timeout) before Django could remove it.
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import django, sys, time; django.setup()\n"
            "from intake.upload_tempfiles import upload_tempfile_new\n"
            "held = upload_tempfile_new(); held.write(b'x' * 100000); held.flush()\n"
            "print(held.name, flush=True); time.sleep(120)",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "1",
            "MAILBAG_VAR_DIR": str(Path(settings.FILE_UPLOAD_TEMP_DIR).parent),
        },
        stdout=subprocess.PIPE,
        text=True,
    )
    left_behind = Path(owner.stdout.readline().strip())
    owner.kill()
    owner.wait()
    owner.stdout.close()
    assert left_behind.parent == Path(settings.FILE_UPLOAD_TEMP_DIR)
    assert left_behind.exists()

    response = post(client, episode, audio=JFK_WAV.read_bytes())

    assert response.status_code == 302
    assert not left_behind.exists()
    assert files_under(uploads["uploads"]) == []


def test_a_live_process_keeps_its_temporary_file(settings, tmp_path):
    from intake.upload_tempfiles import upload_tempfile_new, upload_tempfiles_sweep

    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    mine = upload_tempfile_new()
    assert upload_tempfiles_sweep() == 0
    assert Path(mine.name).exists()
    # Unless nothing was written to it for an hour: then nobody owns it.
    assert upload_tempfiles_sweep(now=time.time() + 3601) == 1
    assert not Path(mine.name).exists()
    with contextlib.suppress(FileNotFoundError):
        mine.close()


# Finding 3: one audio stream.


def test_a_file_with_a_second_audio_stream_is_refused(client, episode, uploads):
    crafted = two_audio_streams(hidden_seconds=300, shown_seconds=3)
    response = post(client, episode, audio=crafted, text="Kept")
    assert response.status_code == 200
    assert MESSAGES["several_streams"] in audio_error(response)
    assert_nothing_created(uploads)
