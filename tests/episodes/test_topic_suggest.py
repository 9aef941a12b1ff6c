"""Suggested topics stored on submissions, and kept up to date."""

import pytest
from django.conf import settings

from episodes.services import essay_import
from intake.models import Submission
from intake.services import (
    episode_suggest_topics,
    submission_analyse_later,
    submission_suggest_topic,
    submission_transcript_correct,
)
from tests.conftest import ESSAY
from tests.factories import SubmissionFactory


@pytest.fixture
def essay_episode(episode):
    essay_import(episode=episode, markdown=ESSAY.read_text(encoding="utf-8"))
    return episode


def test_a_typed_question_gets_its_section_and_a_score(essay_episode):
    question = SubmissionFactory(
        episode=essay_episode, text="Did Ilya predict AlphaGo Zero before it happened?"
    )
    topic = submission_suggest_topic(submission=question)
    assert topic.title == "What Ilya Saw in 2016-2017"
    stored = Submission.objects.get(pk=question.pk)
    assert stored.suggested_topic == topic
    assert settings.TOPIC_MIN_SCORE <= stored.suggested_topic_score <= 1


@pytest.mark.parametrize(
    "text", ["Love the show!", "Thanks for the podcast, it makes my commute so much better."]
)
def test_a_message_about_nothing_in_the_essay_gets_no_suggestion(essay_episode, text):
    message = SubmissionFactory(
        episode=essay_episode,
        kind=Submission.Kind.MESSAGE,
        text=text,
        suggested_topic=essay_episode.topics.first(),
        suggested_topic_score=0.5,
    )
    assert submission_suggest_topic(submission=message) is None
    message.refresh_from_db()
    assert (message.suggested_topic, message.suggested_topic_score) == (None, None)


def test_a_voice_message_waits_for_its_transcript(essay_episode):
    voice = SubmissionFactory(episode=essay_episode, text="")
    assert submission_suggest_topic(submission=voice) is None
    voice.transcript = "Hi, this is Sam. Was Strawberry really a breakthrough in reasoning? Thanks!"
    voice.save()
    assert submission_suggest_topic(submission=voice).title == "Bonus: What Did Ilya See in 2023?"


def test_a_hosts_correction_is_what_counts(
    essay_episode, run_worker, django_capture_on_commit_callbacks
):
    voice = SubmissionFactory(
        episode=essay_episode,
        text="",
        transcript="Will a gents be what comes after free training?",
        transcription_state=Submission.TranscriptionState.DONE,
    )
    submission_suggest_topic(submission=voice)
    with django_capture_on_commit_callbacks(execute=True):
        submission_transcript_correct(
            submission=voice, text="Why did Ilya want a 5000 GPU cluster in 2017?"
        )
    run_worker()  # the suggestion is made again in the worker, never in the host's request
    voice.refresh_from_db()
    assert voice.suggested_topic.title == "What Ilya Saw in 2016-2017"


def test_typed_text_sent_with_a_recording_is_used_too(essay_episode):
    voice = SubmissionFactory(
        episode=essay_episode,
        text="About the Q* demos and Strawberry",
        transcript="Hi! Long time listener.",
    )
    assert submission_suggest_topic(submission=voice).title == "Bonus: What Did Ilya See in 2023?"


def test_an_episode_without_topics_suggests_nothing(episode):
    question = SubmissionFactory(episode=episode, text="Is pre-training over?")
    assert submission_suggest_topic(submission=question) is None


def test_recompute_for_the_whole_episode(essay_episode):
    other_episode_question = SubmissionFactory(text="Is pre-training over?")
    questions = [
        SubmissionFactory(episode=essay_episode, text=text)
        for text in (
            "Could synthetic data replace the internet as a training corpus?",
            "Why does autoregression work so well for translation?",
            "Love the show!",
            "",
        )
    ]
    assert episode_suggest_topics(episode=essay_episode) == 4
    suggested = [
        getattr(Submission.objects.get(pk=q.pk).suggested_topic, "title", None) for q in questions
    ]
    assert suggested == ["What Ilya Sees in 2024", "What Ilya Saw in 2014", None, None]
    other_episode_question.refresh_from_db()
    assert other_episode_question.suggested_topic is None


def test_a_typed_question_is_suggested_in_the_worker(
    essay_episode, transcription_queue, run_worker, django_capture_on_commit_callbacks
):
    question = SubmissionFactory(episode=essay_episode, text="Is pre-training really over?")
    with django_capture_on_commit_callbacks(execute=True):
        submission_analyse_later(submission=question)
    assert Submission.objects.get(pk=question.pk).suggested_topic is None  # not yet
    run_worker()
    question.refresh_from_db()
    assert question.suggested_topic.title == "What Ilya Sees in 2024"
