"""Folding a duplicate question into the one the host keeps."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intake.models import Submission
from intake.signals import submission_merged


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
