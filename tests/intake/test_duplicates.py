"""Similar questions of an episode: the merge candidates a host sees.

The worker stores them (intake.services.analysis); the page reads them (submission_similar).
"""

import pytest
from django.conf import settings

from intake.models import Submission
from intake.selectors import submission_similar
from intake.services import submission_analyse
from tests.factories import SubmissionFactory


def analyse(*submissions: Submission) -> None:
    """What the worker does as each one arrives (or its words change)."""
    for submission in submissions:
        submission_analyse(submission_id=submission.pk)


@pytest.fixture
def gpus(episode):
    return SubmissionFactory(
        episode=episode, name="Ana", text="Is a 5000 GPU cluster still considered big today?"
    )


def test_similar_lists_other_unmerged_submissions_of_the_episode_best_first(episode, gpus):
    close = SubmissionFactory(
        episode=episode, text="Would 5,000 GPUs even count as a large cluster nowadays?"
    )
    closer = SubmissionFactory(
        episode=episode, text="Is a cluster of 5000 GPUs still considered big today?"
    )
    unrelated = SubmissionFactory(episode=episode, text="Is o1 overhyped?")
    merged = SubmissionFactory(
        episode=episode,
        text="Is a 5000 GPU cluster still considered big today?",
        status=Submission.Status.MERGED,
        merged_into=close,
    )
    elsewhere = SubmissionFactory(text="Is a 5000 GPU cluster still considered big today?")
    analyse(gpus, close, closer, unrelated, merged, elsewhere)
    similar = submission_similar(submission=gpus)
    assert [other for other, _ in similar] == [closer, close]
    assert similar[0][1] >= similar[1][1] >= settings.DUPLICATE_THRESHOLD
    assert all(score <= 1 for _, score in similar)
    assert merged not in [other for other, _ in similar]
    assert submission_similar(submission=gpus, limit=1) == similar[:1]


def test_similar_reads_the_hosts_correction_of_a_transcript(episode, gpus):
    voice = SubmissionFactory(
        episode=episode,
        text="",
        transcript="is a five thousand jeep you cluster still big",
        transcript_edited="Is a 5000 GPU cluster still big today?",
    )
    waiting = SubmissionFactory(episode=episode, text="")  # transcript not there yet
    analyse(gpus, voice, waiting)
    assert [other for other, _ in submission_similar(submission=gpus)] == [voice]
    assert submission_similar(submission=waiting) == []
