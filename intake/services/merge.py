"""Folding a duplicate question into the one the host keeps, and undoing it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake.models import Submission, SubmissionEvent
from intake.services.analysis import submission_analyse_later
from intake.services.events import event_record, merge_status_before, submission_ref
from intake.signals import submission_merged

MERGED = SubmissionEvent.Action.MERGED
# What an unmerged submission may go back to (anything else in an old event means "new").
_RESTORABLE = frozenset(
    {Submission.Status.NEW, Submission.Status.APPROVED, Submission.Status.DECLINED}
)


def submission_merge(*, duplicate: Submission, primary: Submission, actor=None) -> Submission:
    """Fold `duplicate` into `primary`; returns the primary.

    The duplicate is kept, in the merged state and pointing at its primary, so the host still
    sees who asked and what they said. The primary gains the duplicate's topic tags, and
    whatever had been merged into the duplicate now points at the primary too. Both rows get a
    merged event naming the other (the duplicate's keeps its status before the merge, which
    submission_unmerge restores), and so does each re-pointed submission.
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
        status_before = rows[duplicate.pk].status
        Submission.objects.filter(pk=duplicate.pk).update(
            status=Submission.Status.MERGED, merged_into=primary.pk, updated_at=now
        )
        moved = list(
            Submission.objects.filter(merged_into=duplicate.pk).values_list("pk", flat=True)
        )
        Submission.objects.filter(pk__in=moved).update(merged_into=primary.pk, updated_at=now)
        event_record(
            submission=duplicate,
            action=MERGED,
            actor=actor,
            from_value=status_before,
            to_value=submission_ref(primary),
        )
        event_record(
            submission=primary, action=MERGED, actor=actor, to_value=submission_ref(duplicate)
        )
        for pk in moved:
            # Still merged, now into the primary; it keeps the status it had before its own
            # merge, for an undo later.
            before = merge_status_before(duplicate=pk, primary_id=duplicate.pk)
            event_record(
                submission=pk,
                action=MERGED,
                actor=actor,
                from_value=before or Submission.Status.NEW,
                to_value=submission_ref(primary),
            )
        primary.topics.add(*duplicate.topics.all())
        Submission.objects.filter(pk=primary.pk).update(updated_at=now)
        duplicate.refresh_from_db()
        primary.refresh_from_db()
        submission_merged.send(sender=Submission, duplicate=duplicate, primary=primary)
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


def submission_unmerge(*, duplicate: Submission, actor=None) -> Submission:
    """Undo a merge: `duplicate` comes back on its own; returns it.

    Its status goes back to what it was before the merge (from its merged event; "new" when
    there is none), it no longer points at its primary, so its asker leaves the primary's
    askers. The primary keeps the topic tags it gained. Both rows get an unmerged event.
    Whatever had been merged into the duplicate before it was merged itself stays with the
    primary.
    """
    with transaction.atomic():
        current = Submission.objects.select_for_update().filter(pk=duplicate.pk).first()
        if current is None:
            raise ValidationError("That submission no longer exists.", code="missing")
        if current.status != Submission.Status.MERGED or current.merged_into_id is None:
            noun = current.get_kind_display().lower()
            raise ValidationError(f"This {noun} is not merged into another.", code="not_merged")
        primary_id = current.merged_into_id
        restored = merge_status_before(duplicate=current, primary_id=primary_id)
        if restored not in _RESTORABLE:
            restored = Submission.Status.NEW
        Submission.objects.filter(pk=current.pk).update(
            status=restored, merged_into=None, updated_at=timezone.now()
        )
        Submission.objects.filter(pk=primary_id).update(updated_at=timezone.now())
        event_record(
            submission=current,
            action=SubmissionEvent.Action.UNMERGED,
            actor=actor,
            from_value=submission_ref(primary_id),
            to_value=restored,
        )
        event_record(
            submission=primary_id,
            action=SubmissionEvent.Action.UNMERGED,
            actor=actor,
            from_value=submission_ref(current),
        )
        # Questions that arrived while it was merged were not compared with it: find its
        # similar questions again (in the worker).
        submission_analyse_later(submission=current, force=True)
    duplicate.refresh_from_db()
    return duplicate
