"""Every host page, for every persona: the host, a host of another episode, a logged-in user
who hosts nothing, and anonymous.

Anonymous visitors are sent to the login page, other users get 404 (nothing leaks, not even
that the episode exists) and change nothing, and state changes are POST-only. The list of
routes comes from the URLconf: a new /host/ page without a row here fails
test_every_host_route_is_in_the_matrix.
"""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, reverse

from dashboard import urls as dashboard_urls
from intake.models import Submission
from tests.conftest import AUDIO, attach_audio
from tests.factories import SubmissionFactory, TopicFactory, UserFactory


@dataclass(frozen=True)
class HostView:
    name: str
    method: str  # "get" or "post"
    kwargs: tuple[str, ...] = ("slug",)  # which of slug / pk / topic_pk the URL takes
    data: tuple[tuple[str, str], ...] = ()
    status: str = Submission.Status.NEW  # the submission's status before the request

    def url(self, world) -> str:
        values = {"slug": world.episode.slug, "pk": world.submission.pk, "topic": world.topic.pk}
        kwargs = {("pk" if key in ("pk", "topic") else key): values[key] for key in self.kwargs}
        return reverse(self.name, kwargs=kwargs)

    def payload(self, world) -> dict:
        values = {"{topic}": str(world.topic.pk), "{other}": str(world.other.pk)}
        return {key: values.get(value, value) for key, value in self.data}


SUB = ("slug", "pk")
TOPIC = ("slug", "topic")

HOST_VIEWS = [
    HostView("dashboard:episode_list", "get", kwargs=()),
    HostView("dashboard:submission_list", "get"),
    HostView("dashboard:submission_detail", "get", SUB),
    HostView("dashboard:submission_audio", "get", SUB),
    HostView("dashboard:topic_list", "get"),
    HostView("dashboard:topic_update", "get", TOPIC),
    HostView("dashboard:topic_delete", "get", TOPIC),
    HostView("dashboard:essay_import", "get"),
    HostView("dashboard:submission_approve", "post", SUB),
    HostView("dashboard:submission_decline", "post", SUB),
    HostView("dashboard:submission_reopen", "post", SUB, status=Submission.Status.APPROVED),
    HostView("dashboard:submission_transcript", "post", SUB, (("text", "Corrected."),)),
    HostView("dashboard:submission_tag", "post", SUB, (("topics", "{topic}"),)),
    HostView("dashboard:submission_merge", "post", SUB, (("primary", "{other}"),)),
    HostView("dashboard:submission_retry", "post", SUB),
    HostView("dashboard:topic_create", "post", data=(("title", "A new topic"),)),
    HostView("dashboard:topic_update", "post", TOPIC, (("title", "Renamed"), ("summary", ""))),
    HostView("dashboard:topic_move", "post", TOPIC, (("direction", "down"),)),
    HostView("dashboard:topic_delete", "post", TOPIC),
    HostView(
        "dashboard:essay_import",
        "post",
        data=(("markdown", "## One\n\nFirst part.\n\n## Two\n\nSecond part.\n"),),
    ),
]
# Views whose GET shows a form (edit, delete confirmation, import) are left out.
HAS_GET = {view.name for view in HOST_VIEWS if view.method == "get"}
POST_ONLY = [view for view in HOST_VIEWS if view.name not in HAS_GET]


def view_id(view: HostView) -> str:
    return f"{view.method}-{view.name}"


def test_every_host_route_is_in_the_matrix():
    routes = {
        f"{dashboard_urls.app_name}:{pattern.name}"
        for pattern in dashboard_urls.urlpatterns
        if isinstance(pattern, URLPattern)
    }
    assert routes == {view.name for view in HOST_VIEWS}


@pytest.fixture(params=["other_host", "non_host"])
def outsider_client(request, client, other_host, db):
    """A logged-in user who must see nothing of the episode: a host of another episode (staff),
    or a plain account that hosts nothing."""
    user = other_host if request.param == "other_host" else UserFactory(is_staff=False)
    client.force_login(user)
    return client


@dataclass
class World:
    episode: object
    topic: object
    submission: Submission
    other: Submission


@pytest.fixture
def world(episode):
    topic = TopicFactory(episode=episode, title="What Ilya Saw in 2014", position=0)
    TopicFactory(episode=episode, title="What Ilya Sees in 2024", position=1)
    submission = SubmissionFactory(episode=episode, name="Priya", text="")
    attach_audio(submission, AUDIO / "jfk.webm", seconds=11.0)
    submission.transcription_state = Submission.TranscriptionState.DONE
    submission.transcript = "Ask not what your country can do for you."
    submission.audio_format = "matroska,webm"
    submission.save()
    other = SubmissionFactory(episode=episode, name="Sam")
    return World(episode, topic, submission, other)


def snapshot(world) -> tuple:
    submission = Submission.objects.get(pk=world.submission.pk)
    return (
        submission.status,
        submission.transcript_edited,
        submission.transcription_state,
        tuple(submission.topics.values_list("pk", flat=True)),
        tuple(world.episode.topics.values_list("pk", "title", "position")),
    )


@pytest.mark.parametrize("view", HOST_VIEWS, ids=view_id)
def test_anonymous_is_sent_to_login(client, world, view):
    before = snapshot(world)
    url = view.url(world)

    response = getattr(client, view.method)(url, view.payload(world))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert snapshot(world) == before


@pytest.mark.parametrize("view", [v for v in HOST_VIEWS if "slug" in v.kwargs], ids=view_id)
def test_other_users_get_404_and_change_nothing(outsider_client, world, view):
    before = snapshot(world)

    response = getattr(outsider_client, view.method)(view.url(world), view.payload(world))

    assert response.status_code == 404
    assert snapshot(world) == before
    assert b"Priya" not in response.content


@pytest.mark.parametrize("view", HOST_VIEWS, ids=view_id)
def test_host_is_served(host_client, world, view):
    Submission.objects.filter(pk=world.submission.pk).update(status=view.status)

    response = getattr(host_client, view.method)(view.url(world), view.payload(world))

    if view.method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.content[:500]
        assert not response["Location"].startswith(reverse("login"))
        follow = host_client.get(response["Location"])
        assert follow.status_code == 200
        assert [m.level_tag for m in follow.context["messages"]] == ["success"]


@pytest.mark.parametrize("view", POST_ONLY, ids=view_id)
def test_state_changes_refuse_get(host_client, world, view):
    before = snapshot(world)

    response = host_client.get(view.url(world))

    assert response.status_code == 405
    assert snapshot(world) == before


@pytest.mark.parametrize("view", [v for v in HOST_VIEWS if "slug" in v.kwargs][:3], ids=view_id)
def test_unknown_ids_and_slugs_are_404_for_the_host(host_client, world, view):
    url = view.url(world)
    missing = url.replace(f"/{world.episode.slug}/", "/no-such-episode/")
    assert host_client.get(missing).status_code == 404
    if "pk" in view.kwargs:
        foreign = SubmissionFactory()  # exists, but in an episode this host does not host
        url = url.replace(f"/{world.submission.pk}/", f"/{foreign.pk}/")
        assert host_client.get(url).status_code == 404


def test_posts_need_a_csrf_token(world, host):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(host)

    response = strict.post(
        reverse(
            "dashboard:submission_approve",
            kwargs={"slug": world.episode.slug, "pk": world.submission.pk},
        )
    )

    assert response.status_code == 403
    world.submission.refresh_from_db()
    assert world.submission.status == Submission.Status.NEW


def test_dashboard_needs_login(client):
    response = client.get(reverse("dashboard:episode_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dashboard_lists_only_the_users_episodes(other_host_client, world):
    response = other_host_client.get(reverse("dashboard:episode_list"))

    assert response.status_code == 200
    assert list(response.context["episodes"]) == []
    assert world.episode.title.encode() not in response.content


def test_header_offers_dashboard_and_a_post_logout(host_client, world):
    page = host_client.get(
        reverse("dashboard:submission_list", kwargs={"slug": world.episode.slug})
    )

    html = page.content.decode()
    assert (
        f'<a href="{reverse("dashboard:episode_list")}" aria-current="page">Dashboard</a>' in html
    )
    assert f'<form method="post" action="{reverse("logout")}"' in html
    assert 'name="csrfmiddlewaretoken"' in html

    response = host_client.post(reverse("logout"), {"next": reverse("login")})

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert host_client.get(reverse("dashboard:episode_list")).status_code == 302
