"""The run-sheet: the chosen questions ordered into timed segments, what the hosts read from.

An episode has at most one run-sheet (RunSheet), made of Segments in order, each holding
Entries in order; an Entry is one approved Submission. Planned timing is computed, never
stored (runsheet/timing.py), so it can never disagree with the rows.

While the show is recorded (a Recording), the hosts step through the sheet: each entry, and
each segment that has time of its own (an intro), goes planned -> live -> aired or skipped
(`Airing`, with its rules in AIRING_TRANSITIONS). What aired when is stamped on the rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from episodes.models import Episode, Topic
from intake.models import Submission
from runsheet import show_clock


class RunSheet(models.Model):
    """One per episode, created by "Start the run-sheet". Its `version` goes up with every
    change, so a host's page that posts a new order from a stale copy is refused (409)."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="runsheet")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Run-sheet of {self.episode}"


class Airing(models.TextChoices):
    """Where an entry (or a segment's own time) is in a recording."""

    PLANNED = "planned", "Planned"
    LIVE = "live", "Live"
    AIRED = "aired", "Aired"
    SKIPPED = "skipped", "Skipped"


# The one place that says which step a recording action may take (runsheet.services.recording
# enforces it; the live page and the admin ask it). Starting a new recording of the episode
# puts every row back to planned, outside these rules.
AIRING_TRANSITIONS: dict[str, frozenset[str]] = {
    Airing.PLANNED: frozenset({Airing.LIVE}),  # Next or Start reaches it
    # Next (aired), Skip (skipped), Back (planned again: it was reached too early)
    Airing.LIVE: frozenset({Airing.AIRED, Airing.SKIPPED, Airing.PLANNED}),
    Airing.AIRED: frozenset({Airing.LIVE}),  # Back to it
    Airing.SKIPPED: frozenset({Airing.LIVE}),  # Back over a skip takes it after all
}

# What went out (or is going out) in the recording: kept on the sheet for the chapters.
ON_AIR = frozenset({Airing.LIVE, Airing.AIRED})


class Airable(models.Model):
    """What a recording stamps on each of its steps.

    `aired_offset` and `live_since` are seconds of the show's clock (from the start of the
    recording, pauses left out), so chapters are exact whatever the wall clock did; `aired_at`
    is the wall-clock moment, for people.
    """

    state = models.CharField(max_length=10, choices=Airing.choices, default=Airing.PLANNED)
    aired_at = models.DateTimeField(null=True, blank=True, help_text="When it went live.")
    aired_seconds = models.FloatField(null=True, blank=True, help_text="How long it took.")
    aired_offset = models.FloatField(
        null=True, blank=True, help_text="Show-clock seconds when it went live (pauses left out)."
    )
    live_since = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def can_air_become(self, state: str) -> bool:
        return state in AIRING_TRANSITIONS[self.state]

    @property
    def is_live(self) -> bool:
        return self.state == Airing.LIVE

    @property
    def is_aired(self) -> bool:
        return self.state == Airing.AIRED

    @property
    def is_skipped(self) -> bool:
        return self.state == Airing.SKIPPED

    @classmethod
    def airing_constraints(cls, prefix: str) -> list[models.CheckConstraint]:
        """Stamps that match the state: planned and skipped rows carry none, live and aired
        rows always say when they went live; only a live row is timing a stretch."""
        unstamped = Q(aired_at__isnull=True, aired_offset__isnull=True, live_since__isnull=True)
        stamped = Q(aired_at__isnull=False, aired_offset__isnull=False)
        return [
            models.CheckConstraint(
                condition=Q(state__in=[Airing.PLANNED, Airing.SKIPPED], aired_seconds__isnull=True)
                & unstamped
                | Q(state=Airing.LIVE, live_since__isnull=False) & stamped
                | Q(state=Airing.AIRED, live_since__isnull=True, aired_seconds__isnull=False)
                & stamped,
                name=f"{prefix}_airing_stamps",
            ),
        ]


class Recording(models.Model):
    """One recording session of the episode, run from the live page.

    At most one is going on per episode (a constraint); the newest is the one the chapters,
    show notes and the summary describe. The show's clock is the time since `started_at`,
    minus the pauses (runsheet.show_clock).
    """

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="recordings")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    trim_seconds = models.PositiveIntegerField(
        default=0, help_text="How much the editor cut from the start: chapters move earlier by it."
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.FloatField(default=0)
    # Up by one with every action, so a page polling the state knows when to redraw.
    version = models.PositiveIntegerField(default=1)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(ended_at__isnull=True),
                name="recording_one_going_on_per_episode",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="recording_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(paused_at__isnull=True),
                name="recording_ended_is_not_paused",
            ),
            models.CheckConstraint(
                condition=Q(paused_seconds__gte=0), name="recording_pauses_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Recording of {self.episode} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_going_on(self) -> bool:
        return self.ended_at is None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def show_seconds(self, now) -> float:
        """The show's clock at `now` (runsheet.show_clock): pauses left out, stopped at the end."""
        return show_clock.show_seconds(
            started_at=self.started_at,
            now=now,
            ended_at=self.ended_at,
            paused_at=self.paused_at,
            paused_seconds=self.paused_seconds,
        )


class Segment(Airable, models.Model):
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
        constraints = Airable.airing_constraints("segment")

    def __str__(self) -> str:
        return self.title


class Entry(Airable, models.Model):
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
            *Airable.airing_constraints("entry"),
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
