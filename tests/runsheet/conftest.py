"""A recap episode with three topics and approved questions, for run-sheet tests."""

import pytest

from intake.models import Submission
from tests.factories import SubmissionFactory, TopicFactory


@pytest.fixture
def topics(episode):
    return [
        TopicFactory(episode=episode, title="Scaling", position=0),
        TopicFactory(episode=episode, title="Self-play", position=1),
        TopicFactory(episode=episode, title="Data", position=2),
    ]


def approved(episode, *, tags=(), **fields) -> Submission:
    """An approved submission of `episode`, tagged with `tags`."""
    submission = SubmissionFactory(episode=episode, status=Submission.Status.APPROVED, **fields)
    submission.topics.set(tags)
    return submission
