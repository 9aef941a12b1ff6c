"""The run-sheet: the chosen questions ordered into timed segments, what the hosts read from.

An episode has at most one run-sheet (RunSheet), made of Segments in order, each holding
Entries in order; an Entry is one approved Submission. Timing is computed, never stored
(runsheet/timing.py), so it can never disagree with the rows.
"""

from django.db import models

from episodes.models import Episode, Topic
from intake.models import Submission


class RunSheet(models.Model):
    """One per episode, created by "Start the run-sheet". Its `version` goes up with every
    change, so a host's page that posts a new order from a stale copy is refused (409)."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="runsheet")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Run-sheet of {self.episode}"


class Segment(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="segments")
    title = models.CharField(max_length=200)
    # Null for free segments ("Intro", "Lightning round"). RESTRICT: a topic with a segment is
    # not deleted on its own (the topic services say so), but the episode takes both.
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.RESTRICT, related_name="segments"
    )
    position = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True, help_text="The hosts' talking points.")
    extra_seconds = models.PositiveIntegerField(
        default=0, help_text="Time the segment needs beyond its entries: an intro, a read."
    )

    class Meta:
        ordering = ["episode", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Entry(models.Model):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="entries")
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="runsheet_entries"
    )
    position = models.PositiveIntegerField(default=0)
    answer_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: the episode's default answer time."
    )
    notes = models.TextField(blank=True)
    # True: play the listener's recording on air; False: read the question out.
    # None: decide from the submission (play when there is audio with consent to air).
    play_clip = models.BooleanField(null=True, blank=True)
    # The essay passage shown beside the question, chosen by the worker (runsheet.tasks) or
    # picked by a host (then `passage_pinned`, and refreshes leave it alone).
    passage = models.TextField(blank=True)
    passage_pinned = models.BooleanField(default=False)
    passage_hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["segment__position", "position", "id"]
        verbose_name_plural = "entries"
        constraints = [
            # A submission belongs to one episode, so once overall is once per run-sheet.
            models.UniqueConstraint(fields=["submission"], name="entry_submission_once"),
        ]

    def __str__(self) -> str:
        return f"{self.segment}: #{self.submission_id}"

    @property
    def plays_clip(self) -> bool:
        """Whether the listener's recording is played on air (else the question is read).

        Never without consent to air, whatever was stored.
        """
        return self.play_clip is not False and entry_clip_allowed(self.submission)


def entry_clip_allowed(submission: Submission) -> bool:
    """A recording may be played on air only with the listener's consent."""
    return bool(submission.audio) and submission.consent_to_air
