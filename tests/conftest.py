"""Shared fixtures: personas for host views, the real Redis queue and worker."""

from pathlib import Path

import django_rq
import pytest
from rq.worker import SimpleWorker

from tests.factories import EpisodeFactory, UserFactory

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
FIXTURES = SHARED / "fixtures"
AUDIO = FIXTURES / "audio"


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
