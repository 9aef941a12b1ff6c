"""Everything the sentence model works out about submissions, done in the worker.

No web request loads or runs the model: a page reads what these stored.

- One job per submission (`submission_analyse`, queued by `submission_analyse_later`) when its
  words arrive or change: its suggested topic, its vector and its similar questions.
- One job per episode at a time (`episode_rank`, queued by `episode_rank_later`) when its
  topics change: every suggested topic again. The episode is marked
  (`Episode.suggestions_stale_since`) until the job has seen the latest change, and the pages
  say "Re-ranking suggested topics..." meanwhile.
"""

import datetime as dt
import logging

from django.utils import timezone

from episodes.models import Episode
from intake import queue
from intake.models import Submission
from intake.services.similarity import submission_embed
from intake.services.suggestions import episode_suggest_topics, submission_suggest_topic

logger = logging.getLogger(__name__)

# An episode still marked stale this long after its last change, with no job queued or
# running for it, is queued again by the worker's sweep (Redis lost the job, or was down).
RANK_SWEEP_AFTER = dt.timedelta(minutes=5)


def submission_analyse(*, submission_id: int, force: bool = False) -> str:
    """Suggested topic, vector and similar questions of one submission (in the worker).

    `force` recomputes its similar questions even when its words are unchanged.
    """
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        return "gone"
    embedded = submission_embed(submission=submission, force=force)
    topic = submission_suggest_topic(submission=submission)
    return f"{'embedded' if embedded else 'vector unchanged'}; topic: {topic or 'none'}"


def submission_analyse_later(*, submission: Submission, force: bool = False) -> None:
    """Queue submission_analyse once the surrounding transaction commits.

    If Redis is down the submission keeps its old suggestion and similar questions until its
    words or the episode's topics change again.
    """
    queue.enqueue_on_commit(
        queue.ANALYSE_TASK,
        submission.pk,
        force=force,
        result_ttl=600,
        failure_ttl=24 * 3600,
        description=f"Topic and similar questions of submission {submission.pk}",
    )


def episode_rank_later(*, episode: Episode) -> None:
    """Mark the episode's suggestions stale and make sure a re-ranking job runs after this."""
    now = timezone.now()
    Episode.objects.filter(pk=episode.pk).update(suggestions_stale_since=now)
    episode.suggestions_stale_since = now
    queue.rank_request_on_commit(episode_id=episode.pk)


def episode_rank(*, episode_id: int) -> int:
    """Re-rank every suggested topic of the episode until no change is left; returns runs.

    Clears the stale mark only when no newer change arrived during a run; a change during a
    run (or a mark the job cannot clear) makes it run once more, so the last change wins.
    """
    queue.rank_started(episode_id=episode_id)
    runs = 0
    try:
        while True:
            episode = Episode.objects.filter(pk=episode_id).first()
            if episode is None:
                queue.rank_ended(episode_id=episode_id)
                return runs
            stale_since = episode.suggestions_stale_since
            episode_suggest_topics(episode=episode)
            runs += 1
            cleared = (
                stale_since is None
                or Episode.objects.filter(
                    pk=episode_id, suggestions_stale_since=stale_since
                ).update(suggestions_stale_since=None)
                == 1
            )
            if not cleared:
                # Marked again meanwhile: the next run reads that change, so a request that
                # came with it is covered (the state goes back from "again" to "running").
                queue.rank_started(episode_id=episode_id)
                continue
            if not queue.rank_ended(episode_id=episode_id):
                return runs
    except BaseException:
        queue.rank_abandon(episode_id=episode_id)
        raise


def suggestions_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Queue re-ranking for episodes left stale without a job; returns their ids."""
    cutoff = (now or timezone.now()) - RANK_SWEEP_AFTER
    stale = Episode.objects.filter(suggestions_stale_since__lte=cutoff).values_list("pk", flat=True)
    queued = [pk for pk in stale if queue.rank_request(episode_id=pk)]
    if queued:
        logger.info("Sweeper queued re-ranking of suggested topics for episodes %s", queued)
    return queued
