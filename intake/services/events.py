"""The audit trail: one SubmissionEvent for every change a service makes to a submission.

Services call `event_record` inside the transaction that makes the change, so a change and
its event commit (or roll back) together. `actor` is the logged-in host who asked for it; None
for the listener, the worker and scripts.

What `from_value` and `to_value` hold, by action:

- received: nothing;
- approved, declined, reopened: the old and the new status (Submission.Status values);
- tagged: the topic titles before and after, comma-separated, in essay order;
- corrected: the host's correction before and after (empty: the original words);
- noted: the host notes before and after;
- merged: on the duplicate, its status before the merge -> "#<primary id>" (submission_unmerge
  restores that status); on the primary, "" -> "#<duplicate id>";
- unmerged: on the duplicate, "#<primary id>" -> the status it is back to; on the primary,
  "#<duplicate id>" -> "";
- transcribed, transcription_retried: the old and the new transcription state;
- transcription_failed: the old transcription state -> the reason;
- returned: the run-sheet state it had ("Skipped", "Planned": not reached) -> "pool", when a
  host sent the questions that did not air back to the pool after a recording;
- air_notice: nothing -> where the question comes in the episode ("12:34"), once the asker
  was told it made the show (runsheet.notices).
"""

from intake.models import Submission, SubmissionEvent

Action = SubmissionEvent.Action

# Free text (notes, corrections, reasons) is kept whole up to this length, then cut.
VALUE_MAX_CHARS = 2_000


def submission_ref(submission_or_id: Submission | int) -> str:
    """How an event names another submission: "#12"."""
    pk = getattr(submission_or_id, "pk", submission_or_id)
    return f"#{pk}"


def _value(value) -> str:
    text = "" if value is None else str(value)
    if len(text) > VALUE_MAX_CHARS:
        text = text[: VALUE_MAX_CHARS - 1] + "\u2026"
    return text


def _actor(actor):
    # An anonymous user (a view without login) or no user at all is recorded as nobody.
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def event_record(
    *,
    submission: Submission | int,
    action: str,
    actor=None,
    from_value="",
    to_value="",
) -> SubmissionEvent:
    """Write one audit event for `submission` (an instance or its id)."""
    if action not in Action.values:
        raise ValueError(f"Unknown submission event {action!r}")
    return SubmissionEvent.objects.create(
        submission_id=getattr(submission, "pk", submission),
        action=action,
        actor=_actor(actor),
        from_value=_value(from_value),
        to_value=_value(to_value),
    )


def merge_status_before(*, duplicate: Submission | int, primary_id: int) -> str | None:
    """The status `duplicate` had before it was merged into `primary_id`, from its latest
    merged event naming that primary; None when no such event exists (a merge made before the
    audit trail, or by hand)."""
    value = (
        SubmissionEvent.objects.filter(
            submission_id=getattr(duplicate, "pk", duplicate),
            action=Action.MERGED,
            to_value=submission_ref(primary_id),
        )
        .order_by("-created_at", "-id")
        .values_list("from_value", flat=True)
        .first()
    )
    return value
