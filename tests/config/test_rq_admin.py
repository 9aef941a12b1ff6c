"""django-rq's queue pages empty queues and delete jobs: superusers only (issue 12, finding 10).
Every persona against the real queue on the test run's Redis."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

QUEUES = "/admin/django-rq/"
EMPTY = "/admin/django-rq/queues/0/empty/"
STATS_JSON = "/admin/django-rq/stats.json"


@pytest.fixture
def waiting_job(transcription_queue, django_capture_on_commit_callbacks):
    # Only stored, never run: a listener's transcription waiting for the worker. (django-rq
    # queues a job once the transaction commits; the test's own never does.)
    with django_capture_on_commit_callbacks(execute=True):
        transcription_queue.enqueue("tests.config.test_queue.mark_declined", 1)
    assert transcription_queue.count == 1
    return transcription_queue


@pytest.fixture
def staff_client(client, db):
    # Staff, as every host account is, with no permissions at all.
    client.force_login(UserFactory(username="staff", is_staff=True, is_superuser=False))
    return client


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("url", [QUEUES, EMPTY, STATS_JSON])
def test_anonymous_is_sent_to_the_admin_login(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=")


def test_a_logged_in_user_who_is_not_staff_is_sent_to_the_admin_login(client, db):
    client.force_login(UserFactory(username="listener-ish", is_staff=False))

    response = client.get(QUEUES)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", [QUEUES, EMPTY, STATS_JSON])
def test_staff_without_superuser_gets_403(staff_client, waiting_job, url):
    response = staff_client.get(url)

    assert response.status_code == 403
    assert b"transcription" not in response.content


def test_staff_cannot_empty_the_queue(staff_client, waiting_job):
    response = staff_client.post(EMPTY)

    assert response.status_code == 403
    assert waiting_job.count == 1


def test_the_queues_are_not_also_inside_the_admin(superuser_client, waiting_job):
    # django-rq's own admin registration (RQ_SHOW_ADMIN_LINK) would open them to staff again.
    response = superuser_client.get("/admin/django_rq/dashboard/")

    assert response.status_code == 404
    assert b"django_rq" not in superuser_client.get("/admin/").content


def test_superuser_sees_and_empties_the_queue(superuser_client, waiting_job):
    page = superuser_client.get(QUEUES)
    assert page.status_code == 200
    assert b"transcription" in page.content
    # django-rq's pages use a small inline script; only they allow it.
    assert "'unsafe-inline'" in page["Content-Security-Policy"]
    assert superuser_client.get(STATS_JSON).json()["queues"][0]["name"] == "transcription"

    response = superuser_client.post(EMPTY)

    assert response.status_code == 302
    assert waiting_job.count == 0
