"""The host dashboard's "Tell the askers": the public link saved, the preview's counts and
email, one job queued on commit, refusals shown, and a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from episodes.models import Episode
from runsheet import notices
from runsheet import services as runsheet
from tests.factories import EpisodeFactory
from tests.runsheet.test_notices import LINK, SITE, asker, recorded_episode

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings, mailoutbox):
    settings.SITE_URL = SITE
    return mailoutbox


def preview_url(episode) -> str:
    return reverse("dashboard:air_notice_preview", kwargs={"slug": episode.slug})


def send_url(episode) -> str:
    return reverse("dashboard:air_notice_send", kwargs={"slug": episode.slug})


def messages_of(client, response) -> list[str]:
    page = client.get(response["Location"])
    return [str(message) for message in page.context["messages"]]


def test_the_preview_counts_lists_and_shows_one_email(host_client, episode):
    recorded_episode(episode=episode)

    response = host_client.get(preview_url(episode))

    assert response.status_code == 200
    html = response.content.decode()
    plan = response.context["plan"]
    assert [(n.asker, n.timestamp) for n in plan.to_tell] == [("Ana", "00:00"), ("Cy", "1:01:10")]
    assert "<strong>2 askers</strong> will be told" in html
    assert "a•••@example.com" in html and "C•••@Example.com" in html
    assert "ana@example.com" not in html  # listed masked
    assert "1 more asked to be told, but their address has stopped these emails" in html
    assert "The email Ana will get" in html
    assert "It comes in at 00:00." in html
    assert LINK in html
    assert "List-Unsubscribe=One-Click" in html
    assert f'action="{send_url(episode)}"' in html
    assert "Tell the askers</button>" in html
    assert "data-site-url-missing" not in html


def test_without_site_url_the_preview_warns_links_are_paths(host_client, episode, settings):
    settings.SITE_URL = ""
    recorded_episode(episode=episode)

    html = host_client.get(preview_url(episode)).content.decode()

    assert "data-site-url-missing" in html
    assert "will be paths only" in html


def test_the_public_link_is_saved(host_client, episode):
    response = host_client.post(preview_url(episode), {"public_url": f" {LINK} "})

    assert response.status_code == 302
    assert response["Location"] == preview_url(episode)
    assert Episode.objects.get(pk=episode.pk).public_url == LINK
    assert messages_of(host_client, response) == [
        "Saved the episode's public link: the emails link to it."
    ]


def test_a_link_that_is_not_a_link_is_refused(host_client, episode):
    response = host_client.post(preview_url(episode), {"public_url": "javascript:alert(1)"})

    assert response.status_code == 200
    assert response.context["form"].errors["public_url"]
    assert Episode.objects.get(pk=episode.pk).public_url == ""


def test_send_queues_exactly_one_job_on_commit_and_the_worker_tells_everyone(
    host_client,
    episode,
    host,
    mailoutbox,
    django_capture_on_commit_callbacks,
    transcription_queue,
    run_worker,
):
    recorded_episode(episode=episode)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = host_client.post(send_url(episode))
    assert response.status_code == 302
    assert transcription_queue.count == 0  # nothing before the commit
    for callback in callbacks:
        callback()

    jobs = transcription_queue.jobs
    assert [job.func_name for job in jobs] == [notices.SEND_TASK]
    assert jobs[0].args == (episode.pk, host.pk)
    assert mailoutbox == []  # the request sends nothing itself
    run_worker()
    assert sorted(m.to[0] for m in mailoutbox) == ["Cy@Example.com", "ana@example.com"]
    assert messages_of(host_client, response)[0].startswith("Telling 2 askers now")

    # Afterwards: who was told, and no button.
    html = host_client.get(preview_url(episode)).content.decode()
    assert "Sent to 2 askers on" in html
    assert "nobody left to tell" in html
    assert "Tell the askers</button>" not in html

    # A second press queues nothing and says why.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = host_client.post(send_url(episode))
    assert callbacks == []
    assert messages_of(host_client, again) == [notices.NOBODY_LEFT]


def test_send_is_refused_before_the_recording_ends(
    host_client, episode, django_capture_on_commit_callbacks, transcription_queue
):
    episode.public_url = LINK
    episode.save()
    runsheet.runsheet_start(episode=episode)
    segment = runsheet.segment_create(episode=episode, title="Questions")
    runsheet.entry_add(segment=segment, submission=asker(episode, "Gil"))
    runsheet.recording_start(episode=episode)

    html = host_client.get(preview_url(episode)).content.decode()
    assert notices.NOT_ENDED in html
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = host_client.post(send_url(episode))

    assert callbacks == []
    assert messages_of(host_client, response) == [notices.NOT_ENDED]
    assert transcription_queue.count == 0


def test_send_is_refused_without_the_public_link(
    host_client, episode, django_capture_on_commit_callbacks, transcription_queue
):
    recorded_episode(episode=episode, link="")

    html = host_client.get(preview_url(episode)).content.decode()
    assert escape(notices.NO_LINK) in html
    assert "Tell the askers</button>" not in html
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = host_client.post(send_url(episode))

    assert callbacks == []
    assert messages_of(host_client, response) == [notices.NO_LINK]


def test_before_any_recording_the_page_says_so(host_client, episode):
    html = host_client.get(preview_url(episode)).content.decode()

    assert notices.NOT_STARTED in html
    assert "Tell the askers</button>" not in html


def preview_queries(client, host, extra_aired: int) -> int:
    episode = EpisodeFactory(hosts=[host])
    recorded_episode(episode=episode, extra_aired=extra_aired)
    client.get(preview_url(episode))  # once first: the show's row and the session exist
    with CaptureQueriesContext(connection) as queries:
        response = client.get(preview_url(episode))
    assert response.status_code == 200
    assert len(response.context["plan"].to_tell) == 2 + extra_aired
    return len(queries)


def test_the_preview_is_a_fixed_number_of_queries(host_client, host):
    few = preview_queries(host_client, host, extra_aired=0)  # 4 aired entries, 2 to tell
    many = preview_queries(host_client, host, extra_aired=26)  # 30 aired entries, 28 to tell

    assert few == many
    assert few <= 12
