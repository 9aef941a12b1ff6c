"""Re-ranking an episode's suggested topics after its topics change: one deduplicated job per
episode in the worker (intake.tasks.episode_rank), never in the host's request; the episode is
marked stale until the job has seen the latest change."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from episodes.models import Episode
from episodes.services import topic_update
from intake import queue, services
from intake.models import Submission
from intake.services import analysis
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory

DOTA = "How did the Dota 2 bots get so good at the five versus five game?"


@pytest.fixture
def three(episode):
    return [
        TopicFactory(episode=episode, title=title, summary="", position=index)
        for index, title in enumerate(["Scaling", "Self-play", "Data"])
    ]


@pytest.fixture
def question(episode, three):
    return SubmissionFactory(episode=episode, text=DOTA)


def stale(episode) -> dt.datetime | None:
    return Episode.objects.get(pk=episode.pk).suggestions_stale_since


def rank_jobs(rq_queue) -> list:
    return [job for job in rq_queue.jobs if job.func_name == queue.RANK_TASK]


def test_a_topic_edit_marks_the_episode_and_queues_one_job_not_a_ranking(
    episode, three, question, transcription_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        topic_update(topic=three[2], title="Dota 2", summary="The Dota 2 five versus five bots.")

    question.refresh_from_db()
    assert question.suggested_topic is None  # nothing ranked in the request
    assert stale(episode) is not None
    [job] = rank_jobs(transcription_queue)
    assert job.id == f"rank-episode-{episode.pk}"
    assert queue.rank_state(episode_id=episode.pk) == "queued"


def test_a_second_change_while_one_is_queued_does_not_queue_twice(
    episode, three, transcription_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        topic_update(topic=three[0], title="Scaling laws", summary="")
    first_mark = stale(episode)
    with django_capture_on_commit_callbacks(execute=True):
        topic_update(topic=three[1], title="Self-play agents", summary="")
        topic_update(topic=three[2], title="Data walls", summary="")

    assert len(rank_jobs(transcription_queue)) == 1
    assert stale(episode) > first_mark  # the last change is the one the job must see


def test_the_job_ranks_and_clears_the_mark(
    episode, three, question, run_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        topic_update(topic=three[2], title="Dota 2", summary="The Dota 2 five versus five bots.")

    run_worker()

    question.refresh_from_db()
    assert question.suggested_topic == three[2]
    assert stale(episode) is None
    assert queue.rank_state(episode_id=episode.pk) is None


def test_a_change_during_a_run_leads_to_another_run(
    episode, three, question, transcription_queue, run_worker, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    real = analysis.episode_suggest_topics
    runs = []

    def ranking_while_a_host_edits(*, episode):
        runs.append(Episode.objects.get(pk=episode.pk).topics.get(pk=three[2].pk).title)
        done = real(episode=episode)
        if len(runs) == 1:
            # A host renames a topic while the first run is writing its ranks.
            with django_capture_on_commit_callbacks(execute=True):
                topic_update(
                    topic=three[2], title="Dota 2", summary="The Dota 2 five versus five bots."
                )
        return done

    monkeypatch.setattr(analysis, "episode_suggest_topics", ranking_while_a_host_edits)
    with django_capture_on_commit_callbacks(execute=True):
        services.episode_rank_later(episode=episode)

    run_worker()

    assert runs == ["Data", "Dota 2"]  # the second run saw the change
    question.refresh_from_db()
    assert question.suggested_topic == three[2]  # the last change won
    assert stale(episode) is None
    assert rank_jobs(transcription_queue) == []  # no job left behind
    assert queue.rank_state(episode_id=episode.pk) is None


def test_a_mark_newer_than_the_run_is_never_cleared_by_it(episode, three, monkeypatch):
    """Even without Redis saying so: the job compares the mark it started from."""
    real = analysis.episode_suggest_topics
    runs = []

    def marked_again_meanwhile(*, episode):
        runs.append(1)
        if len(runs) == 1:
            Episode.objects.filter(pk=episode.pk).update(
                suggestions_stale_since=timezone.now() + dt.timedelta(seconds=1)
            )
        return real(episode=episode)

    monkeypatch.setattr(analysis, "episode_suggest_topics", marked_again_meanwhile)
    Episode.objects.filter(pk=episode.pk).update(suggestions_stale_since=timezone.now())

    assert services.episode_rank(episode_id=episode.pk) == 2
    assert stale(episode) is None


def test_the_queue_state_of_an_episode(transcription_queue, db):
    episode = EpisodeFactory()
    pk = episode.pk
    assert queue.rank_request(episode_id=pk) is True
    assert queue.rank_request(episode_id=pk) is False  # queued: that job will see it
    assert len(transcription_queue.jobs) == 1
    queue.rank_started(episode_id=pk)
    assert queue.rank_state(episode_id=pk) == "running"
    assert queue.rank_request(episode_id=pk) is False  # running: it runs once more instead
    assert queue.rank_state(episode_id=pk) == "again"
    assert queue.rank_ended(episode_id=pk) is True
    assert queue.rank_state(episode_id=pk) == "running"
    assert queue.rank_ended(episode_id=pk) is False
    assert queue.rank_state(episode_id=pk) is None
    assert queue.rank_request(episode_id=pk) is True  # idle again: a fresh job


def test_a_failed_run_does_not_block_the_next_request(
    episode, three, transcription_queue, run_worker, monkeypatch
):
    def broken(*, episode):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(analysis, "episode_suggest_topics", broken)
    queue.rank_request(episode_id=episode.pk)
    run_worker()

    assert queue.rank_state(episode_id=episode.pk) is None
    assert queue.rank_request(episode_id=episode.pk) is True


def test_the_sweep_queues_episodes_left_stale_without_a_job(episode, transcription_queue):
    long_ago = timezone.now() - analysis.RANK_SWEEP_AFTER - dt.timedelta(seconds=1)
    Episode.objects.filter(pk=episode.pk).update(suggestions_stale_since=long_ago)
    just_now = EpisodeFactory()
    Episode.objects.filter(pk=just_now.pk).update(suggestions_stale_since=timezone.now())

    assert services.suggestions_sweep() == [episode.pk]
    assert services.suggestions_sweep() == []  # queued now: not twice
    assert len(rank_jobs(transcription_queue)) == 1


def test_ranking_again_writes_only_what_changed(episode, three, question):
    services.episode_suggest_topics(episode=episode)
    SubmissionFactory.create_batch(3, episode=episode, text="Is bigger always better?")

    with CaptureQueriesContext(connection) as first:
        services.episode_suggest_topics(episode=episode)
    with CaptureQueriesContext(connection) as second:
        services.episode_suggest_topics(episode=episode)

    def updates(captured) -> int:
        return sum(q["sql"].startswith("UPDATE") for q in captured.captured_queries)

    assert updates(first) == 1  # the three new ones, in one batch
    assert updates(second) == 0  # nothing changed, nothing written
    question.refresh_from_db()
    assert Submission.objects.filter(episode=episode, suggested_topic__isnull=False).exists()


def test_writes_go_in_modest_batches(episode, three, monkeypatch):
    monkeypatch.setattr("intake.services.suggestions.WRITE_BATCH", 2)
    SubmissionFactory.create_batch(5, episode=episode, text="Is bigger always better?")

    with CaptureQueriesContext(connection) as captured:
        services.episode_suggest_topics(episode=episode)

    assert sum(q["sql"].startswith("UPDATE") for q in captured.captured_queries) == 3
