"""Shared fixtures: personas for host views, the real Redis queue and worker."""

import tempfile
from contextlib import contextmanager
from pathlib import Path

import django_rq
import hypothesis
import hypothesis.configuration
import pytest
from rq.worker import SimpleWorker

from tests.factories import EpisodeFactory, UserFactory

# Property tests (tests/intake/test_ask_fuzz.py) try the same inputs on every run, in CI and
# locally, and keep no example database. Hypothesis's own caches (Unicode tables, constants
# found in the code) go to the temp folder rather than a .hypothesis/ in the working tree.
hypothesis.settings.register_profile(
    "mailbag", derandomize=True, database=None, deadline=None, print_blob=True
)
hypothesis.settings.load_profile("mailbag")
hypothesis.configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "mailbag-hypothesis")

# Everything the suite reads lives here (see tests/fixtures/README.md).
FIXTURES = Path(__file__).resolve().parent / "fixtures"
AUDIO = FIXTURES / "audio"
# Our stand-in for the essay a recap episode follows: four `##` sections, Substack markup.
ESSAY = FIXTURES / "essays" / "four-eras.md"


@pytest.fixture
def host(db):
    return UserFactory(username="host")


@pytest.fixture
def other_host(db):
    return UserFactory(username="other-host")


@pytest.fixture
def episode(host):
    return EpisodeFactory(slug="2024-recap", title="2024 Recap", hosts=[host])


@pytest.fixture
def host_client(client, host):
    client.force_login(host)
    return client


@pytest.fixture
def other_host_client(client, other_host):
    client.force_login(other_host)
    return client


@pytest.fixture
def transcription_queue():
    """The real `transcription` queue on the test run's Redis, emptied before and after."""
    queue = django_rq.get_queue("transcription")
    queue.connection.flushdb()
    yield queue
    queue.connection.flushdb()


@pytest.fixture
def run_worker(transcription_queue):
    """Run every queued job in-process with a real RQ SimpleWorker, then return."""

    def run() -> None:
        SimpleWorker([transcription_queue], connection=transcription_queue.connection).work(
            burst=True
        )

    return run


@pytest.fixture
def rank_in_worker(run_worker, django_capture_on_commit_callbacks):
    """`with rank_in_worker(episode): <a topic change>`: what follows a host's edit. The
    change's jobs are queued once it commits and the worker runs them (re-ranking never
    happens in the request); afterwards the episode is no longer marked stale."""

    @contextmanager
    def ranked(episode):
        with django_capture_on_commit_callbacks(execute=True):
            yield
        run_worker()
        episode.refresh_from_db(fields=["suggestions_stale_since"])
        assert episode.suggestions_stale_since is None

    return ranked


@pytest.fixture
def process_env(transactional_db, settings):
    """Environment for a child process (a real worker, a web server) that must see this
    test's database, media and Redis."""
    import os

    database = settings.DATABASES["default"]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if database["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    else:
        user = database.get("USER") or ""
        host = database.get("HOST") or "127.0.0.1"
        port = database.get("PORT") or 5432
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{database['NAME']}"
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    return env


def attach_audio(submission, path: Path, *, seconds: float | None = None) -> None:
    """Put a real audio file into the submission's private storage, as intake does."""
    from django.core.files import File

    from intake.models import Submission

    with path.open("rb") as handle:
        submission.audio.save(f"test-{path.name}", File(handle), save=False)
    submission.audio_seconds = seconds
    submission.transcription_state = Submission.TranscriptionState.PENDING
    submission.save()


@pytest.fixture
def private_media(settings, tmp_path) -> Path:
    """Audio storage in this test's own folder, no rate limit and no host emails, so a test
    can submit freely and check exactly which files were left behind."""
    folder = tmp_path / "media"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    settings.SUBMISSION_RATE_LIMIT = "0"
    settings.UPLOAD_REJECTION_LIMIT = "0"
    settings.HOST_NOTIFY_EMAILS = []
    return folder
