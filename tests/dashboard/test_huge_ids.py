"""Ids too large for the database (issue 12, finding 10), wherever a host page reads one: a form
field, a query string, a path. Each is a clear form error, an ignored filter or a 404, never a
500 (SQLite raises OverflowError on integers beyond 64 bits)."""

import json

import pytest
from django.urls import reverse

from intake.models import Submission
from runsheet import services as runsheet_services
from runsheet.models import Entry, RunSheet, Segment
from tests.dashboard.pages import messages_of
from tests.factories import SubmissionFactory, TopicFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
# Just past the largest 64-bit integer, and the largest itself (fits, but names no row).
TOO_BIG = str(2**63)
BIGGEST = str(2**63 - 1)


@pytest.fixture
def topic(episode):
    return TopicFactory(episode=episode, title="Scaling", position=0)


@pytest.fixture
def submission(episode, topic):
    return SubmissionFactory(episode=episode, name="Priya", status=Submission.Status.APPROVED)


@pytest.fixture
def sheet(episode, topic, submission):
    runsheet_services.runsheet_start(episode=episode)
    segment = Segment.objects.get(episode=episode)
    entry = runsheet_services.entry_add(segment=segment, submission=submission)
    return segment, entry


def page(name: str, **kwargs) -> str:
    return reverse(f"dashboard:{name}", kwargs=kwargs)


@pytest.mark.parametrize("value", [HUGE, TOO_BIG, "-" + HUGE])
def test_tagging_with_a_huge_topic_id_is_a_form_error(host_client, episode, submission, value):
    url = page("submission_tag", slug=episode.slug, pk=submission.pk)
    response = host_client.post(url, {"topics": [value]}, follow=True)
    assert response.status_code == 200
    assert messages_of(response) == [("error", "Pick topics of this episode only.")]
    assert not submission.topics.exists()


@pytest.mark.parametrize("field", ["ids", "topic"])
@pytest.mark.parametrize("value", [HUGE, TOO_BIG])
def test_bulk_actions_with_huge_ids_change_nothing(host_client, episode, submission, field, value):
    data = {"action": "tag", "ids": [str(submission.pk)], "topic": "", field: value}
    response = host_client.post(page("submission_bulk", slug=episode.slug), data, follow=True)
    assert response.status_code == 200
    assert messages_of(response)[0][0] == "error"
    assert not submission.topics.exists()


def test_a_huge_id_among_the_ticked_ones_is_reported_and_the_others_done(
    host_client, episode, submission
):
    fresh = SubmissionFactory(episode=episode, name="Kai")
    data = {"action": "decline", "ids": [str(fresh.pk), HUGE, TOO_BIG]}
    response = host_client.post(page("submission_bulk", slug=episode.slug), data, follow=True)
    assert response.status_code == 200
    [(level, text)] = messages_of(response)
    assert level == "warning"
    assert text.startswith("Declined 1 submission. Not changed (2):")
    assert f"#{HUGE}: no such submission in this episode." in text
    assert Submission.objects.get(pk=fresh.pk).status == Submission.Status.DECLINED


@pytest.mark.parametrize(
    "query",
    [
        f"topic={HUGE}",
        f"page={HUGE}",
        f"page=-{HUGE}",
        "page=1e999",
        f"status=approved&topic={TOO_BIG}",
    ],
)
def test_the_inbox_ignores_a_huge_filter_or_page(host_client, episode, submission, query):
    response = host_client.get(page("submission_list", slug=episode.slug) + "?" + query)
    assert response.status_code == 200
    assert b"Priya" in response.content


def test_the_merge_search_ignores_a_huge_exclude(host_client, episode, submission):
    url = page("submission_search", slug=episode.slug) + f"?q=Priya&exclude={HUGE}"
    assert host_client.get(url).status_code == 200


@pytest.mark.parametrize("typed", [f"#{HUGE}", TOO_BIG, BIGGEST])
def test_merging_into_a_huge_number_is_a_form_error(host_client, episode, submission, typed):
    url = page("submission_merge", slug=episode.slug, pk=submission.pk)
    response = host_client.post(url, {"primary": typed}, follow=True)
    assert response.status_code == 200
    assert not Submission.objects.get(pk=submission.pk).is_merged


@pytest.mark.parametrize(
    "name",
    ["submission_detail", "submission_audio", "submission_state", "topic_update"],
)
@pytest.mark.parametrize("pk", [HUGE, TOO_BIG])
def test_a_huge_id_in_a_path_is_a_404(host_client, episode, name, pk):
    url = page(name, slug=episode.slug, pk=1).replace("/1/", f"/{pk}/")
    assert host_client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["entry_update", "entry_move", "segment_update", "segment_move"])
def test_a_huge_run_sheet_id_in_a_path_is_a_404(host_client, episode, sheet, name):
    url = page(name, slug=episode.slug, pk=1).replace("/1/", f"/{HUGE}/")
    assert host_client.post(url, {"direction": "up"}).status_code == 404


@pytest.mark.parametrize("field", ["submission", "segment"])
def test_adding_to_the_run_sheet_with_huge_ids_is_a_form_error(host_client, episode, sheet, field):
    segment, entry = sheet
    other = SubmissionFactory(episode=episode, status=Submission.Status.APPROVED)
    data = {"submission": str(other.pk), "segment": str(segment.pk), field: HUGE}
    response = host_client.post(page("entry_add", slug=episode.slug), data, follow=True)
    assert response.status_code == 200
    assert not Entry.objects.filter(submission=other).exists()


def test_moving_an_entry_to_a_huge_segment_id_is_a_form_error(host_client, episode, sheet):
    segment, entry = sheet
    url = page("entry_move", slug=episode.slug, pk=entry.pk)
    response = host_client.post(url, {"segment": HUGE}, follow=True)
    assert response.status_code == 200
    assert Entry.objects.get(pk=entry.pk).segment == segment


@pytest.mark.parametrize("where", ["segment", "entry"])
def test_reordering_with_huge_ids_is_refused(host_client, episode, sheet, where):
    segment, entry = sheet
    huge = int(HUGE)
    segments = [
        {
            "id": huge if where == "segment" else segment.pk,
            "entries": [huge if where == "entry" else entry.pk],
        }
    ]
    version = RunSheet.objects.get(episode=episode).version
    response = host_client.post(
        page("runsheet_reorder", slug=episode.slug),
        json.dumps({"version": version, "segments": segments}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Entry.objects.get(pk=entry.pk).segment == segment
