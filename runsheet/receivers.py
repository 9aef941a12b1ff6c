"""The run-sheet's answers to what intake and episodes announce (connected in ready())."""

from django.dispatch import receiver

from episodes.signals import topics_changed
from intake.models import Submission
from intake.signals import (
    submission_merged,
    submission_status_changed,
    submission_tagged,
    submission_words_changed,
)
from runsheet.models import Entry
from runsheet.services.entries import entries_drop_for, entries_hand_over
from runsheet.services.passages import entry_passage_refresh_later


@receiver(submission_status_changed, dispatch_uid="runsheet-drop-unapproved")
def drop_when_no_longer_approved(sender, *, submission, new, **kwargs) -> None:
    # Declined or back to new: it leaves the sheet, in the same transaction as the decision.
    if new != Submission.Status.APPROVED:
        entries_drop_for(submission=submission)


@receiver(submission_merged, dispatch_uid="runsheet-hand-over-on-merge")
def hand_over_on_merge(sender, *, duplicate, primary, **kwargs) -> None:
    entries_hand_over(duplicate=duplicate, primary=primary)


@receiver(submission_words_changed, dispatch_uid="runsheet-passage-after-words")
@receiver(submission_tagged, dispatch_uid="runsheet-passage-after-tags")
def passage_again_for_submission(sender, *, submission, **kwargs) -> None:
    ids = list(Entry.objects.filter(submission=submission).values_list("pk", flat=True))
    entry_passage_refresh_later(entry_ids=ids)


@receiver(topics_changed, dispatch_uid="runsheet-passages-after-essay")
def passages_again_for_episode(sender, *, episode, **kwargs) -> None:
    ids = list(Entry.objects.filter(segment__episode=episode).values_list("pk", flat=True))
    entry_passage_refresh_later(entry_ids=ids)
