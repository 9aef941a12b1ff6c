"""Transcription of a voice message: pending -> running -> done | failed, with retries.

The transition rules are Submission.can_transcription_become (intake/models.py); every move
here locks the row and asks them against the stored state.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rq.job import JobStatus

from episodes.models import Episode
from intake import queue
from intake.models import Submission, SubmissionEvent
from intake.services.analysis import submission_analyse, submission_analyse_later
from intake.services.events import event_record
from intake.signals import submission_words_changed
from intake.transcription.decode import decode_audio
from intake.transcription.engines import get_engine
from intake.transcription.errors import AudioDecodeError, ModelUnavailableError
from intake.transcription.prompt import build_prompt, extract_names

logger = logging.getLogger(__name__)

TS = Submission.TranscriptionState
Action = SubmissionEvent.Action


class TranscriptionNotNeeded(Exception):
    """The job has nothing to do (already done, or no audio): not an error."""


def _transcription_move(
    *, submission_id: int, to: str, action: str | None = None, actor=None, **fields
) -> Submission:
    """Lock the row, check the transition against the stored state, and write it, with the
    audit event `action` when given (to_value: the new state, or the reason of a failure)."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if not submission.can_transcription_become(to):
            raise ValidationError(
                f"Transcription cannot go from {submission.get_transcription_state_display()!r} "
                f"to {TS(to).label!r}.",
                code="transcription_state",
            )
        before = submission.transcription_state
        submission.transcription_state = to
        for name, value in fields.items():
            setattr(submission, name, value)
        submission.save(update_fields=["transcription_state", *fields, "updated_at"])
        if action is not None:
            failed = to == TS.FAILED
            event_record(
                submission=submission,
                action=action,
                actor=actor,
                from_value=before,
                to_value=fields.get("transcription_error", "") if failed else to,
            )
    return submission


def transcription_enqueue(*, submission: Submission) -> None:
    """Queue transcription once the surrounding transaction commits.

    The row is durable before the job exists, so a worker never looks for a missing row,
    and a Redis outage only leaves the submission `pending` for the sweeper to pick up.
    """
    submission_id = submission.pk
    queue.enqueue_on_commit(
        queue.TRANSCRIBE_TASK,
        submission_id,
        after=lambda: _queued_now(submission_id),
        **queue.transcription_options(
            submission_id=submission_id, audio_seconds=submission.audio_seconds
        ),
    )


def _queued_now(submission_id: int) -> None:
    Submission.objects.filter(pk=submission_id).update(transcription_queued_at=timezone.now())


def transcription_prompt(*, episode: Episode) -> str:
    """Whisper's initial prompt: the episode's topics and the names in them."""
    topics = list(episode.topics.order_by("position").values_list("title", "summary"))
    titles = [title for title, _ in topics]
    names = extract_names("\n".join([episode.title, *(f"{t}. {s}" for t, s in topics)]))
    return build_prompt(episode_title=episode.title, topic_titles=titles, names=names)


_SAMPLE_RATE = 16000  # what decode_audio gives and Whisper takes


def _samples_as_measured(*, submission: Submission, audio_file):
    """The recording the upload check measured, and never more than the episode allows.

    Decoding stops at the limit plus the grace whatever the file says (a crafted file cannot
    make a job run for hours), and a length that differs from the one measured at upload by
    more than the grace means this is not what was checked: fail, never transcribe it.
    """
    grace = settings.SUBMISSION_AUDIO_GRACE_SECONDS
    measured = submission.audio_seconds
    # The measured length too, in case a host lowered the limit after the message arrived.
    limit = max(submission.episode.max_audio_seconds, measured or 0)
    samples = decode_audio(audio_file, sample_rate=_SAMPLE_RATE, max_seconds=limit + grace)
    decoded = samples.size / _SAMPLE_RATE
    if measured is not None and abs(decoded - measured) > grace:
        raise AudioDecodeError(
            f"the audio decodes to {decoded:.1f} s, not the {measured:.1f} s measured "
            "when it arrived"
        )
    return samples


def transcription_run(*, submission_id: int, final_attempt: bool = True) -> Submission:
    """Transcribe one submission's audio and store the machine transcript.

    Permanent problems (audio that does not decode, no model) fail at once with a reason a
    host can read. Anything else is treated as transient: the submission goes back to
    `pending` and the exception propagates so RQ retries, unless this is the final attempt.
    """
    submission = Submission.objects.select_related("episode").get(pk=submission_id)
    if submission.transcription_state in (TS.DONE, TS.FAILED, TS.NONE) or not submission.audio:
        raise TranscriptionNotNeeded(submission.transcription_state)
    submission = _transcription_move(
        submission_id=submission_id,
        to=TS.RUNNING,
        transcription_attempts=submission.transcription_attempts + 1,
        transcription_error="",
    )
    try:
        with submission.audio.open("rb") as audio_file:
            samples = _samples_as_measured(submission=submission, audio_file=audio_file)
        engine = get_engine(
            engine=settings.TRANSCRIBE_ENGINE,
            model=settings.WHISPER_MODEL,
            cache_dir=settings.WHISPER_CACHE_DIR,
            threads=settings.WHISPER_THREADS,
        )
        result = engine.transcribe(
            samples,
            prompt=transcription_prompt(episode=submission.episode),
            language=settings.WHISPER_LANGUAGE,
        )
    except (AudioDecodeError, ModelUnavailableError, FileNotFoundError) as exc:
        reason = getattr(exc, "reason", None) or str(exc) or exc.__class__.__name__
        logger.warning("Transcription of submission %s failed for good: %s", submission_id, reason)
        return _transcription_move(
            submission_id=submission_id,
            to=TS.FAILED,
            action=Action.TRANSCRIPTION_FAILED,
            transcription_error=reason,
        )
    except Exception as exc:
        reason = f"{exc.__class__.__name__}: {exc}"
        if final_attempt:
            logger.exception(
                "Transcription of submission %s failed, no retries left", submission_id
            )
            _transcription_move(
                submission_id=submission_id,
                to=TS.FAILED,
                action=Action.TRANSCRIPTION_FAILED,
                transcription_error=f"Failed after {submission.transcription_attempts} "
                f"attempts. Last error: {reason}",
            )
        else:
            _transcription_move(
                submission_id=submission_id,
                to=TS.PENDING,
                transcription_error=f"Attempt {submission.transcription_attempts} failed "
                f"({reason}); retrying.",
            )
        raise
    submission = _transcription_move(
        submission_id=submission_id,
        to=TS.DONE,
        action=Action.TRANSCRIBED,
        transcript=result.text,
        transcript_language=result.language,
        transcript_segments=result.segment_dicts(),
        transcript_engine=result.engine,
        transcript_model=result.model,
        transcription_seconds=round(result.seconds, 3),
        transcription_error="",
    )
    # Already in the worker, with the model warm: topic, vector and similar questions now. The
    # transcript is stored whatever happens here; a failure is tried again in its own job.
    try:
        submission_analyse(submission_id=submission_id)
    except Exception:
        logger.exception("Analysis of submission %s failed; queued again", submission_id)
        submission_analyse_later(submission=submission)
    submission.refresh_from_db(fields=["suggested_topic", "suggested_topic_score"])
    submission_words_changed.send(sender=Submission, submission=submission)
    return submission


def transcription_retry(*, submission: Submission, actor=None) -> Submission:
    """A host asks for another run of a failed or finished transcription."""
    if not submission.audio:
        raise ValidationError("This submission has no audio to transcribe.", code="no_audio")
    if not submission.can_retry_transcription:
        raise ValidationError(
            "Transcription is already waiting or running; give it a moment.", code="busy"
        )
    with transaction.atomic():
        submission = _transcription_move(
            submission_id=submission.pk,
            to=TS.PENDING,
            action=Action.TRANSCRIPTION_RETRIED,
            actor=actor,
            transcription_error="",
        )
        transcription_enqueue(submission=submission)
    return submission


def _transcription_waiting(*, submission_id: int, connection) -> None:
    """Move a `running` submission whose job no worker holds back to `pending`.

    Under the row's lock, the job is asked again: a worker that takes it meanwhile moves the
    row to `running` itself (and waits for this lock to do so), so the move never hides a run.
    """
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.transcription_state != TS.RUNNING:
            return
        job = queue.live_job(submission_id=submission_id, connection=connection)
        if job is not None and job.get_status(refresh=False) == JobStatus.STARTED:
            return
        submission.transcription_state = TS.PENDING
        submission.save(update_fields=["transcription_state", "updated_at"])


def transcription_sweep(*, min_age_seconds: int = 30) -> list[int]:
    """Queue every submission stuck in pending/running without a live job; return their ids.

    Covers Redis being down when the listener submitted, a worker killed mid-job, and Redis
    losing its data. `min_age_seconds` skips rows whose on-commit push may still be under way.
    """
    cutoff = timezone.now() - dt.timedelta(seconds=min_age_seconds)
    stuck = Submission.objects.filter(
        Q(transcription_state=TS.PENDING, updated_at__lte=cutoff)
        | Q(transcription_state=TS.RUNNING)
    ).exclude(audio="")
    connection = queue.get_queue().connection
    requeued = []
    for submission_id, audio_seconds, state in stuck.values_list(
        "pk", "audio_seconds", "transcription_state"
    ):
        job = queue.live_job(submission_id=submission_id, connection=connection)
        if job is not None:
            if state == TS.RUNNING and job.get_status(refresh=False) != JobStatus.STARTED:
                # RQ put the job of a dead worker back in the queue: nobody is on it.
                _transcription_waiting(submission_id=submission_id, connection=connection)
            continue
        queue.discard(submission_id=submission_id, connection=connection)
        if state == TS.RUNNING:
            # Its worker died mid-run: waiting again, and said so before a worker can take it.
            _transcription_waiting(submission_id=submission_id, connection=connection)
        queue.push(submission_id=submission_id, audio_seconds=audio_seconds)
        _queued_now(submission_id)
        requeued.append(submission_id)
    if requeued:
        logger.info("Sweeper queued transcription again for submissions %s", requeued)
    return requeued
