"""What the worker works out about each submission: its suggested topic, its stored vector and
its similar questions (intake.services.analysis, the `submission_analyse` job)."""

import hashlib
import io

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command

from episodes.matching import embedding
from episodes.matching.question_text import question_core
from episodes.matching.similarity import vectors_unpack
from intake import queue, services
from intake.models import Submission, SubmissionSimilarity
from intake.services import similarity
from intake.transcription.results import Segment, TranscriptionResult
from tests.conftest import AUDIO, attach_audio
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory

GPUS = "Is a 5000 GPU cluster still considered big today?"
GPUS_TOO = "Is a cluster of 5000 GPUs still considered big today?"
GPUS_AGAIN = "Would 5,000 GPUs even count as a large cluster nowadays?"
O1 = "Is o1 overhyped?"


def analyse(*submissions: Submission) -> None:
    for submission in submissions:
        services.submission_analyse(submission_id=submission.pk)


def pairs(episode) -> set[tuple[int, int]]:
    return set(
        SubmissionSimilarity.objects.filter(submission__episode=episode).values_list(
            "submission_id", "other_id"
        )
    )


@pytest.fixture
def embed_calls(monkeypatch):
    """The texts the model is asked to embed (the worker's only expensive step)."""
    calls: list[list[str]] = []
    real = embedding.text_embed

    def counting(texts):
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(similarity, "text_embed", counting)
    return calls


def test_the_vector_is_stored_as_float32_with_the_hash_of_its_text(episode, embed_calls):
    question = SubmissionFactory(episode=episode, text=f"Hi, long time listener. {GPUS} Thanks!")

    analyse(question)

    question.refresh_from_db()
    source = question_core(question.text)
    assert source == GPUS  # greetings and thanks say nothing about what is asked
    assert (
        question.embedding_hash == hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()
    )
    assert len(question.embedding) == embedding.EMBEDDING_DIMENSIONS * 4  # 1.5 KB
    vector = vectors_unpack([question.embedding])[0]
    assert vector.dtype == np.float32
    assert np.allclose(vector, embedding.text_embed([source])[0], atol=1e-6)
    assert embed_calls == [[GPUS]]


def test_an_unchanged_text_is_not_embedded_again(episode, embed_calls):
    question = SubmissionFactory(episode=episode, text="", transcript=GPUS)  # a voice message
    analyse(question)
    analyse(question)
    assert embed_calls == [[GPUS]]

    question.transcript_edited = GPUS_TOO
    question.save()
    analyse(question)
    assert embed_calls == [[GPUS], [GPUS_TOO]]


def test_similar_pairs_are_stored_both_ways_above_the_threshold(episode):
    first = SubmissionFactory(episode=episode, text=GPUS)
    second = SubmissionFactory(episode=episode, text=GPUS_TOO)
    unrelated = SubmissionFactory(episode=episode, text=O1)
    elsewhere = SubmissionFactory(episode=EpisodeFactory(), text=GPUS)

    analyse(first, unrelated, elsewhere, second)  # the order they arrived in

    assert pairs(episode) == {(first.pk, second.pk), (second.pk, first.pk)}
    scores = SubmissionSimilarity.objects.values_list("score", flat=True)
    assert all(settings.DUPLICATE_THRESHOLD <= score <= 1 for score in scores)
    assert not SubmissionSimilarity.objects.filter(submission=elsewhere).exists()


def test_the_threshold_decides(episode, settings):
    first = SubmissionFactory(episode=episode, text=GPUS)
    loose = SubmissionFactory(episode=episode, text=GPUS_AGAIN)
    settings.DUPLICATE_THRESHOLD = 0.999
    analyse(first, loose)
    assert pairs(episode) == set()

    settings.DUPLICATE_THRESHOLD = 0.5
    services.submission_analyse(submission_id=loose.pk, force=True)
    assert pairs(episode) == {(first.pk, loose.pk), (loose.pk, first.pk)}


def test_only_the_closest_few_are_kept(episode, monkeypatch):
    monkeypatch.setattr(similarity, "SIMILAR_KEPT", 2)
    others = [
        SubmissionFactory(episode=episode, text=text)
        for text in (GPUS_AGAIN, GPUS_TOO, f"{GPUS} Really?")
    ]
    analyse(*others)
    question = SubmissionFactory(episode=episode, text=GPUS)

    analyse(question)

    kept = list(
        SubmissionSimilarity.objects.filter(submission=question)
        .order_by("-score")
        .values_list("other_id", flat=True)
    )
    assert len(kept) == 2
    assert others[0].pk not in kept  # the loosest paraphrase is the one left out


def test_a_changed_text_drops_its_stale_pairs(episode):
    first = SubmissionFactory(episode=episode, text=GPUS)
    second = SubmissionFactory(episode=episode, text="", transcript=GPUS_TOO)
    analyse(first, second)
    assert pairs(episode) == {(first.pk, second.pk), (second.pk, first.pk)}

    second.transcript_edited = O1  # a host's correction: it was about something else
    second.save()
    analyse(second)

    assert pairs(episode) == set()


def test_merged_submissions_are_not_compared_and_come_back_when_unmerged(
    episode, run_worker, django_capture_on_commit_callbacks
):
    first = SubmissionFactory(episode=episode, text=GPUS)
    duplicate = SubmissionFactory(episode=episode, text=GPUS_AGAIN)
    analyse(first, duplicate)
    services.submission_merge(duplicate=duplicate, primary=first)
    arriving = SubmissionFactory(episode=episode, text=GPUS_TOO)

    analyse(arriving)

    assert (arriving.pk, duplicate.pk) not in pairs(episode)
    assert (arriving.pk, first.pk) in pairs(episode)

    with django_capture_on_commit_callbacks(execute=True):
        services.submission_unmerge(duplicate=duplicate)
    run_worker()  # the unmerge asks the worker to compare it again

    assert {(arriving.pk, duplicate.pk), (duplicate.pk, arriving.pk)} <= pairs(episode)


def test_words_nobody_said_yet_have_no_vector(episode):
    voice = SubmissionFactory(episode=episode, text="")
    analyse(voice)
    voice.refresh_from_db()
    assert (voice.embedding, voice.embedding_hash) == (None, "")


def test_a_typed_question_is_analysed_in_the_worker_not_in_the_request(
    episode, private_media, transcription_queue, run_worker, django_capture_on_commit_callbacks
):
    TopicFactory(episode=episode, title="Compute", summary="GPU clusters and compute budgets.")
    earlier = SubmissionFactory(episode=episode, text=GPUS_TOO)
    analyse(earlier)

    with django_capture_on_commit_callbacks(execute=True):
        question = services.submission_create(episode=episode, kind="question", text=GPUS)

    question.refresh_from_db()
    assert question.embedding is None and question.suggested_topic is None  # not yet
    assert [job.func_name for job in transcription_queue.jobs] == [queue.ANALYSE_TASK]
    run_worker()
    question.refresh_from_db()
    assert question.embedding is not None
    assert question.suggested_topic.title == "Compute"
    assert (earlier.pk, question.pk) in pairs(episode)


def test_a_transcript_is_analysed_right_away_in_the_worker(
    episode, private_media, transcription_queue, monkeypatch
):
    class Engine:
        name, model = "openai-whisper", "tiny.en"

        def transcribe(self, audio, *, prompt=None, language=None):
            return TranscriptionResult(
                text=GPUS, language="en", segments=[Segment(0, 3, GPUS)],
                engine=self.name, model=self.model, seconds=0.1,
            )  # fmt: skip

    monkeypatch.setattr("intake.services.transcription.get_engine", lambda **kwargs: Engine())
    typed = SubmissionFactory(episode=episode, text=GPUS_TOO)
    analyse(typed)
    voice = SubmissionFactory(episode=episode, text="")
    attach_audio(voice, AUDIO / "jfk.webm", seconds=11.0)

    services.transcription_run(submission_id=voice.pk)  # the transcription job

    voice.refresh_from_db()
    assert voice.embedding_hash and (voice.pk, typed.pk) in pairs(episode)
    assert transcription_queue.count == 0  # done there and then: no second job


def test_the_analyse_job_tells_what_it_did(episode, transcription_queue, run_worker):
    question = SubmissionFactory(episode=episode, text=GPUS)
    job = queue.get_queue().enqueue(queue.ANALYSE_TASK, question.pk)
    gone = queue.get_queue().enqueue(queue.ANALYSE_TASK, 987654)
    run_worker()
    assert job.latest_result().return_value == "embedded; topic: none"
    assert gone.latest_result().return_value == "gone"


def test_a_failed_analysis_keeps_the_transcript_and_is_queued_again(
    episode, private_media, transcription_queue, monkeypatch, django_capture_on_commit_callbacks
):
    class Engine:
        name, model = "openai-whisper", "tiny.en"

        def transcribe(self, audio, *, prompt=None, language=None):
            return TranscriptionResult(
                text=GPUS, language="en", segments=[], engine=self.name, model=self.model,
                seconds=0.1,
            )  # fmt: skip

    def broken(**kwargs):
        raise RuntimeError("model missing")

    monkeypatch.setattr("intake.services.transcription.get_engine", lambda **kwargs: Engine())
    monkeypatch.setattr("intake.services.transcription.submission_analyse", broken)
    voice = SubmissionFactory(episode=episode, text="")
    attach_audio(voice, AUDIO / "jfk.webm", seconds=11.0)

    with django_capture_on_commit_callbacks(execute=True):
        services.transcription_run(submission_id=voice.pk)

    voice.refresh_from_db()
    assert (voice.transcription_state, voice.transcript) == ("done", GPUS)
    assert [job.func_name for job in transcription_queue.jobs] == [queue.ANALYSE_TASK]


def test_the_upgrade_command_analyses_what_came_before(episode):
    first = SubmissionFactory(episode=episode, text=GPUS)
    second = SubmissionFactory(episode=episode, text="", transcript=GPUS_TOO)
    silent = SubmissionFactory(episode=episode, text="")
    TopicFactory(episode=episode, title="Compute", summary="GPU clusters and compute budgets.")

    out = io.StringIO()
    call_command("analyse_submissions", episode.slug, stdout=out)

    rows = {s.pk: s for s in Submission.objects.filter(episode=episode)}
    assert rows[first.pk].embedding and rows[second.pk].embedding
    assert rows[silent.pk].embedding is None
    assert rows[first.pk].suggested_topic.title == "Compute"
    assert pairs(episode) == {(first.pk, second.pk), (second.pk, first.pk)}
    assert "2 vector(s) made" in out.getvalue()
