"""Recording mode (dashboard/views/recording.py): the live page, its state endpoint and its
actions. Every action as a plain form post (302 back to the page, the show moved on) and as
the script's JSON post; the refusals (messages, 400), a stale page (409, or a message), the
state's shape, the current and next items, amber and red as things run long, the clip player
only for "play clip", and query counts that do not grow with the sheet.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from runsheet import services, show_clock
from runsheet.models import Airing, Entry, Recording, RunSheet, Segment
from tests.dashboard.pages import messages_of
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory
from tests.runsheet.conftest import approved

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def live(episode) -> str:
    return reverse("dashboard:recording_live", kwargs={"slug": episode.slug})


def state_url(episode) -> str:
    return reverse("dashboard:recording_state", kwargs={"slug": episode.slug})


def action(episode, name: str) -> str:
    return reverse("dashboard:recording_action", kwargs={"slug": episode.slug, "action": name})


def states(episode) -> list[tuple[str, str]]:
    """Every step's state, in show order: ("Intro", "live"), ("Priya", "planned"), ..."""
    rows = [
        (s.title, s.state) for s in Segment.objects.filter(episode=episode, extra_seconds__gt=0)
    ]
    rows += [
        (e.submission.name, e.state)
        for e in Entry.objects.filter(segment__episode=episode)
        .select_related("submission")
        .order_by("segment__position", "position")
    ]
    return rows


def entry_state(submission) -> str:
    return Entry.objects.get(submission=submission).state


@pytest.fixture
def show(episode):
    """A started run-sheet: an Intro with time of its own (a step), "Scaling" with Priya's
    typed question and Marcus's voice question (played), "Data" with Lee's question."""
    scaling_topic = TopicFactory(episode=episode, title="Scaling", position=0)
    data_topic = TopicFactory(episode=episode, title="Data", position=1)
    services.runsheet_start(episode=episode)
    intro = services.segment_create(
        episode=episode, title="Intro", notes="Welcome back; why a recap.", extra_seconds=60
    )
    services.segment_move(segment=intro, direction="up")
    services.segment_move(segment=intro, direction="up")
    scaling = Segment.objects.get(episode=episode, topic=scaling_topic)
    data = Segment.objects.get(episode=episode, topic=data_topic)
    priya = approved(episode, tags=[scaling_topic], name="Priya", text="Was the 2014 bet right?")
    marcus = approved(
        episode,
        tags=[scaling_topic],
        name="Marcus",
        text="",
        transcript="Could you revisit the scaling hypothesis?",
        audio="audio/marcus.webm",
        audio_seconds=12.0,
        consent_to_air=True,
    )
    lee = approved(episode, tags=[data_topic], name="Lee", text="What happens when data runs out?")
    entries = {
        "priya": services.entry_add(segment=scaling, submission=priya),
        "marcus": services.entry_add(segment=scaling, submission=marcus),
        "lee": services.entry_add(segment=data, submission=lee),
    }
    for entry in entries.values():
        services.entry_update(entry=entry, answer_seconds=120, notes="", play_clip=None)
    entries["priya"].refresh_from_db()
    assert not entries["priya"].plays_clip and Entry.objects.get(submission=marcus).plays_clip
    return {"intro": intro, **{name: entry.submission for name, entry in entries.items()}}


def start(episode, host, now=None):
    return services.recording_start(episode=episode, by=host, now=now)


# --- The page -------------------------------------------------------------------------------


def test_before_the_start_the_page_offers_start_and_shows_what_is_first(host_client, episode, show):
    response = host_client.get(live(episode))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ready to record" in html
    assert f'action="{action(episode, "start")}"' in html
    assert "Start recording" in html
    next_card = html.split('id="next-h"', 1)[1].split("</section>", 1)[0]
    assert "First up" in html and "Intro" in next_card
    assert f'action="{action(episode, "next")}"' not in html  # nothing to move on yet
    assert f'href="{reverse("dashboard:runsheet", kwargs={"slug": episode.slug})}"' in html
    assert "recording.js" in html and "data-fullscreen" in html
    assert 'aria-current="page">Run-sheet</a>' in html


def test_the_page_without_a_run_sheet_sends_the_host_to_start_it(host_client, episode):
    html = host_client.get(live(episode)).content.decode()

    assert "There is no run-sheet to record yet." in html
    assert "Start recording" not in html


def test_the_page_shows_the_live_segment_large_and_what_is_next(host_client, host, episode, show):
    start(episode, host)

    html = host_client.get(live(episode)).content.decode()

    now = html.split('class="card now-card', 1)[1].split("</article>", 1)[0]
    assert "Now · segment 1" in now
    assert ">Intro</h2>" in now
    assert "Welcome back; why a recap." in now
    next_card = html.split('id="next-h"', 1)[1].split("</section>", 1)[0]
    assert "Priya: Was the 2014 bet right?" in next_card
    assert 'value="segment-{}"'.format(show["intro"].pk) in html  # every form's `expect`
    assert html.count('name="expect"') == 5  # back, next, skip, pause, stop


def test_a_read_question_is_shown_to_read_aloud_without_a_player(host_client, host, episode, show):
    start(episode, host)
    services.recording_next(episode=episode)

    html = host_client.get(live(episode)).content.decode()

    now = html.split('class="card now-card', 1)[1].split("</article>", 1)[0]
    assert "question 1 of 3 · Scaling" in now
    assert ">Priya</h2>" in now
    assert "Read aloud" in now and "Was the 2014 bet right?" in now
    assert "<audio" not in html
    assert "Marcus: Could you revisit the scaling hypothesis?" in html  # next


def test_a_played_clip_gets_a_player_of_the_listeners_recording(host_client, host, episode, show):
    start(episode, host)
    services.recording_next(episode=episode)
    services.recording_next(episode=episode)

    html = host_client.get(live(episode)).content.decode()

    audio = reverse(
        "dashboard:submission_audio", kwargs={"slug": episode.slug, "pk": show["marcus"].pk}
    )
    assert re.search(rf'<audio controls[^>]*src="{re.escape(audio)}"', html)
    assert "data-play-clip" in html
    assert "They ask" in html and "Read aloud" not in html.split('id="next-h"')[0]
    assert "Could you revisit the scaling hypothesis?" in html


def test_an_overrunning_item_and_show_are_amber_then_red(host_client, host, episode, show):
    """The Intro has 60 s planned (amber from 10 s before its end), the show a 7-minute
    target; the clocks are set by stamping the start in the past."""
    episode.target_minutes = 7
    episode.save()
    then = timezone.now()
    start(episode, host, now=then - dt.timedelta(seconds=20))
    page = host_client.get(live(episode)).content.decode()
    assert 'class="figure level-ok" data-level="item"' in page
    assert 'data-role="item-left">0:40 left<' in page

    Recording.objects.update(started_at=then - dt.timedelta(seconds=55))
    page = host_client.get(live(episode)).content.decode()
    assert 'class="figure level-amber" data-level="item"' in page

    # Ninety seconds into a 60-second intro: red, and the show is projected over its target.
    Recording.objects.update(started_at=then - dt.timedelta(seconds=90))
    response = host_client.get(live(episode))
    page = response.content.decode()
    view = response.context["view"]
    assert 'class="figure level-red" data-level="item"' in page
    assert "0:30 over" in page
    assert view.over == pytest.approx(view.planned + 30 - 7 * 60, abs=2)
    assert view.show_level == show_clock.show_level(over=view.over, target=7 * 60)
    assert f'class="figure level-{view.show_level}" data-level="show"' in page

    # Far over the target: the show is red too.
    Recording.objects.update(started_at=then - dt.timedelta(seconds=600))
    page = host_client.get(live(episode)).content.decode()
    assert 'class="figure level-red" data-level="show"' in page
    assert re.search(r'data-role="over">\d+:\d\d over<', page)


def test_the_page_gives_the_script_the_clocks_thresholds(host_client, host, episode, show):
    start(episode, host)

    html = host_client.get(live(episode)).content.decode()

    assert f'data-warn-share="{show_clock.WARN_SHARE}"' in html
    assert f'data-warn-min="{show_clock.WARN_MIN_SECONDS}"' in html
    assert f'data-show-amber-share="{show_clock.SHOW_AMBER_SHARE}"' in html
    assert f'data-show-amber-min="{show_clock.SHOW_AMBER_MIN_SECONDS}"' in html
    assert 'data-phase="recording"' in html


# --- Actions without JavaScript ---------------------------------------------------------------


def test_start_then_each_action_as_a_plain_form(host_client, episode, show):
    response = host_client.post(action(episode, "start"))
    assert response.status_code == 302 and response["Location"] == live(episode)
    page = host_client.get(response["Location"])
    assert messages_of(page) == [("success", "Recording: the clock is running.")]
    recording = Recording.objects.get(episode=episode)
    assert recording.started_at and recording.ended_at is None
    assert states(episode)[:2] == [("Intro", "live"), ("Priya", "planned")]
    intro = f"segment-{show['intro'].pk}"

    def press(name: str, expect: str):
        response = host_client.post(action(episode, name), {"expect": expect})
        assert response.status_code == 302 and response["Location"] == live(episode)
        return response

    press("next", intro)
    assert states(episode)[:2] == [("Intro", "aired"), ("Priya", "live")]
    priya = f"entry-{Entry.objects.get(submission=show['priya']).pk}"
    press("skip", priya)
    assert entry_state(show["priya"]) == Airing.SKIPPED
    assert entry_state(show["marcus"]) == Airing.LIVE
    marcus = f"entry-{Entry.objects.get(submission=show['marcus']).pk}"
    press("back", marcus)
    assert (entry_state(show["priya"]), entry_state(show["marcus"])) == ("live", "planned")
    press("pause", priya)
    assert Recording.objects.get().paused_at is not None
    assert "Paused: the clock is stopped" in host_client.get(live(episode)).content.decode()
    press("resume", priya)
    assert Recording.objects.get().paused_at is None
    press("stop", priya)
    recording = Recording.objects.get()
    assert recording.ended_at is not None
    assert entry_state(show["priya"]) == Airing.AIRED
    assert entry_state(show["lee"]) == Airing.PLANNED
    page = host_client.get(live(episode))
    assert messages_of(page) == [("success", "Stopped: the recording is over.")]
    html = page.content.decode()
    assert "The recording is over." in html
    summary = reverse("dashboard:recording_summary", kwargs={"slug": episode.slug})
    assert f'href="{summary}"' in html
    assert "Record again" in html and 'name="again" value="1" required' in html


def test_record_again_needs_the_confirmation(host_client, host, episode, show):
    start(episode, host)
    services.recording_next(episode=episode)
    services.recording_stop(episode=episode)

    response = host_client.post(action(episode, "start"), follow=True)

    assert [level for level, _ in messages_of(response)] == ["error"]
    assert "recorded already" in messages_of(response)[0][1]
    assert Recording.objects.filter(episode=episode).count() == 1

    response = host_client.post(action(episode, "start"), {"again": "1"}, follow=True)

    assert messages_of(response) == [("success", "Recording again from the top.")]
    assert Recording.objects.filter(episode=episode).count() == 2
    assert states(episode)[:2] == [("Intro", "live"), ("Priya", "planned")]


def test_start_twice_is_refused_with_a_message(host_client, host, episode, show):
    start(episode, host)

    response = host_client.post(action(episode, "start"), follow=True)

    assert messages_of(response) == [("error", "The recording is already going on.")]
    assert Recording.objects.filter(episode=episode).count() == 1


def test_next_at_the_end_is_refused_with_a_message(host_client, host, episode, show):
    start(episode, host)
    for _ in range(4):  # Intro, Priya, Marcus, Lee: the last Next finishes Lee's
        services.recording_next(episode=episode)
    assert entry_state(show["lee"]) == Airing.AIRED
    html = host_client.get(live(episode)).content.decode()
    assert "Nothing is live: that was the last item." in html

    response = host_client.post(action(episode, "next"), {"expect": "none"}, follow=True)

    assert messages_of(response)[0][0] == "error"
    assert "last item on the run-sheet" in messages_of(response)[0][1]
    assert Recording.objects.get().ended_at is None


def test_a_stale_page_is_told_someone_moved_on_and_nothing_happens_twice(
    host_client, host, episode, show
):
    start(episode, host)
    intro = f"segment-{show['intro'].pk}"
    services.recording_next(episode=episode)  # another host's laptop

    response = host_client.post(action(episode, "next"), {"expect": intro}, follow=True)

    assert response.redirect_chain == [(live(episode), 302)]
    assert messages_of(response)[0][0] == "info"
    assert "Someone else moved the show on" in messages_of(response)[0][1]
    assert entry_state(show["priya"]) == Airing.LIVE  # not moved on a second time


def test_an_unknown_action_is_404_and_get_is_405(host_client, host, episode, show):
    start(episode, host)
    before = states(episode)

    assert host_client.post(action(episode, "rewind")).status_code == 404
    assert host_client.get(action(episode, "next")).status_code == 405
    assert host_client.get(action(episode, "start")).status_code == 405
    assert states(episode) == before


def test_another_episode_is_404(host_client, other_host, show, episode):
    theirs = EpisodeFactory(slug="not-yours", hosts=[other_host])
    services.runsheet_start(episode=theirs)

    assert host_client.get(live(theirs)).status_code == 404
    assert host_client.get(state_url(theirs)).status_code == 404
    assert host_client.post(action(theirs, "start")).status_code == 404
    assert not Recording.objects.filter(episode=theirs).exists()


# --- The script's side: JSON ---------------------------------------------------------------


def test_actions_posted_by_the_script_answer_with_the_state(host_client, episode, show):
    response = host_client.post(action(episode, "start"), **JSON)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    intro = f"segment-{show['intro'].pk}"
    assert (body["phase"], body["current"], body["recording_version"]) == ("recording", intro, 1)

    body = host_client.post(action(episode, "next"), {"expect": intro}, **JSON).json()
    priya = f"entry-{Entry.objects.get(submission=show['priya']).pk}"
    assert body["current"] == priya
    assert body["current_title"] == "Priya: Was the 2014 bet right?"
    assert body["recording_version"] == 2

    body = host_client.post(action(episode, "pause"), {"expect": priya}, **JSON).json()
    assert (body["phase"], body["paused"]) == ("paused", True)
    body = host_client.post(action(episode, "resume"), {"expect": priya}, **JSON).json()
    assert body["phase"] == "recording"
    body = host_client.post(action(episode, "stop"), {"expect": priya}, **JSON).json()
    assert (body["phase"], body["current"]) == ("ended", "none")


def test_a_refusal_for_the_script_is_400_with_its_message(host_client, host, episode, show):
    start(episode, host)

    response = host_client.post(action(episode, "start"), **JSON)

    assert response.status_code == 400
    assert response.json() == {"error": "The recording is already going on."}
    response = host_client.post(action(episode, "back"), **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "There is nothing before this to go back to."}


def test_a_stale_script_post_is_409_with_the_state(host_client, host, episode, show):
    start(episode, host)
    services.recording_next(episode=episode)

    response = host_client.post(
        action(episode, "skip"), {"expect": f"segment-{show['intro'].pk}"}, **JSON
    )

    assert response.status_code == 409
    body = response.json()
    assert body["moved_on"] is True and "Someone else moved the show on" in body["error"]
    assert body["current"] == f"entry-{Entry.objects.get(submission=show['priya']).pk}"
    assert entry_state(show["priya"]) == Airing.LIVE  # not skipped


def test_the_state_endpoint(host_client, host, episode, show):
    body = host_client.get(state_url(episode)).json()
    assert body["phase"] == "ready"
    assert (body["recording"], body["recording_version"], body["current"]) == (None, 0, "none")

    then = timezone.now() - dt.timedelta(seconds=30)
    recording = start(episode, host, now=then)
    response = host_client.get(state_url(episode))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert set(body) == {
        "phase", "recording", "recording_version", "sheet_version", "now", "clock", "paused",
        "current", "current_title", "current_elapsed", "current_planned", "current_level",
        "next", "next_title", "planned", "planned_after", "projected", "over", "target",
        "show_level",
    }  # fmt: skip
    assert body["recording"] == recording.pk
    assert body["phase"] == "recording" and body["paused"] is False
    assert body["clock"] == pytest.approx(30, abs=2)
    assert body["current"] == f"segment-{show['intro'].pk}"
    assert body["current_elapsed"] == pytest.approx(30, abs=2)
    assert body["current_planned"] == 60
    assert body["current_level"] == "ok"
    assert body["next"] == f"entry-{Entry.objects.get(submission=show['priya']).pk}"
    assert body["target"] == episode.target_minutes * 60
    assert body["planned_after"] == body["planned"] - 60
    assert body["projected"] == pytest.approx(body["planned"], abs=2)  # on time so far
    assert body["over"] == pytest.approx(body["projected"] - body["target"])
    assert body["sheet_version"] == RunSheet.objects.get(episode=episode).version


def test_the_state_changes_when_another_host_moves_on(host_client, host, episode, show):
    start(episode, host)
    before = host_client.get(state_url(episode)).json()

    services.recording_next(episode=episode)
    after = host_client.get(state_url(episode)).json()

    assert after["recording_version"] == before["recording_version"] + 1
    assert after["current"] != before["current"]


# --- Queries ----------------------------------------------------------------------------------


def _episode_with_entries(host, count: int):
    episode = EpisodeFactory(hosts=[host])
    services.runsheet_start(episode=episode)
    segment = services.segment_create(episode=episode, title="All", extra_seconds=30)
    for index in range(count):
        submission = SubmissionFactory(
            episode=episode, status="approved", name=f"Asker {index}", text="Why?"
        )
        services.entry_add(segment=segment, submission=submission)
    services.recording_start(episode=episode, by=host)
    services.recording_next(episode=episode)
    services.recording_skip(episode=episode)
    return episode


@pytest.mark.parametrize("name", ["recording_live", "recording_state"])
def test_the_page_and_the_state_take_the_same_queries_for_3_and_30_entries(
    host_client, host, name, django_assert_max_num_queries
):
    counts = []
    for count in (3, 30):
        episode = _episode_with_entries(host, count)
        url = reverse(f"dashboard:{name}", kwargs={"slug": episode.slug})
        with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as queries:
            response = host_client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
