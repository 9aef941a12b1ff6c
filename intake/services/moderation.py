"""A host's decisions on one submission: approve, decline, reopen, correct, tag.

The status rules are Submission.can_become (intake/models.py): views and templates ask them to
offer a button, these services ask them again under a row lock before acting.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from episodes.models import Topic
from intake.models import Submission
from intake.services.suggestions import submission_suggest_topic
from intake.signals import submission_status_changed, submission_tagged, submission_words_changed

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
        submission.status = current
        if not submission.can_become(to):
            raise ValidationError(_status_refusal(submission=submission, to=to), code="status")
        Submission.objects.filter(pk=submission.pk).update(status=to, updated_at=timezone.now())
        submission.status = to
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
    submission_words_changed.send(sender=Submission, submission=submission)
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
    submission_tagged.send(sender=Submission, submission=submission)
    return submission
