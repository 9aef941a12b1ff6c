"""The live updates' JSON: the inbox's changes since the page's last look and one submission's
state, rendered with the pages' own partials, in a fixed number of queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.models import Submission
from tests.conftest import AUDIO, attach_audio
from tests.factories import SubmissionFactory, TopicFactory, submissions_with_everything

S = Submission.Status
TS = Submission.TranscriptionState
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def updates(client, episode, **params):
    response = client.get(reverse("dashboard:inbox_updates", kwargs={"slug": episode.slug}), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    return response.json()


def state(client, submission):
    response = client.get(
        reverse(
            "dashboard:submission_state",
            kwargs={"slug": submission.episode.slug, "pk": submission.pk},
        )
    )
    assert response.status_code == 200
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    return response.json()


def ago(seconds: float) -> str:
    return (timezone.now() - dt.timedelta(seconds=seconds)).isoformat()


def live_config(html: str) -> dict:
    tag = re.search(r"<div hidden data-live-inbox ([^>]*)>", html).group(1)
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))


# --- The inbox page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "insert", "show"),
    [
        ("", "1", "?"),
        ("?status=new", "1", "?status=new"),
        ("?status=approved", "0", "/host/2024-recap/"),  # a new submission is never approved
        ("?q=scaling", "0", "/host/2024-recap/"),  # would it match? the page cannot tell
        ("?page=2", "0", "?"),  # new rows belong on the first page
    ],
)
def test_the_inbox_says_where_and_whether_to_put_new_rows(
    host_client, episode, query, insert, show
):
    SubmissionFactory.create_batch(3, episode=episode)
    list_url = reverse("dashboard:submission_list", kwargs={"slug": episode.slug})

    from dashboard.views import submissions

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(submissions, "PAGE_SIZE", 2)
        html = host_client.get(list_url + query).content.decode()

    config = live_config(html)
    assert config["url"] == reverse("dashboard:inbox_updates", kwargs={"slug": episode.slug})
    assert config["insert"] == insert
    assert f'<a href="{show}" data-live-banner-link>' in html
    assert config["here"] == list_url + query
    assert abs(dt.datetime.fromisoformat(config["since"]) - timezone.now()) < dt.timedelta(
        seconds=30
    )
    assert "/static/dashboard/live.js" in html


# --- inbox_updates -------------------------------------------------------------------------


def test_nothing_changed_nothing_sent(host_client, episode):
    SubmissionFactory(episode=episode)
    Submission.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=5))
    now = ago(0)

    data = updates(host_client, episode, since=now, loaded=now)

    assert data["rows"] == []
    assert data["new_count"] == 0
    assert data["more"] is False
    assert data["counts"] == {"new": 1, "approved": 0, "declined": 0, "merged": 0, "all": 1}
    assert dt.datetime.fromisoformat(data["now"]) <= timezone.now()


def test_a_new_submission_comes_with_its_row_as_the_list_renders_it(host_client, episode):
    loaded = ago(1)
    TopicFactory(episode=episode, title="Scaling")
    arrived = SubmissionFactory(episode=episode, name="Zoë", text="What after scaling?")
    list_url = reverse("dashboard:submission_list", kwargs={"slug": episode.slug})

    data = updates(host_client, episode, since=loaded, loaded=loaded, here=list_url)

    [row] = data["rows"]
    assert row["id"] == arrived.pk
    assert (row["status"], row["transcription_state"], row["new"]) == ("new", "none", True)
    assert row["updated_at"] == Submission.objects.get(pk=arrived.pk).updated_at.isoformat()
    assert data["new_count"] == 1
    # The very markup of the list page's row (only the CSRF tokens differ).
    page = host_client.get(list_url).content.decode()
    start = page.index(f'<li class="submission-row status-new" id="submission-{arrived.pk}"')
    in_list = page[start : page.index("</li>", start) + len("</li>")]
    assert CSRF.sub("", row["html"]).strip() == CSRF.sub("", in_list).strip()
    assert f'name="next" value="{list_url}"' in row["html"]


def test_a_changed_row_is_sent_again_with_its_new_state(host_client, episode):
    old = SubmissionFactory(episode=episode, name="Priya")
    Submission.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1),
        updated_at=timezone.now() - dt.timedelta(hours=1),
    )
    loaded = ago(0)
    assert updates(host_client, episode, since=loaded, loaded=loaded)["rows"] == []

    services.submission_approve(submission=old)
    data = updates(host_client, episode, since=loaded, loaded=loaded)

    [row] = data["rows"]
    assert (row["id"], row["status"], row["new"]) == (old.pk, "approved", False)
    assert "badge-approved" in row["html"]
    assert data["counts"]["approved"] == 1
    assert data["new_count"] == 0


def test_rows_saved_just_before_the_last_look_are_sent_again(host_client, episode):
    """A change saved just before a look but committed just after it is not missed."""
    row = SubmissionFactory(episode=episode)

    data = updates(host_client, episode, since=ago(-5), loaded=ago(60))

    assert [r["id"] for r in data["rows"]] == [row.pk]


def test_a_voice_message_being_transcribed_shows_its_state(host_client, episode):
    loaded = ago(1)
    voice = SubmissionFactory(episode=episode, text="")
    attach_audio(voice, AUDIO / "jfk.webm", seconds=11.0)

    [row] = updates(host_client, episode, since=loaded, loaded=loaded)["rows"]

    assert row["transcription_state"] == "pending"
    assert "Queued for transcription" in row["html"]
    assert "data-play-clip" in row["html"]


def test_a_nonsense_since_means_now(host_client, episode):
    SubmissionFactory(episode=episode, updated_at=timezone.now() - dt.timedelta(hours=1))
    Submission.objects.update(updated_at=timezone.now() - dt.timedelta(hours=1))

    data = updates(host_client, episode, since="yesterday-ish", loaded="2026-13-45T99:99")

    assert data["rows"] == []


def test_only_so_many_rows_at_once(host_client, episode, monkeypatch):
    from dashboard.views import live

    monkeypatch.setattr(live, "MAX_ROWS", 3)
    loaded = ago(1)
    SubmissionFactory.create_batch(5, episode=episode)

    data = updates(host_client, episode, since=loaded, loaded=loaded)

    assert len(data["rows"]) == 3
    assert data["more"] is True
    assert data["new_count"] == 5


def test_here_must_be_this_episodes_inbox(host_client, episode):
    loaded = ago(1)
    SubmissionFactory(episode=episode)
    list_url = reverse("dashboard:submission_list", kwargs={"slug": episode.slug})

    [row] = updates(
        host_client, episode, since=loaded, loaded=loaded, here="https://evil.example/"
    )["rows"]

    assert f'name="next" value="{list_url}"' in row["html"]


def queries_of(request) -> int:
    with CaptureQueriesContext(connection) as queries:
        request()
    return len(queries)


def test_a_poll_costs_the_same_queries_however_many_rows_changed(host_client, episode):
    loaded = ago(1)

    def poll():
        return updates(host_client, episode, since=loaded, loaded=loaded)

    poll()  # the session, warm
    submissions_with_everything(episode, 1)
    few = queries_of(poll)
    submissions_with_everything(episode, 15)
    many = queries_of(poll)

    assert len(poll()["rows"]) == 32
    assert few == many
    # session, user, host's time zone, episode, rows (+ suggested topic, primary), topics,
    # merged, new count, status counts
    assert many <= 9


# --- submission_state ----------------------------------------------------------------------


@pytest.fixture
def voice(episode):
    submission = SubmissionFactory(episode=episode, name="Priya", text="")
    attach_audio(submission, AUDIO / "jfk.webm", seconds=11.0)
    return submission


def test_state_while_waiting_has_no_transcript(host_client, voice):
    data = state(host_client, voice)

    assert (data["status"], data["transcription_state"]) == ("new", "pending")
    assert data["status_label"] == "New"
    assert data["transcription_label"] == "Waiting for a worker"
    assert data["transcript_html"] is None
    assert "Queued for transcription" in data["badges_html"]
    assert data["updated_at"] == Submission.objects.get(pk=voice.pk).updated_at.isoformat()


def test_state_once_transcribed_carries_the_transcript_card(host_client, voice):
    Submission.objects.filter(pk=voice.pk).update(
        transcription_state=TS.DONE,
        transcript="Ask not what your country can do for you.",
        transcript_segments=[{"start": 0.0, "end": 3.0, "text": "Ask not what your country"}],
    )

    data = state(host_client, voice)

    assert data["transcription_state"] == "done"
    card = data["transcript_html"]
    assert card.startswith('<section class="card" id="transcript"')
    assert "data-seek-list" in card and "Ask not what your country" in card
    assert "Correct the transcript" in card and 'name="csrfmiddlewaretoken"' in card
    # The same card as the detail page has.
    page = host_client.get(
        reverse("dashboard:submission_detail", kwargs={"slug": voice.episode.slug, "pk": voice.pk})
    ).content.decode()
    start = page.index('<section class="card" id="transcript"')
    in_page = page[start : page.index("</section>", start) + len("</section>")]
    assert CSRF.sub("", card).strip() == CSRF.sub("", in_page).strip()


def test_state_after_a_failure_carries_the_card_that_says_so(host_client, voice):
    Submission.objects.filter(pk=voice.pk).update(
        transcription_state=TS.FAILED, transcription_error="Audio could not be decoded."
    )

    data = state(host_client, voice)

    assert "transcription failed" in data["transcript_html"]
    assert "Transcription failed" in data["badges_html"]


def test_the_detail_page_follows_its_state(host_client, voice):
    html = host_client.get(
        reverse("dashboard:submission_detail", kwargs={"slug": voice.episode.slug, "pk": voice.pk})
    ).content.decode()

    state_url = reverse(
        "dashboard:submission_state", kwargs={"slug": voice.episode.slug, "pk": voice.pk}
    )
    assert f'data-live-detail data-url="{state_url}" data-state="pending"' in html
    assert "the transcript appears here as soon as it is ready" in html


def test_state_costs_the_same_queries_however_big_the_episode(host_client, voice):
    Submission.objects.filter(pk=voice.pk).update(transcription_state=TS.DONE, transcript="Hi.")
    state(host_client, voice)
    SubmissionFactory(episode=voice.episode)
    few = queries_of(lambda: state(host_client, voice))
    SubmissionFactory.create_batch(30, episode=voice.episode)
    many = queries_of(lambda: state(host_client, voice))

    assert few == many
    assert many <= 5  # session, user, host's time zone, episode, submission
