"""Moderation services: status transitions (and refusals), transcript corrections, tagging."""

import pytest
from django.core.exceptions import ValidationError

from intake import services
from intake.models import Submission
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory

S = Submission.Status

ACTIONS = {
    S.APPROVED: services.submission_approve,
    S.DECLINED: services.submission_decline,
    S.NEW: services.submission_reopen,
}
ALLOWED = [
    (S.NEW, S.APPROVED),
    (S.NEW, S.DECLINED),
    (S.APPROVED, S.DECLINED),
    (S.DECLINED, S.APPROVED),
    (S.APPROVED, S.NEW),
    (S.DECLINED, S.NEW),
]
REFUSED = [
    (S.NEW, S.NEW, "already back to new"),
    (S.APPROVED, S.APPROVED, "already approved"),
    (S.DECLINED, S.DECLINED, "already declined"),
    (S.MERGED, S.APPROVED, "merged into another"),
    (S.MERGED, S.DECLINED, "merged into another"),
    (S.MERGED, S.NEW, "merged into another"),
]


@pytest.fixture
def submission(episode):
    return SubmissionFactory(episode=episode)


@pytest.mark.parametrize(("start", "to"), ALLOWED)
def test_allowed_transitions_are_stored(episode, start, to):
    submission = SubmissionFactory(episode=episode, status=start)

    returned = ACTIONS[to](submission=submission)

    assert returned.status == to
    submission.refresh_from_db()
    assert submission.status == to


@pytest.mark.parametrize(("start", "to", "words"), REFUSED)
def test_refused_transitions_explain_and_change_nothing(episode, start, to, words):
    primary = SubmissionFactory(episode=episode)
    submission = SubmissionFactory(
        episode=episode, status=start, merged_into=primary if start == S.MERGED else None
    )

    with pytest.raises(ValidationError) as caught:
        ACTIONS[to](submission=submission)

    assert words in " ".join(caught.value.messages)
    submission.refresh_from_db()
    assert submission.status == start


def test_transition_is_decided_on_the_stored_status_not_a_stale_copy(submission):
    stale = Submission.objects.get(pk=submission.pk)
    primary = SubmissionFactory(episode=submission.episode)
    Submission.objects.filter(pk=submission.pk).update(status=S.MERGED, merged_into=primary)

    with pytest.raises(ValidationError, match="merged into another"):
        services.submission_approve(submission=stale)

    assert Submission.objects.get(pk=submission.pk).status == S.MERGED
    assert stale.status == S.MERGED


def test_messages_name_the_kind(episode):
    message = SubmissionFactory(episode=episode, kind=Submission.Kind.MESSAGE, status=S.APPROVED)

    with pytest.raises(ValidationError, match="This message is already approved"):
        services.submission_approve(submission=message)


# --- Transcript corrections ------------------------------------------------------------------


@pytest.fixture
def transcribed(episode):
    return SubmissionFactory(
        episode=episode,
        text="",
        transcript="What did Ilya see in twenty fourteen?",
        transcription_state=Submission.TranscriptionState.DONE,
    )


def test_correction_is_stored_apart_from_the_machine_transcript(transcribed):
    services.submission_transcript_correct(
        submission=transcribed, text="  What did Ilya see in 2014?\r\nAnd why?  "
    )

    transcribed.refresh_from_db()
    assert transcribed.transcript_edited == "What did Ilya see in 2014?\nAnd why?"
    assert transcribed.transcript == "What did Ilya see in twenty fourteen?"
    assert transcribed.best_text == "What did Ilya see in 2014?\nAnd why?"


@pytest.mark.parametrize("text", ["", "   ", "What did Ilya see in twenty fourteen?\r\n"])
def test_clearing_or_repeating_the_machine_words_reverts_to_them(transcribed, text):
    transcribed.transcript_edited = "An earlier correction"
    transcribed.save()

    services.submission_transcript_correct(submission=transcribed, text=text)

    transcribed.refresh_from_db()
    assert transcribed.transcript_edited == ""
    assert transcribed.best_text == "What did Ilya see in twenty fourteen?"


def test_typed_text_can_be_edited_and_the_original_is_kept(episode):
    typed = SubmissionFactory(episode=episode, text="what comes after pretraining")

    services.submission_transcript_correct(submission=typed, text="What comes after pre-training?")

    typed.refresh_from_db()
    assert typed.text == "what comes after pretraining"
    assert typed.best_text == "What comes after pre-training?"


def test_overlong_correction_is_refused(transcribed):
    with pytest.raises(ValidationError, match="keep it under"):
        services.submission_transcript_correct(
            submission=transcribed, text="x" * (services.TRANSCRIPT_MAX_CHARS + 1)
        )
    transcribed.refresh_from_db()
    assert transcribed.transcript_edited == ""


def test_correction_refreshes_the_suggested_topic(
    episode, transcribed, run_worker, django_capture_on_commit_callbacks
):
    """The host's words feed the matcher: the suggestion follows the corrected text."""
    TopicFactory(
        episode=episode,
        title="Pre-training ends",
        summary="Data runs out; pre-training as we know it will end.",
        body="Pre-training as we know it will end because we have but one internet of data.",
    )
    scaling = TopicFactory(
        episode=episode,
        title="Self-play agents",
        summary="Self-play, agents and curious AI in the 2016 emails.",
        body="Self-play agents learn by playing against themselves, as in Dota and Go.",
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.submission_transcript_correct(
            submission=transcribed,
            text="Will self-play agents that play against themselves matter again, like in Dota?",
        )
    run_worker()  # in the worker, never in the host's request

    transcribed.refresh_from_db()
    assert transcribed.suggested_topic == scaling


# --- Tagging ---------------------------------------------------------------------------------


def test_tag_sets_exactly_the_given_topics(episode, submission):
    first, second, third = TopicFactory.create_batch(3, episode=episode)
    submission.topics.add(third)

    services.submission_tag(submission=submission, topics=[first, second])

    assert set(submission.topics.all()) == {first, second}

    services.submission_tag(submission=submission, topics=[])
    assert submission.topics.count() == 0


def test_tag_refuses_another_episodes_topic(episode, submission):
    own = TopicFactory(episode=episode)
    foreign = TopicFactory(episode=EpisodeFactory(), title="Somebody else's")
    submission.topics.add(own)

    with pytest.raises(ValidationError, match="Somebody else's\u201d is not a topic"):
        services.submission_tag(submission=submission, topics=[own, foreign])

    assert list(submission.topics.all()) == [own]


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (S.NEW, {S.APPROVED, S.DECLINED}),
        (S.APPROVED, {S.DECLINED, S.NEW}),
        (S.DECLINED, {S.APPROVED, S.NEW}),
        (S.MERGED, set()),
    ],
)
def test_the_status_rules_live_on_the_model(status, allowed):
    submission = Submission(status=status)
    assert {target for target in S.values if submission.can_become(target)} == allowed
    assert submission.can_approve == (S.APPROVED in allowed)
    assert submission.can_decline == (S.DECLINED in allowed)
    assert submission.can_reopen == (S.NEW in allowed)


@pytest.mark.parametrize(
    ("state", "has_audio", "retry"),
    [
        ("none", False, False),
        ("pending", True, False),
        ("running", True, False),
        ("done", True, True),
        ("failed", True, True),
        ("failed", False, False),
    ],
)
def test_a_transcription_may_be_retried_only_once_a_run_is_over(state, has_audio, retry):
    submission = Submission(transcription_state=state, audio="audio/x.webm" if has_audio else "")
    assert submission.can_retry_transcription is retry
