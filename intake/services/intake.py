"""A listener's submission arriving: checked, stored durably, then handed to the worker."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from episodes.models import Episode
from intake import notifications
from intake.audio import AudioInfo, audio_probe
from intake.models import Submission, SubmissionEvent
from intake.notice_optout import NOTIFY_NEEDS_EMAIL
from intake.services.analysis import submission_analyse_later
from intake.services.events import event_record
from intake.services.transcription import transcription_enqueue
from intake.submission_rules import submission_rule_errors


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
    notify_when_aired: bool = False,
) -> Submission:
    """A listener's question or message, with an optional recording, stored durably.

    The recording is probed (unless the caller already did and passes `audio_info`), stored
    under a random name with the extension of the container actually found, and the row is
    created in the same transaction; transcription is queued once it commits. Raises
    ValidationError with code "closed" when the episode no longer takes submissions, and a
    field-keyed ValidationError for a broken rule; nothing is stored in either case.
    `notify_when_aired` ("tell me if my question is used") needs an email.
    """
    if not episode.accepts_submissions():
        raise ValidationError("This episode no longer takes submissions.", code="closed")
    rule_errors = submission_rule_errors(
        text=text,
        has_audio=audio is not None,
        name=name,
        email=email,
    )
    if notify_when_aired and not email.strip() and "email" not in rule_errors:
        rule_errors["email"] = NOTIFY_NEEDS_EMAIL
    if rule_errors:
        raise ValidationError({field: [message] for field, message in rule_errors.items()})
    submission = Submission(
        episode=episode,
        kind=kind,
        text=text.strip(),
        name=name.strip(),
        email=email.strip(),
        consent_to_air=audio is not None and consent_to_air,
        notify_when_aired=notify_when_aired,
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
            event_record(submission=submission, action=SubmissionEvent.Action.RECEIVED)
            if audio is not None:
                # The transcription job analyses the spoken words once it has them.
                transcription_enqueue(submission=submission)
            if submission.text:
                # Topic, vector and similar questions of the typed words, in the worker.
                submission_analyse_later(submission=submission)
            # Emails go from the worker, after the commit: never a slow mail server in here.
            notifications.submission_notify_later(submission=submission)
    except BaseException:
        # No row without its file, and no file without its row.
        if stored_name:
            submission.audio.storage.delete(stored_name)
        raise
    return submission
