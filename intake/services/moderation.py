"""A host's decisions on one submission: approve, decline, reopen, correct, tag, notes.

The status rules are Submission.can_become (intake/models.py): views and templates ask them to
offer a button, these services ask them again under a row lock before acting. Each change writes
its audit event (intake/services/events.py) in the same transaction; `actor` is the host who
asked for it (None for scripts).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from episodes.models import Topic
from intake.models import Submission, SubmissionEvent
from intake.services.analysis import submission_analyse_later
from intake.services.events import event_record
from intake.signals import submission_status_changed, submission_tagged, submission_words_changed

_STATUS_WORDS = {
    Submission.Status.NEW: "back to new",
    Submission.Status.APPROVED: "approved",
    Submission.Status.DECLINED: "declined",
}

TRANSCRIPT_MAX_CHARS = 20_000
DECLINE_REASON_MAX_CHARS = 2_000
NOTES_MAX_CHARS = 20_000

_STATUS_EVENTS = {
    Submission.Status.NEW: SubmissionEvent.Action.REOPENED,
    Submission.Status.APPROVED: SubmissionEvent.Action.APPROVED,
    Submission.Status.DECLINED: SubmissionEvent.Action.DECLINED,
}


def _submission_move_status(*, submission: Submission, to: str, actor=None, **fields) -> Submission:
    with transaction.atomic():
        # Lock the row and decide on its stored status, not on what the host's page showed:
        # two hosts clicking at once must not both act on a stale status.
        current = (
            Submission.objects.select_for_update()
            .values_list("status", flat=True)
            .get(pk=submission.pk)
        )
        submission.status = current
        if not submission.can_become(to):
            raise ValidationError(_status_refusal(submission=submission, to=to), code="status")
        Submission.objects.filter(pk=submission.pk).update(
            status=to, updated_at=timezone.now(), **fields
        )
        submission.status = to
        for name, value in fields.items():
            setattr(submission, name, value)
        event_record(
            submission=submission,
            action=_STATUS_EVENTS[to],
            actor=actor,
            from_value=current,
            to_value=to,
        )
        submission_status_changed.send(
            sender=Submission, submission=submission, old=current, new=to
        )
    return submission


def _status_refusal(*, submission: Submission, to: str) -> str:
    noun = submission.get_kind_display().lower()
    if submission.status == Submission.Status.MERGED:
        return f"This {noun} is merged into another one; approve or decline that one instead."
    if submission.status == to:
        return f"This {noun} is already {_STATUS_WORDS.get(to, to)}."
    return f"A {submission.get_status_display().lower()} {noun} cannot be {_STATUS_WORDS[to]}."


def submission_approve(*, submission: Submission, actor=None) -> Submission:
    return _submission_move_status(
        submission=submission, to=Submission.Status.APPROVED, actor=actor
    )


def submission_decline(*, submission: Submission, actor=None, reason: str = "") -> Submission:
    """Decline, with an optional private reason (only hosts ever see it).

    The reason replaces any earlier one; it stays stored if the submission is approved or
    reopened later, and the pages show it only while the submission is declined.
    """
    reason = reason.replace("\r\n", "\n").strip()
    if len(reason) > DECLINE_REASON_MAX_CHARS:
        raise ValidationError(
            f"The reason is {len(reason):,} characters long; "
            f"keep it under {DECLINE_REASON_MAX_CHARS:,}.",
            code="too_long",
        )
    return _submission_move_status(
        submission=submission, to=Submission.Status.DECLINED, actor=actor, decline_reason=reason
    )


def submission_reopen(*, submission: Submission, actor=None) -> Submission:
    """Back to new: the host wants to decide again later."""
    return _submission_move_status(submission=submission, to=Submission.Status.NEW, actor=actor)


def _refuse_if_merged(submission: Submission, what: str) -> None:
    """A merged submission is settled by its primary: its words, tags and notes stay as they
    were (undo the merge first)."""
    if submission.is_merged:
        noun = submission.get_kind_display().lower()
        raise ValidationError(
            f"This {noun} is merged into #{submission.merged_into_id}; undo the merge to "
            f"change its {what}.",
            code="merged",
        )


def submission_transcript_correct(*, submission: Submission, text: str, actor=None) -> Submission:
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
    _refuse_if_merged(submission, "words")
    original = (submission.transcript or submission.text).replace("\r\n", "\n").strip()
    if corrected == original:
        corrected = ""
    before = submission.transcript_edited
    submission.transcript_edited = corrected
    with transaction.atomic():
        submission.save(update_fields=["transcript_edited", "updated_at"])
        if corrected != before:
            event_record(
                submission=submission,
                action=SubmissionEvent.Action.CORRECTED,
                actor=actor,
                from_value=before,
                to_value=corrected,
            )
    # The host's words are the better signal for which part of the essay this is about, and
    # for its similar questions: worked out again in the worker (never in this request).
    submission_analyse_later(submission=submission)
    submission_words_changed.send(sender=Submission, submission=submission)
    return submission


def _titles(topics) -> str:
    ordered = sorted(topics, key=lambda topic: (topic.position, topic.pk))
    return ", ".join(topic.title for topic in ordered)


def submission_tag(*, submission: Submission, topics: list[Topic], actor=None) -> Submission:
    """Tag a submission with exactly these topics of its own episode."""
    foreign = [topic for topic in topics if topic.episode_id != submission.episode_id]
    if foreign:
        titles = ", ".join(f"\u201c{topic.title}\u201d" for topic in foreign)
        raise ValidationError(
            f"{titles} {'is not a topic' if len(foreign) == 1 else 'are not topics'} "
            "of this episode.",
            code="foreign_topic",
        )
    _refuse_if_merged(submission, "topics")
    with transaction.atomic():
        # From the table, not a list the page may have prefetched.
        before = list(Topic.objects.filter(submissions__pk=submission.pk))
        submission.topics.set(topics)
        if {topic.pk for topic in before} != {topic.pk for topic in topics}:
            # The inbox's live updates look for rows changed since their last look.
            Submission.objects.filter(pk=submission.pk).update(updated_at=timezone.now())
            event_record(
                submission=submission,
                action=SubmissionEvent.Action.TAGGED,
                actor=actor,
                from_value=_titles(before),
                to_value=_titles(topics),
            )
    submission_tagged.send(sender=Submission, submission=submission)
    return submission


def submission_notes_update(*, submission: Submission, notes: str, actor=None) -> Submission:
    """The hosts' private notes on a submission (empty clears them)."""
    notes = notes.replace("\r\n", "\n").strip()
    if len(notes) > NOTES_MAX_CHARS:
        raise ValidationError(
            f"The notes are {len(notes):,} characters long; keep them under {NOTES_MAX_CHARS:,}.",
            code="too_long",
        )
    with transaction.atomic():
        before, submission.status, submission.merged_into_id = (
            Submission.objects.select_for_update()
            .values_list("host_notes", "status", "merged_into")
            .get(pk=submission.pk)
        )
        _refuse_if_merged(submission, "notes")
        submission.host_notes = notes
        if notes == before:
            return submission
        Submission.objects.filter(pk=submission.pk).update(
            host_notes=notes, updated_at=timezone.now()
        )
        event_record(
            submission=submission,
            action=SubmissionEvent.Action.NOTED,
            actor=actor,
            from_value=before,
            to_value=notes,
        )
    return submission
