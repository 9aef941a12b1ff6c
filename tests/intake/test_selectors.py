"""Dashboard reads: the host's episodes with counts, and the moderation list without N+1."""

import pytest
from django.urls import reverse

from intake import selectors
from intake.models import Submission
from tests.factories import (
    EpisodeFactory,
    SubmissionFactory,
    TopicFactory,
    UserFactory,
    submissions_with_everything,
)

S = Submission.Status
TS = Submission.TranscriptionState


def test_episode_list_for_host_has_only_their_episodes_with_counts(host, episode):
    mine_too = EpisodeFactory(hosts=[host, UserFactory()])
    EpisodeFactory(hosts=[UserFactory()])  # someone else's
    TopicFactory.create_batch(3, episode=episode)
    SubmissionFactory.create_batch(2, episode=episode)
    SubmissionFactory(episode=episode, status=S.APPROVED, transcription_state=TS.DONE)
    SubmissionFactory(episode=episode, status=S.APPROVED, transcription_state=TS.FAILED)
    SubmissionFactory(episode=episode, transcription_state=TS.PENDING)
    SubmissionFactory(episode=episode, status=S.DECLINED, transcription_state=TS.RUNNING)

    episodes = {e.pk: e for e in selectors.episode_list_for_host(user=host)}

    assert set(episodes) == {episode.pk, mine_too.pk}
    counts = episodes[episode.pk]
    assert (counts.submission_count, counts.new_count, counts.approved_count) == (6, 3, 2)
    assert (counts.waiting_count, counts.transcribing_count) == (1, 1)
    assert (counts.failed_count, counts.topic_count) == (1, 3)
    empty = episodes[mine_too.pk]
    assert (empty.submission_count, empty.new_count, empty.topic_count) == (0, 0, 0)


def test_episode_get_for_host_refuses_other_users(host, other_host, episode):
    from django.contrib.auth.models import AnonymousUser

    assert selectors.episode_get_for_host(user=host, slug=episode.slug) == episode
    assert selectors.episode_get_for_host(user=other_host, slug=episode.slug) is None
    assert selectors.episode_get_for_host(user=AnonymousUser(), slug=episode.slug) is None


@pytest.mark.parametrize("count", [1, 12])
def test_list_selector_uses_three_queries_whatever_the_size(
    episode, django_assert_num_queries, count
):
    submissions_with_everything(episode, count)

    with django_assert_num_queries(3):  # rows (+ suggested topic, primary), topics, merged
        rows = list(selectors.submission_list_for_host(episode=episode))
        for row in rows:
            _ = (row.suggested_topic, row.merged_into, list(row.topics.all()))
            _ = list(row.merged.all())

    assert len(rows) == count * 2


@pytest.mark.parametrize("count", [1, 20])
def test_list_page_query_count_does_not_grow_with_rows(
    host_client, episode, django_assert_max_num_queries, count
):
    submissions_with_everything(episode, count)
    list_url = reverse("dashboard:submission_list", kwargs={"slug": episode.slug})

    # session, user, the host's time zone, episode, filter topics, status counts, page count,
    # the page's ids (from the index: dashboard/paging.py), rows, topics, merged
    with django_assert_max_num_queries(11):
        response = host_client.get(list_url + "?q=pre")

    assert len(response.context["page"]) == count * 2


def test_neighbours_follow_the_list_order(episode):
    oldest, middle, newest = (SubmissionFactory(episode=episode) for _ in range(3))
    SubmissionFactory()  # another episode's never counts

    assert selectors.submission_neighbours(submission=middle) == (newest.pk, oldest.pk)
    assert selectors.submission_neighbours(submission=newest) == (None, middle.pk)
    assert selectors.submission_neighbours(submission=oldest) == (middle.pk, None)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("pretraining", {"Zoë"}),
        ("PRE-TRAINING", {"Zoë"}),
        ("zoe", {"Zoë"}),
        ("Zoë pre‑training", {"Zoë"}),  # a non-breaking hyphen
        ("agents", {"Tom"}),
        ("pretraining agents", set()),
    ],
)
def test_search_ignores_case_accents_and_hyphens(episode, query, found):
    SubmissionFactory(episode=episode, name="Zoë", text="What comes after Pre-training?")
    voice = SubmissionFactory(episode=episode, name="Tom", text="")
    voice.transcript = "Will AGENTS be next?"
    voice.save(update_fields=["transcript"])  # a partial save refolds the search text too

    rows = selectors.submission_list_for_host(episode=episode, query=query)

    assert {s.name for s in rows} == found
