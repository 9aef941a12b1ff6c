"""Folding a duplicate into its primary: nothing deleted, every asker kept."""

import pytest
from django.core.exceptions import ValidationError

from intake.models import Submission
from intake.selectors import submission_askers
from intake.services import submission_approve, submission_merge
from tests.factories import SubmissionFactory, TopicFactory

MERGED = Submission.Status.MERGED


@pytest.fixture
def primary(episode):
    return SubmissionFactory(episode=episode, name="Ana", text="What comes after pre-training?")


@pytest.fixture
def duplicate(episode):
    return SubmissionFactory(episode=episode, name="", text="What's next after pre-training?")


def test_merge_folds_the_duplicate_into_the_primary(episode, primary, duplicate):
    agents = TopicFactory(episode=episode, title="Agents")
    data = TopicFactory(episode=episode, title="Data")
    primary.topics.add(data)
    duplicate.topics.add(agents, data)

    returned = submission_merge(duplicate=duplicate, primary=primary)

    assert returned == primary
    duplicate.refresh_from_db()
    assert duplicate.status == MERGED
    assert duplicate.merged_into == primary
    assert duplicate.text == "What's next after pre-training?"  # kept, visible, never deleted
    assert Submission.objects.filter(episode=episode).count() == 2
    assert set(primary.topics.all()) == {agents, data}
    assert primary.status == Submission.Status.NEW
    assert submission_askers(submission=primary) == ["Ana", "Anonymous"]


def test_merging_into_a_primary_that_already_has_duplicates(episode, primary, duplicate):
    third = SubmissionFactory(episode=episode, name="Chen", text="What after pre-training?")
    submission_merge(duplicate=duplicate, primary=primary)
    submission_merge(duplicate=third, primary=primary)
    assert submission_askers(submission=primary) == ["Ana", "Anonymous", "Chen"]
    assert set(primary.merged.all()) == {duplicate, third}


def test_what_was_merged_into_the_duplicate_moves_to_the_primary(episode, primary, duplicate):
    earlier = SubmissionFactory(episode=episode, name="Bo", text="After pre-training, what?")
    submission_merge(duplicate=earlier, primary=duplicate)
    submission_merge(duplicate=duplicate, primary=primary)
    earlier.refresh_from_db()
    assert earlier.merged_into == primary
    assert earlier.status == MERGED
    assert submission_askers(submission=primary) == ["Ana", "Anonymous", "Bo"]
    assert submission_askers(submission=duplicate) == ["Anonymous"]


def test_merge_refuses_what_makes_no_sense(episode, primary, duplicate):
    with pytest.raises(ValidationError, match="into itself"):
        submission_merge(duplicate=primary, primary=primary)
    elsewhere = SubmissionFactory(text="What comes after pre-training?")
    with pytest.raises(ValidationError, match="same episode"):
        submission_merge(duplicate=elsewhere, primary=primary)
    submission_merge(duplicate=duplicate, primary=primary)
    with pytest.raises(ValidationError, match="already merged"):
        submission_merge(duplicate=duplicate, primary=primary)
    other = SubmissionFactory(episode=episode, text="Another one")
    with pytest.raises(ValidationError, match="itself merged"):
        submission_merge(duplicate=other, primary=duplicate)
    other.refresh_from_db()
    assert other.status == Submission.Status.NEW and other.merged_into is None


def test_merge_decides_on_the_stored_state_not_a_stale_copy(episode, primary, duplicate):
    stale = Submission.objects.get(pk=duplicate.pk)
    submission_merge(duplicate=duplicate, primary=primary)
    third = SubmissionFactory(episode=episode, text="Third")
    # A second host's page still shows the duplicate as new.
    assert stale.status == Submission.Status.NEW
    with pytest.raises(ValidationError, match="itself merged"):
        submission_merge(duplicate=third, primary=stale)


def test_a_merged_submission_cannot_be_approved(episode, primary, duplicate):
    submission_merge(duplicate=duplicate, primary=primary)
    with pytest.raises(ValidationError):
        submission_approve(submission=duplicate)
    # Declined or approved submissions can still be folded into another.
    declined = SubmissionFactory(episode=episode, status=Submission.Status.DECLINED)
    submission_merge(duplicate=declined, primary=primary)
    declined.refresh_from_db()
    assert declined.status == MERGED


def test_askers_of_a_submission_nobody_merged_into(primary):
    assert submission_askers(submission=primary) == ["Ana"]
