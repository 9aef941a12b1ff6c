"""Intake business logic: creating submissions and moving them through their states."""

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from episodes.models import Episode, Topic
from episodes.topic_match import topic_rank_many
from intake import notifications, transcription_queue
from intake.audio import AudioInfo, audio_probe
from intake.models import Submission
from intake.similarity import submission_match_text
from intake.submission_rules import submission_rule_errors
from intake.transcription.decode import decode_audio
from intake.transcription.engines import get_engine
from intake.transcription.errors import AudioDecodeError, ModelUnavailableError
from intake.transcription.prompt import build_prompt, extract_names

logger = logging.getLogger(__name__)


def submission_create(
    *,
    episode: Episode,
    kind: str,
    text: str = "",
    name: str = "",
    email: str = "",
    audio: File | None = None,
    audio_info: AudioInfo | None = None,
    consent_to_air: bool = False,
) -> Submission:
    """A listener's question or message, with an optional recording, stored durably.

    The recording is probed (unless the caller already did and passes `audio_info`), stored
    under a random name with the extension of the container actually found, and the row is
    created in the same transaction; transcription is queued once it commits. Raises
    ValidationError with code "closed" when the episode no longer takes submissions, and a
    field-keyed ValidationError for a broken rule; nothing is stored in either case.
    """
    if not episode.accepts_submissions():
        raise ValidationError("This episode no longer takes submissions.", code="closed")
    rule_errors = submission_rule_errors(
        text=text, has_audio=audio is not None, consent_to_air=consent_to_air
    )
    if rule_errors:
        raise ValidationError({field: [message] for field, message in rule_errors.items()})
    submission = Submission(
        episode=episode,
        kind=kind,
        text=text.strip(),
        name=name.strip(),
        email=email.strip(),
        consent_to_air=audio is not None and consent_to_air,
    )
    submission.full_clean(exclude=["audio", "episode"])
    if audio is not None and audio_info is None:
        try:
            audio_info = audio_probe(
                source=audio,
                max_seconds=episode.max_audio_seconds,
                grace_seconds=settings.SUBMISSION_AUDIO_GRACE_SECONDS,
                timeout_seconds=settings.AUDIO_DECODE_TIMEOUT_SECONDS,
            )
        except ValidationError as rejected:
            raise ValidationError({"audio": rejected.error_list}) from rejected

    stored_name = None
    try:
        with transaction.atomic():
            if audio is not None:
                audio.seek(0)
                submission.audio.save(
                    f"{secrets.token_urlsafe(18)}.{audio_info.extension}", audio, save=False
                )
                stored_name = submission.audio.name
                submission.audio_seconds = audio_info.seconds
                submission.audio_format = audio_info.container
                submission.transcription_state = Submission.TranscriptionState.PENDING
            submission.save()
            if audio is not None:
                # The transcription job suggests a topic once it has the spoken words.
                transcription_enqueue(submission=submission)
            elif submission.text:
                submission_suggest_topic_later(submission=submission)
            submission_id = submission.pk
            transaction.on_commit(
                lambda: notifications.submission_notify_hosts(submission_id=submission_id),
                robust=True,
            )
    except BaseException:
        # No row without its file, and no file without its row.
        if stored_name:
            submission.audio.storage.delete(stored_name)
        raise
    return submission


# --- Transcription: moving a submission through pending -> running -> done | failed ---------

TS = Submission.TranscriptionState

# Which transcription states each state may move to. `running -> running` is a job that
# starts again after its worker died; `running -> pending` is a transient failure that RQ
# will retry; `done/failed -> pending` is a host asking for another run.
TRANSCRIPTION_TRANSITIONS: dict[str, frozenset[str]] = {
    TS.NONE: frozenset({TS.PENDING}),
    TS.PENDING: frozenset({TS.RUNNING, TS.FAILED}),
    TS.RUNNING: frozenset({TS.RUNNING, TS.DONE, TS.FAILED, TS.PENDING}),
    TS.DONE: frozenset({TS.PENDING}),
    TS.FAILED: frozenset({TS.PENDING}),
}


class TranscriptionNotNeeded(Exception):
    """The job has nothing to do (already done, or no audio): not an error."""


def _transcription_move(*, submission_id: int, to: str, **fields) -> Submission:
    """Lock the row, check the transition against the stored state, and write it."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if to not in TRANSCRIPTION_TRANSITIONS[submission.transcription_state]:
            raise ValidationError(
                f"Transcription cannot go from {submission.get_transcription_state_display()!r} "
                f"to {TS(to).label!r}.",
                code="transcription_state",
            )
        submission.transcription_state = to
        for name, value in fields.items():
            setattr(submission, name, value)
        submission.save(update_fields=["transcription_state", *fields, "updated_at"])
    return submission


def transcription_enqueue(*, submission: Submission) -> None:
    """Queue transcription once the surrounding transaction commits.

    The row is durable before the job exists, so a worker never looks for a missing row,
    and a Redis outage only leaves the submission `pending` for the sweeper to pick up.
    """
    submission_id, audio_seconds = submission.pk, submission.audio_seconds

    def push() -> None:
        try:
            transcription_queue.push(submission_id=submission_id, audio_seconds=audio_seconds)
        except Exception:
            logger.exception(
                "Could not queue transcription of submission %s; the sweeper will retry",
                submission_id,
            )
            return
        Submission.objects.filter(pk=submission_id).update(transcription_queued_at=timezone.now())

    transaction.on_commit(push)


def transcription_prompt(*, episode: Episode) -> str:
    """Whisper's initial prompt: the episode's topics and the names in them."""
    topics = list(episode.topics.order_by("position").values_list("title", "summary"))
    titles = [title for title, _ in topics]
    names = extract_names("\n".join([episode.title, *(f"{t}. {s}" for t, s in topics)]))
    return build_prompt(episode_title=episode.title, topic_titles=titles, names=names)


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
            samples = decode_audio(audio_file)
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
            submission_id=submission_id, to=TS.FAILED, transcription_error=reason
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
        transcript=result.text,
        transcript_language=result.language,
        transcript_segments=result.segment_dicts(),
        transcript_engine=result.engine,
        transcript_model=result.model,
        transcription_seconds=round(result.seconds, 3),
        transcription_error="",
    )
    submission_suggest_topic(submission=submission)
    return submission


def transcription_retry(*, submission: Submission) -> Submission:
    """A host asks for another run of a failed or finished transcription."""
    if not submission.audio:
        raise ValidationError("This submission has no audio to transcribe.", code="no_audio")
    if submission.transcription_state not in (TS.FAILED, TS.DONE):
        raise ValidationError(
            "Transcription is already waiting or running; give it a moment.", code="busy"
        )
    with transaction.atomic():
        submission = _transcription_move(
            submission_id=submission.pk, to=TS.PENDING, transcription_error=""
        )
        transcription_enqueue(submission=submission)
    return submission


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
    connection = transcription_queue.get_queue().connection
    requeued = []
    for submission_id, audio_seconds in stuck.values_list("pk", "audio_seconds"):
        if transcription_queue.live_job(submission_id=submission_id, connection=connection):
            continue
        transcription_queue.discard(submission_id=submission_id, connection=connection)
        transcription_queue.push(submission_id=submission_id, audio_seconds=audio_seconds)
        Submission.objects.filter(pk=submission_id).update(transcription_queued_at=timezone.now())
        requeued.append(submission_id)
    if requeued:
        logger.info("Sweeper queued transcription again for submissions %s", requeued)
    return requeued


# --- Moderation: a host's decisions on one submission ---------------------------------------

# Which status a host may move a submission to from each status. A merged submission is
# settled by its primary, so nothing moves it from here (merging is submission_merge's job).
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    Submission.Status.NEW: frozenset({Submission.Status.APPROVED, Submission.Status.DECLINED}),
    Submission.Status.APPROVED: frozenset({Submission.Status.DECLINED, Submission.Status.NEW}),
    Submission.Status.DECLINED: frozenset({Submission.Status.APPROVED, Submission.Status.NEW}),
    Submission.Status.MERGED: frozenset(),
}

_STATUS_WORDS = {
    Submission.Status.NEW: "back to new",
    Submission.Status.APPROVED: "approved",
    Submission.Status.DECLINED: "declined",
}

TRANSCRIPT_MAX_CHARS = 20_000


def _submission_move_status(*, submission: Submission, to: str) -> Submission:
    with transaction.atomic():
        # Lock the row and decide on its stored status, not on what the host's page showed:
        # two hosts clicking at once must not both act on a stale status.
        current = (
            Submission.objects.select_for_update()
            .values_list("status", flat=True)
            .get(pk=submission.pk)
        )
        if to not in STATUS_TRANSITIONS[current]:
            submission.status = current
            raise ValidationError(_status_refusal(submission=submission, to=to), code="status")
        Submission.objects.filter(pk=submission.pk).update(status=to, updated_at=timezone.now())
    submission.status = to
    return submission


def _status_refusal(*, submission: Submission, to: str) -> str:
    noun = submission.get_kind_display().lower()
    if submission.status == Submission.Status.MERGED:
        return f"This {noun} is merged into another one; approve or decline that one instead."
    if submission.status == to:
        return f"This {noun} is already {_STATUS_WORDS.get(to, to)}."
    return f"A {submission.get_status_display().lower()} {noun} cannot be {_STATUS_WORDS[to]}."


def submission_approve(*, submission: Submission) -> Submission:
    return _submission_move_status(submission=submission, to=Submission.Status.APPROVED)


def submission_decline(*, submission: Submission) -> Submission:
    return _submission_move_status(submission=submission, to=Submission.Status.DECLINED)


def submission_reopen(*, submission: Submission) -> Submission:
    """Back to new: the host wants to decide again later."""
    return _submission_move_status(submission=submission, to=Submission.Status.NEW)


def submission_transcript_correct(*, submission: Submission, text: str) -> Submission:
    """Store a host's correction; the machine transcript itself is never changed.

    An empty correction, or one identical to what the listener or the machine produced,
    clears `transcript_edited`, so the host reads the original again.
    """
    corrected = text.replace("\r\n", "\n").strip()
    if len(corrected) > TRANSCRIPT_MAX_CHARS:
        raise ValidationError(
            f"The correction is {len(corrected):,} characters long; "
            f"keep it under {TRANSCRIPT_MAX_CHARS:,}.",
            code="too_long",
        )
    original = (submission.transcript or submission.text).replace("\r\n", "\n").strip()
    if corrected == original:
        corrected = ""
    submission.transcript_edited = corrected
    submission.save(update_fields=["transcript_edited", "updated_at"])
    # The host's words are the better signal for which part of the essay this is about.
    submission_suggest_topic(submission=submission)
    return submission


def submission_tag(*, submission: Submission, topics: list[Topic]) -> Submission:
    """Tag a submission with exactly these topics of its own episode."""
    foreign = [topic for topic in topics if topic.episode_id != submission.episode_id]
    if foreign:
        titles = ", ".join(f"\u201c{topic.title}\u201d" for topic in foreign)
        raise ValidationError(
            f"{titles} {'is not a topic' if len(foreign) == 1 else 'are not topics'} "
            "of this episode.",
            code="foreign_topic",
        )
    submission.topics.set(topics)
    return submission


# --- Topics and duplicates: suggestions the host confirms -------------------------------------

SUGGEST_BATCH = 256


def submission_suggest_topic(*, submission: Submission) -> Topic | None:
    """Store the episode's most relevant topic for what the submission says, with its score.

    Both are cleared when the submission has no words yet or nothing is relevant enough
    (settings.TOPIC_MIN_SCORE): "love the show!" belongs to no part of the essay.
    """
    topics = list(Topic.objects.filter(episode_id=submission.episode_id).order_by("position", "id"))
    [(topic, score)] = _topic_suggestions(texts=[submission_match_text(submission)], topics=topics)
    Submission.objects.filter(pk=submission.pk).update(
        suggested_topic=topic, suggested_topic_score=score
    )
    submission.suggested_topic, submission.suggested_topic_score = topic, score
    return topic


def submission_suggest_topic_later(*, submission: Submission) -> None:
    """Suggest a topic in the worker once the surrounding transaction commits.

    For typed questions: the listener's request should not wait for the model to load. If
    Redis is down the question simply has no suggestion until its topics or text change.
    """
    submission_id = submission.pk

    def push() -> None:
        from intake.topic_jobs import suggest_topic

        try:
            transcription_queue.get_queue().enqueue(
                suggest_topic,
                submission_id,
                job_id=f"suggest-topic-{submission_id}",
                result_ttl=600,
                failure_ttl=24 * 3600,
                description=f"Suggest a topic for submission {submission_id}",
            )
        except Exception:
            logger.exception("Could not queue a topic suggestion for submission %s", submission_id)

    transaction.on_commit(push)


def episode_suggest_topics(*, episode: Episode) -> int:
    """Suggest topics again for every submission of the episode; returns how many were done."""
    topics = list(episode.topics.order_by("position", "id"))
    submissions = list(
        Submission.objects.filter(episode=episode).only(
            "pk", "episode_id", "text", "transcript", "transcript_edited"
        )
    )
    for start in range(0, len(submissions), SUGGEST_BATCH):
        batch = submissions[start : start + SUGGEST_BATCH]
        suggestions = _topic_suggestions(
            texts=[submission_match_text(submission) for submission in batch], topics=topics
        )
        for submission, (topic, score) in zip(batch, suggestions, strict=True):
            submission.suggested_topic, submission.suggested_topic_score = topic, score
        # Only these two columns are written: a transcript saved meanwhile is not overwritten.
        Submission.objects.bulk_update(batch, ["suggested_topic", "suggested_topic_score"])
    return len(submissions)


def _topic_suggestions(
    *, texts: list[str], topics: list[Topic]
) -> list[tuple[Topic | None, float | None]]:
    suggestions: list[tuple[Topic | None, float | None]] = [(None, None)] * len(texts)
    asked = [index for index, text in enumerate(texts) if text.strip()]
    if not topics or not asked:
        return suggestions
    rankings = topic_rank_many(questions=[texts[index] for index in asked], topics=topics)
    for index, ranking in zip(asked, rankings, strict=True):
        topic, score = ranking[0]
        if score >= settings.TOPIC_MIN_SCORE:
            suggestions[index] = (topic, round(score, 4))
    return suggestions


def submission_merge(*, duplicate: Submission, primary: Submission) -> Submission:
    """Fold `duplicate` into `primary`; returns the primary.

    The duplicate is kept, in the merged state and pointing at its primary, so the host still
    sees who asked and what they said. The primary gains the duplicate's topic tags, and
    whatever had been merged into the duplicate now points at the primary too.
    """
    with transaction.atomic():
        rows = {
            row.pk: row
            for row in Submission.objects.select_for_update().filter(
                pk__in=[duplicate.pk, primary.pk]
            )
        }
        _merge_check(duplicate=rows.get(duplicate.pk), primary=rows.get(primary.pk))
        now = timezone.now()
        Submission.objects.filter(pk=duplicate.pk).update(
            status=Submission.Status.MERGED, merged_into=primary.pk, updated_at=now
        )
        Submission.objects.filter(merged_into=duplicate.pk).update(
            merged_into=primary.pk, updated_at=now
        )
        primary.topics.add(*duplicate.topics.all())
        Submission.objects.filter(pk=primary.pk).update(updated_at=now)
    duplicate.refresh_from_db()
    primary.refresh_from_db()
    return primary


def _merge_check(*, duplicate: Submission | None, primary: Submission | None) -> None:
    if duplicate is None or primary is None:
        raise ValidationError("That submission no longer exists.", code="missing")
    if duplicate.pk == primary.pk:
        raise ValidationError("A submission cannot be merged into itself.", code="self")
    if duplicate.episode_id != primary.episode_id:
        raise ValidationError(
            "Only submissions of the same episode can be merged.", code="other_episode"
        )
    if duplicate.status == Submission.Status.MERGED:
        raise ValidationError(
            f"#{duplicate.pk} is already merged into #{duplicate.merged_into_id}.",
            code="already_merged",
        )
    if primary.status == Submission.Status.MERGED:
        raise ValidationError(
            f"#{primary.pk} is itself merged into #{primary.merged_into_id}; "
            f"merge into #{primary.merged_into_id} instead.",
            code="primary_merged",
        )
