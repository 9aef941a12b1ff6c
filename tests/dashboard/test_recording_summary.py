"""The page after the recording (dashboard/views/recording_after.py): before any recording,
while it goes on and once it ended; the trim form (durations as typed, refusals at the field)
and "send back to the pool"; outsiders; a query count that does not grow with the sheet.

The recording is the golden one of tests/runsheet/test_chapters.py: an intro, a pause, a
skipped question, a question past the hour, a segment never reached, 30 s cut from the start.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.forms import TrimForm
from episodes.formatting import clock
from intake.models import Submission, SubmissionEvent
from runsheet import services
from runsheet.models import Entry, Recording
from runsheet.selectors import runsheet_pool
from tests.dashboard.pages import messages_of
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory
from tests.runsheet.test_chapters import at, build_sheet, record

pytestmark = pytest.mark.django_db


def url(name: str, episode) -> str:
    return reverse(f"dashboard:{name}", kwargs={"slug": episode.slug})


@pytest.fixture
def sheet(host):
    return build_sheet(host=host)


@pytest.fixture
def recorded(sheet):
    episode, entries = sheet
    record(episode)
    return episode, entries


def chapter_times(host_client, episode) -> list[int]:
    response = host_client.get(
        reverse("dashboard:runsheet_export", kwargs={"slug": episode.slug, "fmt": "chapters"})
    )
    return [chapter["startTime"] for chapter in json.loads(response.content)["chapters"]]


# --- The page -------------------------------------------------------------------------------


def test_before_any_recording_the_page_says_so_and_points_to_the_live_page(sheet, host_client):
    episode, _ = sheet

    response = host_client.get(url("recording_summary", episode))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing recorded yet" in html
    assert f'href="{url("recording_live", episode)}"' in html
    assert "trim_seconds" not in html and "back to the pool" not in html
    assert "/export.chapters" not in html  # nothing to download yet


def test_before_the_runsheet_is_started_the_page_says_nothing_was_recorded(episode, host_client):
    response = host_client.get(url("recording_summary", episode))

    assert response.status_code == 200
    assert "Nothing recorded yet" in response.content.decode()


def test_after_the_recording_planned_meets_actual(recorded, host_client):
    episode, _ = recorded

    response = host_client.get(url("recording_summary", episode))

    assert response.status_code == 200
    html = response.content.decode()
    segments = {line.segment.segment.title: line for line in response.context["segments"]}
    assert list(segments) == [
        "Intro",
        "Scaling",
        "Self-play",
        "Data | *the* end",
        "Lightning round",
    ]
    intro = segments["Intro"]
    # The intro's own 60 s took 40; Sam took 90 (130 - 40).
    assert [(s.status, s.actual, s.air_time) for s in intro.steps] == [
        ("aired", 40.0, "00:00"),
        ("aired", 90.0, "00:10"),
    ]
    assert intro.steps[0].difference == "-0:20"
    assert intro.actual == 130.0
    scaling = segments["Scaling"]
    assert [s.status for s in scaling.steps] == ["aired", "skipped", "aired"]
    zoe = scaling.steps[0]
    assert zoe.actual == 110.0  # 130 -> 240 on the show's clock: the pause is left out
    assert zoe.difference == clock(110 - zoe.row.planned) and not zoe.over  # 2:05 planned
    dash = segments["Self-play"].steps[1]
    assert dash.actual == 3380.0  # 360 -> 3740: far over
    assert dash.difference == f"+{clock(3380 - dash.row.planned)}" and dash.over
    assert scaling.steps[1].actual is None and scaling.steps[1].difference == ""
    lightning = segments["Lightning round"]
    assert [s.status for s in lightning.steps] == ["unreached"] and lightning.actual is None
    # The figures: 3840 s of show (3900 minus the minute's pause), 3810 once cut.
    assert "1:04:00" in html and "1:03:30" in html
    assert "Not reached" in html and "Skipped" in html
    assert "Skip Me: Is this one skipped?" in html and "Late: Never reached?" in html
    assert "Send 2 back to the pool" in html
    assert "still approved and with their topic tags" in html
    for fmt in ("chapters", "shownotes"):
        assert (
            reverse("dashboard:runsheet_export", kwargs={"slug": episode.slug, "fmt": fmt}) in html
        )
    assert f'href="{url("air_notice_preview", episode)}"' in html
    assert 'value="0:30"' in html  # the trim as it is now
    assert response.context["chapters"][1][0] == "00:10"


def test_listener_text_is_escaped_on_the_page(host, host_client):
    episode, _ = build_sheet(host=host, slug="nasty", title="<script>x</script>")
    Submission.objects.filter(episode=episode, name="Ana").update(name="<b>Ana</b>")
    record(episode)

    html = host_client.get(url("recording_summary", episode)).content.decode()

    assert "<b>Ana</b>" not in html and "&lt;b&gt;Ana&lt;/b&gt;" in html
    assert "<script>x</script>" not in html


def test_while_recording_the_page_shows_the_show_so_far_and_no_return(sheet, host_client):
    episode, _ = sheet
    services.recording_start(episode=episode)

    response = host_client.get(url("recording_summary", episode))

    html = response.content.decode()
    assert "The recording is still going on" in html
    assert "back to the pool</button>" not in html
    assert "Once the recording has ended, you can send them back" not in html  # none skipped
    assert not response.context["can_return"]
    assert response.context["segments"][0].steps[0].status == "live"


def test_the_page_reads_in_the_same_number_of_queries_for_3_and_30_questions(
    host, host_client, django_assert_max_num_queries
):
    counts = []
    for size in (3, 30):
        episode = EpisodeFactory(slug=f"size-{size}", hosts=[host])
        topic = TopicFactory(episode=episode)
        services.runsheet_start(episode=episode)
        segment = episode.segments.get()
        for index in range(size):
            submission = SubmissionFactory(
                episode=episode, status=Submission.Status.APPROVED, name=f"N{index}"
            )
            submission.topics.set([topic])
            services.entry_add(segment=segment, submission=submission)
        services.recording_start(episode=episode, now=at(0))
        for step in range(size // 2):
            services.recording_next(episode=episode, now=at(10 * (step + 1)))
        services.recording_skip(episode=episode, now=at(1000))
        services.recording_stop(episode=episode, now=at(1010))
        with CaptureQueriesContext(connection) as queries:
            response = host_client.get(url("recording_summary", episode))
        assert response.status_code == 200
        assert len(response.context["view"].steps) == size
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(12):
        host_client.get(url("recording_summary", episode))


# --- The trim -----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["90", "1:30", "1m30s", "1m 30s"])
def test_the_trim_form_reads_durations_as_people_type_them(typed):
    form = TrimForm({"trim_seconds": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["trim_seconds"] == 90


def test_an_empty_trim_is_nothing_cut():
    form = TrimForm({"trim_seconds": ""})
    assert form.is_valid() and form.cleaned_data["trim_seconds"] == 0


def test_saving_the_trim_moves_the_chapters(recorded, host_client):
    episode, _ = recorded
    before = chapter_times(host_client, episode)

    response = host_client.post(url("recording_trim", episode), {"trim_seconds": "1:30"})

    assert response.status_code == 302
    assert response["Location"] == url("recording_summary", episode) + "#trim"
    assert Recording.objects.get().trim_seconds == 90
    after = chapter_times(host_client, episode)
    assert after == [max(0, start - 60) for start in before]  # 30 s cut before, 90 now
    page = host_client.get(response["Location"])
    assert messages_of(page) == [
        (
            "success",
            "Saved: 1:30 cut from the start. The chapters and show notes start 1:30 earlier.",
        )
    ]
    assert 'value="1:30"' in page.content.decode()


def test_a_trim_of_nothing_is_saved_too(recorded, host_client):
    episode, _ = recorded

    response = host_client.post(url("recording_trim", episode), {"trim_seconds": "0"}, follow=True)

    assert Recording.objects.get().trim_seconds == 0
    assert messages_of(response)[0][0] == "success"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("soon", "is not a duration we can read"), ("7h", "between 0 and 6 hours")],
)
def test_a_trim_that_cannot_be_saved_is_shown_at_the_field(recorded, host_client, typed, message):
    episode, _ = recorded

    response = host_client.post(url("recording_trim", episode), {"trim_seconds": typed})

    assert response.status_code == 200
    assert Recording.objects.get().trim_seconds == 30
    errors = response.context["trim_form"].errors["trim_seconds"]
    assert any(message in error for error in errors), errors
    assert message in response.content.decode().replace("&quot;", '"')


def test_no_trim_before_any_recording(sheet, host_client):
    episode, _ = sheet

    response = host_client.post(url("recording_trim", episode), {"trim_seconds": "30"}, follow=True)

    assert messages_of(response) == [
        ("error", "Nothing has been recorded yet, so there is nothing to trim.")
    ]
    assert not Recording.objects.exists()


# --- Back to the pool ---------------------------------------------------------------------------


def test_unaired_questions_go_back_to_the_pool_still_approved(recorded, host, host_client):
    episode, entries = recorded
    unaired = [entries["skipped"].submission_id, entries["unreached"].submission_id]

    response = host_client.post(url("recording_return", episode), follow=True)

    assert messages_of(response) == [
        (
            "success",
            "Sent 2 questions back to the pool, still approved and tagged, ready for a future "
            "run-sheet.",
        )
    ]
    assert not Entry.objects.filter(submission_id__in=unaired).exists()
    assert Entry.objects.filter(segment__episode=episode).count() == 5  # the aired ones stay
    assert set(Submission.objects.filter(pk__in=unaired).values_list("status", flat=True)) == {
        Submission.Status.APPROVED
    }
    pooled = {s.pk for group in runsheet_pool(episode=episode) for s in group.submissions}
    assert set(unaired) <= pooled
    events = SubmissionEvent.objects.filter(action=SubmissionEvent.Action.RETURNED)
    assert set(events.values_list("submission_id", flat=True)) == set(unaired)
    assert set(events.values_list("actor", flat=True)) == {host.pk}
    assert "What did not air" in response.content.decode()
    assert "back to the pool</button>" not in response.content.decode()

    again = host_client.post(url("recording_return", episode), follow=True)
    assert messages_of(again) == [
        ("info", "Every question on the run-sheet aired: none to send back.")
    ]


def test_nothing_goes_back_while_the_recording_goes_on(sheet, host_client):
    episode, _ = sheet
    services.recording_start(episode=episode)
    services.recording_skip(episode=episode)
    count = Entry.objects.count()

    response = host_client.post(url("recording_return", episode), follow=True)

    assert messages_of(response) == [
        ("error", "Questions go back to the pool after the recording has ended.")
    ]
    assert Entry.objects.count() == count


def test_tags_stay_on_a_returned_question(host, host_client):
    episode, entries = build_sheet(host=host)
    topic = TopicFactory(episode=episode, title="Kept")
    submission = Submission.objects.get(pk=entries["unreached"].submission_id)
    submission.topics.set([topic])
    record(episode)

    host_client.post(url("recording_return", episode))

    assert list(submission.topics.values_list("title", flat=True)) == ["Kept"]


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [("recording_summary", "get"), ("recording_trim", "post"), ("recording_return", "post")],
)
def test_another_host_sees_and_changes_nothing(recorded, other_host_client, name, method):
    episode, _ = recorded
    count = Entry.objects.count()

    response = getattr(other_host_client, method)(url(name, episode), {"trim_seconds": "0"})

    assert response.status_code == 404
    assert Recording.objects.get().trim_seconds == 30
    assert Entry.objects.count() == count


@pytest.mark.parametrize("name", ["recording_trim", "recording_return"])
def test_changes_are_post_only(recorded, host_client, name):
    episode, _ = recorded
    assert host_client.get(url(name, episode)).status_code == 405
