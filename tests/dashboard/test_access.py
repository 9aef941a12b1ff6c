"""Every host page, for every persona: the host, a host of another episode, a logged-in user
who hosts nothing, and anonymous.

Anonymous visitors are sent to the login page, other users get 404 (nothing leaks, not even
that the episode exists) and change nothing, and state changes are POST-only. The list of
routes comes from the URLconf: a new /host/ page without a row here fails
test_every_host_route_is_in_the_matrix.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, reverse

from dashboard import urls as dashboard_urls
from episodes import services as episode_services
from episodes.models import Episode, HostProfile
from intake import services
from intake.models import Submission, SubmissionEvent
from runsheet import services as runsheet_services
from runsheet.models import Entry, Recording, RunSheet, Segment
from tests.conftest import AUDIO, attach_audio
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory, UserFactory


@dataclass(frozen=True)
class HostView:
    name: str
    method: str  # "get" or "post"
    kwargs: tuple[str, ...] = ("slug",)  # which of slug / pk / topic / segment / entry / fmt
    data: tuple[tuple[str, str], ...] = ()
    status: str = Submission.Status.NEW  # the submission's status before the request
    # A JSON body built from the world (the run-sheet's reorder); answered with 200 JSON.
    json: Callable[["World"], dict] | None = None
    # A form body built from the world, instead of `data` (a preview's fingerprint).
    form: Callable[["World"], dict] | None = None
    message: str = "success"  # the level of the message the host sees after a POST

    def url(self, world) -> str:
        values = {
            "slug": world.episode.slug,
            "pk": world.submission.pk,
            "topic": world.topic.pk,
            "segment": world.segment.pk,
            "entry": world.entry.pk,
            "fmt": "md",
            "user_id": world.co_host.pk,
            "merged": world.merged.pk,
            "action": "start",  # recording_action: World's run-sheet has an entry to record
        }
        ids = ("pk", "topic", "segment", "entry", "merged")
        kwargs = {("pk" if key in ids else key): values[key] for key in self.kwargs}
        return reverse(self.name, kwargs=kwargs)

    def payload(self, world) -> dict:
        if self.form is not None:
            return self.form(world)
        values = {
            "{topic}": str(world.topic.pk),
            "{other}": str(world.other.pk),
            "{pooled}": str(world.pooled.pk),
            "{segment}": str(world.segment.pk),
            "{free}": str(world.free.pk),
            "{submission}": str(world.submission.pk),
        }
        return {key: values.get(value, value) for key, value in self.data}

    def request(self, client, world):
        """Make this view's request as `client`."""
        if self.json is not None:
            return client.post(
                self.url(world), json.dumps(self.json(world)), content_type="application/json"
            )
        return getattr(client, self.method)(self.url(world), self.payload(world))


SUB = ("slug", "pk")
TOPIC = ("slug", "topic")
SEGMENT = ("slug", "segment")
ENTRY = ("slug", "entry")


def _reversed_order(world) -> dict:
    """The whole run-sheet in reverse, at its current version: what a drag and drop posts."""
    segments = Segment.objects.filter(episode=world.episode).order_by("-position", "-id")
    return {
        "version": RunSheet.objects.get(episode=world.episode).version,
        "segments": [
            {
                "id": segment.pk,
                "entries": list(
                    segment.entries.order_by("-position", "-id").values_list("pk", flat=True)
                ),
            }
            for segment in segments
        ],
    }


ESSAY = "## One\n\nFirst part.\n\n## Two\n\nSecond part.\n"


def _essay_confirmation(world) -> dict:
    """What the essay import's preview page posts to confirm: the essay again, with the
    fingerprint of the preview (a dry run, which changes nothing)."""
    preview = episode_services.essay_import(episode=world.episode, markdown=ESSAY, dry_run=True)
    return {
        "confirm": "1",
        "essay": ESSAY,
        "heading_level": "2",
        "fingerprint": preview.fingerprint,
    }


def _episode_edit(world) -> dict:
    """The episode page's form as a host saves it, with a new title."""
    local = "%Y-%m-%dT%H:%M"
    return {
        "title": "Renamed show",
        "slug": world.episode.slug,
        "intro": "New intro.",
        "recording_at": world.episode.recording_at.strftime(local),
        "submissions_close_at": world.episode.submissions_close_at.strftime(local),
        "max_audio_seconds": "2m",
        "target_minutes": "1h",
        "answer_seconds_default": "1:30",
    }


def _new_co_host(world) -> dict:
    return {"user": UserFactory(username="new-co-host").email}


HOST_VIEWS = [
    HostView("dashboard:episode_list", "get", kwargs=()),
    HostView("dashboard:submission_list", "get"),
    HostView("dashboard:submission_detail", "get", SUB),
    HostView("dashboard:submission_audio", "get", SUB),
    HostView("dashboard:topic_list", "get"),
    HostView("dashboard:topic_update", "get", TOPIC),
    HostView("dashboard:topic_delete", "get", TOPIC),
    HostView("dashboard:essay_import", "get"),
    HostView("dashboard:runsheet", "get"),
    HostView("dashboard:runsheet_export", "get", ("slug", "fmt")),
    HostView("dashboard:segment_update", "get", SEGMENT),
    HostView("dashboard:segment_delete", "get", SEGMENT),
    HostView("dashboard:entry_update", "get", ENTRY),
    HostView("dashboard:entry_passage", "get", ENTRY),
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
    # The import's confirmation (posting the essay itself shows a preview: test_topic_views).
    HostView("dashboard:essay_import", "post", form=_essay_confirmation),
    # The run-sheet (World has started it: a segment per topic plus a free one, one entry).
    HostView("dashboard:runsheet_start", "post", message="info"),  # already started
    HostView("dashboard:runsheet_reorder", "post", json=_reversed_order),
    HostView(
        "dashboard:segment_create", "post", data=(("title", "Intro"), ("extra_seconds", "1:30"))
    ),
    HostView(
        "dashboard:segment_update",
        "post",
        SEGMENT,
        (("title", "Renamed"), ("notes", "Points."), ("extra_seconds", "45")),
    ),
    HostView("dashboard:segment_move", "post", SEGMENT, (("direction", "down"),)),
    HostView("dashboard:segment_delete", "post", SEGMENT),
    HostView("dashboard:segment_add_all", "post", SEGMENT),
    HostView(
        "dashboard:entry_add", "post", data=(("submission", "{pooled}"), ("segment", "{free}"))
    ),
    HostView(
        "dashboard:entry_update",
        "post",
        ENTRY,
        (("answer_seconds", "1:30"), ("notes", "Short."), ("play", "read")),
    ),
    HostView("dashboard:entry_move", "post", ENTRY, (("segment", "{free}"),)),
    HostView("dashboard:entry_remove", "post", ENTRY),
    HostView("dashboard:entry_passage", "post", ENTRY, (("action", "hide"),)),
    # -- Rows for the big-mailbag performance work (merge target search) --
    HostView("dashboard:submission_search", "get", data=(("q", "Priya"),)),
    # -- Rows for triage and live updates --
    HostView(
        "dashboard:submission_bulk", "post", data=(("action", "approve"), ("ids", "{submission}"))
    ),
    HostView("dashboard:submission_notes", "post", SUB, (("host_notes", "Call her back."),)),
    HostView("dashboard:submission_unmerge", "post", ("slug", "merged")),
    HostView("dashboard:submission_accept_topic", "post", SUB),  # World suggests `topic`
    HostView("dashboard:submission_state", "get", SUB),
    HostView("dashboard:inbox_updates", "get"),
    # -- Rows for managing episodes, hosts and settings --
    # Creating an episode and the settings page are the user's own (no slug): see
    # test_pages_of_ones_own_serve_anyone_logged_in_and_show_nobody_elses.
    HostView("dashboard:episode_create", "get", kwargs=()),
    HostView("dashboard:host_settings", "get", kwargs=()),
    # The show (one per install) is every host's: any logged-in user may edit it.
    HostView("dashboard:show_update", "get", kwargs=()),
    HostView(
        "dashboard:show_update",
        "post",
        kwargs=(),
        data=(("name", "The Show"), ("tagline", ""), ("website", ""), ("contact_email", "")),
    ),
    HostView("dashboard:episode_update", "get"),
    HostView("dashboard:episode_hosts", "get"),
    HostView(
        "dashboard:episode_create",
        "post",
        kwargs=(),
        data=(
            ("title", "Another show"),
            ("slug", "another-show"),
            ("recording_at", "2031-03-03T17:00"),
            ("max_audio_seconds", "1:30"),
            ("target_minutes", "60"),
            ("answer_seconds_default", "2m"),
        ),
    ),
    HostView(
        "dashboard:host_settings",
        "post",
        kwargs=(),
        data=(("time_zone", "Europe/Berlin"), ("notify", "hourly"), ("stay_after_decision", "on")),
    ),
    HostView("dashboard:episode_update", "post", form=_episode_edit),
    HostView("dashboard:episode_open_close", "post", data=(("action", "close"),)),
    HostView("dashboard:episode_hosts", "post", form=_new_co_host),
    HostView("dashboard:episode_host_remove", "post", ("slug", "user_id")),
    # -- Rows for recording mode (the live page, its state, an action: Start) --
    HostView("dashboard:recording_live", "get"),
    HostView("dashboard:recording_state", "get"),
    HostView("dashboard:recording_action", "post", ("slug", "action")),
    # -- Rows for "Tell the askers" (World never recorded: sending is refused, an error) --
    HostView("dashboard:air_notice_preview", "get"),
    HostView(
        "dashboard:air_notice_preview",
        "post",
        data=(("public_url", "https://podcast.example.com/episodes/1"),),
    ),
    HostView("dashboard:air_notice_send", "post", message="error"),
    # -- Rows for after the show (World never recorded: the summary says so, and the trim and
    # "send back to the pool" are refused with an error; test_recording_summary does the rest) --
    HostView("dashboard:recording_summary", "get"),
    HostView("dashboard:recording_trim", "post", data=(("trim_seconds", "1:30"),), message="error"),
    HostView("dashboard:recording_return", "post", message="error"),
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
    segment: Segment  # the second topic's segment on the started run-sheet
    free: Segment  # a segment without a topic
    entry: Entry  # an approved question on `segment`
    pooled: Submission  # an approved question of the second topic, still in the pool
    merged: Submission  # a duplicate merged into `other`
    co_host: object  # the episode's second host (one a host may remove)


@pytest.fixture
def world(episode):
    topic = TopicFactory(episode=episode, title="What Ilya Saw in 2014", position=0)
    later = TopicFactory(episode=episode, title="What Ilya Sees in 2024", position=1)
    submission = SubmissionFactory(episode=episode, name="Priya", text="", suggested_topic=topic)
    attach_audio(submission, AUDIO / "jfk.webm", seconds=11.0)
    submission.transcription_state = Submission.TranscriptionState.DONE
    submission.transcript = "Ask not what your country can do for you."
    submission.audio_format = "matroska,webm"
    submission.save()
    other = SubmissionFactory(episode=episode, name="Sam")
    # The run-sheet, started: a segment per topic, then the first topic's segment deleted again
    # so that topic stays deletable (a segment protects its topic).
    runsheet_services.runsheet_start(episode=episode)
    runsheet_services.segment_delete(segment=Segment.objects.get(episode=episode, topic=topic))
    segment = Segment.objects.get(episode=episode, topic=later)
    free = runsheet_services.segment_create(episode=episode, title="Lightning round")
    on_sheet = SubmissionFactory(
        episode=episode, name="Ana", text="What came after 2014?", status="approved"
    )
    on_sheet.topics.set([later])
    entry = runsheet_services.entry_add(segment=segment, submission=on_sheet)
    pooled = SubmissionFactory(
        episode=episode, name="Kai", text="And what comes next?", status="approved"
    )
    pooled.topics.set([later])
    merged = SubmissionFactory(episode=episode, name="Lee", text="Same as Sam's?")
    services.submission_merge(duplicate=merged, primary=other)
    co_host = UserFactory(username="co-host")
    episode.hosts.add(co_host)
    return World(
        episode, topic, submission, other, segment, free, entry, pooled, merged, co_host=co_host
    )


def snapshot(world) -> tuple:
    submission = Submission.objects.get(pk=world.submission.pk)
    merged = Submission.objects.get(pk=world.merged.pk)
    return (
        # The episode itself, its hosts and their settings.
        tuple(
            Episode.objects.filter(pk=world.episode.pk).values_list(
                "slug",
                "title",
                "intro",
                "recording_at",
                "submissions_close_at",
                "max_audio_seconds",
                "target_minutes",
                "answer_seconds_default",
            )
        ),
        tuple(world.episode.hosts.order_by("pk").values_list("pk", flat=True)),
        tuple(
            HostProfile.objects.filter(user__episodes=world.episode)
            .order_by("pk")
            .values_list("user", "time_zone", "notify", "stay_after_decision")
        ),
        submission.status,
        submission.host_notes,
        submission.decline_reason,
        (merged.status, merged.merged_into_id),
        SubmissionEvent.objects.filter(submission__episode=world.episode).count(),
        submission.transcript_edited,
        submission.transcription_state,
        tuple(submission.topics.values_list("pk", flat=True)),
        tuple(world.episode.topics.values_list("pk", "title", "position")),
        # The run-sheet: every change bumps its version; the rows are compared too, since
        # the essay passage is changed without one.
        tuple(RunSheet.objects.filter(episode=world.episode).values_list("pk", "version")),
        tuple(
            Segment.objects.filter(episode=world.episode)
            .order_by("pk")
            .values_list("pk", "title", "position", "notes", "extra_seconds", "topic")
        ),
        tuple(
            Entry.objects.filter(segment__episode=world.episode)
            .order_by("pk")
            .values_list(
                "pk",
                "segment",
                "position",
                "submission",
                "answer_seconds",
                "notes",
                "play_clip",
                "passage",
                "passage_pinned",
                "passage_hidden",
            )
        ),
        # Recording mode: the recordings and what each step's airing stamps say.
        tuple(
            Recording.objects.filter(episode=world.episode)
            .order_by("pk")
            .values_list("pk", "started_at", "ended_at", "paused_at", "version")
        ),
        tuple(
            Entry.objects.filter(segment__episode=world.episode)
            .order_by("pk")
            .values_list("pk", "state", "aired_at")
        ),
        # After the show: the editor's trim of each recording.
        tuple(Recording.objects.filter(episode=world.episode).values_list("pk", "trim_seconds")),
        # "Tell the askers": the episode's public link, and who asked to be told and was.
        tuple(Episode.objects.filter(pk=world.episode.pk).values_list("public_url")),
        tuple(
            Submission.objects.filter(episode=world.episode)
            .order_by("pk")
            .values_list("pk", "notify_when_aired", "aired_notice_sent_at")
        ),
    )


@pytest.mark.parametrize("view", HOST_VIEWS, ids=view_id)
def test_anonymous_is_sent_to_login(client, world, view):
    before = snapshot(world)

    response = view.request(client, world)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert snapshot(world) == before


@pytest.mark.parametrize("view", [v for v in HOST_VIEWS if "slug" in v.kwargs], ids=view_id)
def test_other_users_get_404_and_change_nothing(outsider_client, world, view):
    before = snapshot(world)

    response = view.request(outsider_client, world)

    assert response.status_code == 404
    assert snapshot(world) == before
    assert b"Priya" not in response.content


@pytest.mark.parametrize("view", [v for v in HOST_VIEWS if "slug" not in v.kwargs], ids=view_id)
def test_pages_of_ones_own_serve_anyone_logged_in_and_show_nobody_elses(
    outsider_client, world, view
):
    """The episode list, creating an episode and the settings page are the logged-in user's
    own: a user who hosts none of the world's episode (staff or not) is served, sees nothing
    of it, and changes nothing of it (a new episode is their own)."""
    before = snapshot(world)

    response = view.request(outsider_client, world)

    if view.method == "get":
        assert response.status_code == 200
        page = response
    else:
        assert response.status_code == 302, response.content[:500]
        page = outsider_client.get(response["Location"])
        assert page.status_code == 200
    assert snapshot(world) == before
    html = page.content.decode()
    assert world.episode.title not in html
    assert f"/{world.episode.slug}/" not in html
    assert "Priya" not in html


@pytest.mark.parametrize("view", HOST_VIEWS, ids=view_id)
def test_host_is_served(host_client, world, view):
    Submission.objects.filter(pk=world.submission.pk).update(status=view.status)

    response = view.request(host_client, world)

    if view.method == "get":
        assert response.status_code == 200
    elif view.json is not None:
        assert response.status_code == 200, response.content[:500]
        assert response["Content-Type"] == "application/json"
    else:
        assert response.status_code == 302, response.content[:500]
        assert not response["Location"].startswith(reverse("login"))
        follow = host_client.get(response["Location"])
        assert follow.status_code == 200
        assert [m.level_tag for m in follow.context["messages"]] == [view.message]


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


ROW_VIEWS = [v for v in HOST_VIEWS if {"segment", "entry"} & set(v.kwargs)]


@pytest.mark.parametrize("view", ROW_VIEWS, ids=view_id)
def test_another_episodes_segments_and_entries_are_404_for_the_host(host_client, world, view):
    """The host's own episode in the URL with a segment or entry of an episode they do not
    host: 404, and nothing changes on either run-sheet."""
    theirs = EpisodeFactory(slug="not-yours")
    runsheet_services.runsheet_start(episode=theirs)
    segment = runsheet_services.segment_create(episode=theirs, title="Theirs")
    submission = SubmissionFactory(episode=theirs, status="approved")
    entry = runsheet_services.entry_add(segment=segment, submission=submission)
    url = view.url(world)
    url = url.replace(f"/segments/{world.segment.pk}/", f"/segments/{segment.pk}/")
    url = url.replace(f"/entries/{world.entry.pk}/", f"/entries/{entry.pk}/")
    assert url != view.url(world)
    before = snapshot(world), RunSheet.objects.get(episode=theirs).version
    theirs_before = list(Entry.objects.filter(pk=entry.pk).values())

    response = getattr(host_client, view.method)(url, view.payload(world))

    assert response.status_code == 404
    assert (snapshot(world), RunSheet.objects.get(episode=theirs).version) == before
    assert list(Entry.objects.filter(pk=entry.pk).values()) == theirs_before
