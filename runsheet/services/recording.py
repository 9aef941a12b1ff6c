"""Recording the show: Start, Next, Skip, Back, Pause, Resume and Stop, as a show caller runs
a rundown, plus what comes after (the editor's trim, unaired questions back to the pool).

Every action is one transaction under the lock of the episode's going-on Recording, stamps
times on the server (the show's clock: runsheet.show_clock) and bumps the recording's
version, so a reload, a second host's laptop or a crash loses nothing. A page posts the step
it believes is live (`expect`, runsheet.steps.step_key); when another host moved the show on
in between, the action is refused (RecordingMovedOn, answered 409) instead of doing it twice.

A step is an entry, or a segment's own time (runsheet.steps). Rows move between states only
as runsheet.models.AIRING_TRANSITIONS allows.
"""

import datetime as dt
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from episodes.models import Episode
from intake.models import SubmissionEvent
from intake.services.events import event_record
from runsheet.models import AIRING_TRANSITIONS, Airing, Entry, Recording, RunSheet, Segment
from runsheet.selectors.recording import recording_latest
from runsheet.services.sheet import positions_write, runsheet_change
from runsheet.steps import airing_steps, back_target, next_planned, step_key

AIR_FIELDS = ["state", "aired_at", "aired_seconds", "aired_offset", "live_since"]
MAX_TRIM_SECONDS = 6 * 3600


class RecordingMovedOn(ValidationError):
    """Someone else moved the show on since the page was drawn (answer 409)."""


@dataclass
class _Change:
    recording: Recording
    steps: list[Segment | Entry]
    current: Segment | Entry | None
    now: dt.datetime
    clock: float  # the show's clock at `now`


# The newest recording, going on or ended (or None): the one every page and export describes.
recording_current = recording_latest


def _steps(episode: Episode) -> list[Segment | Entry]:
    entries = Entry.objects.order_by("position", "id")
    segments = (
        Segment.objects.filter(episode=episode)
        .order_by("position", "id")
        .prefetch_related(Prefetch("entries", queryset=entries))
    )
    return airing_steps((segment, list(segment.entries.all())) for segment in segments)


def _move(step: Segment | Entry, to: str) -> None:
    if to not in AIRING_TRANSITIONS[step.state]:  # a bug, never a host's doing
        raise ValidationError(
            f"A {step.get_state_display().lower()} item cannot become {to}.", code="airing"
        )
    step.state = to


def _go_live(step: Segment | Entry, change: _Change) -> None:
    """A step reached for the first time (or again after a skip): stamped from now."""
    _move(step, Airing.LIVE)
    step.aired_at = change.now
    step.aired_offset = change.clock
    step.live_since = change.clock
    step.aired_seconds = None
    step.save(update_fields=AIR_FIELDS)


def _finish(step: Segment | Entry, change: _Change) -> None:
    """The live step is done: it aired, for as long as it has been live (every time)."""
    _move(step, Airing.AIRED)
    step.aired_seconds = (step.aired_seconds or 0.0) + max(0.0, change.clock - step.live_since)
    step.live_since = None
    step.save(update_fields=AIR_FIELDS)


def _unstamp(step: Segment | Entry, state: str) -> None:
    _move(step, state)
    step.aired_at = step.aired_offset = step.live_since = step.aired_seconds = None
    step.save(update_fields=AIR_FIELDS)


def _index(steps: Sequence, current) -> int | None:
    return None if current is None else steps.index(current)


@contextmanager
def _recording_change(*, episode: Episode, expect: str | None, now: dt.datetime | None):
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update()
            .filter(episode=episode, ended_at__isnull=True)
            .first()
        )
        if recording is None:
            raise ValidationError(
                "The show is not being recorded: press Start first.", code="not_recording"
            )
        steps = _steps(episode)
        current = next((step for step in steps if step.state == Airing.LIVE), None)
        if expect is not None and expect != step_key(current):
            raise RecordingMovedOn(
                "Someone else moved the show on a moment ago; here is where it is now.",
                code="moved_on",
            )
        now = now or timezone.now()
        yield _Change(recording, steps, current, now, recording.show_seconds(now))
        Recording.objects.filter(pk=recording.pk).update(version=F("version") + 1)
        recording.refresh_from_db(fields=["version"])


def _reset(episode: Episode) -> None:
    """Every step back to planned, for a new recording."""
    unstamped = {"state": Airing.PLANNED, "aired_at": None, "aired_seconds": None,
                 "aired_offset": None, "live_since": None}  # fmt: skip
    Entry.objects.filter(segment__episode=episode).exclude(state=Airing.PLANNED).update(**unstamped)
    Segment.objects.filter(episode=episode).exclude(state=Airing.PLANNED).update(**unstamped)


def recording_start(
    *, episode: Episode, by=None, again: bool = False, now: dt.datetime | None = None
) -> Recording:
    """Start recording: the clock starts and the first step goes live.

    Refused while a recording is going on, before the run-sheet exists or while it is empty,
    and, once the episode has been recorded, unless `again` (which puts every step back to
    planned: what aired last time is then forgotten).
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            # Two hosts pressing Start at once queue here; the second finds the first's row.
            Episode.objects.select_for_update().filter(pk=episode.pk).first()
            last = recording_current(episode=episode)
            if last is not None and last.is_going_on:
                raise ValidationError(
                    "The recording is already going on.", code="already_recording"
                )
            if not RunSheet.objects.filter(episode=episode).exists():
                raise ValidationError("Start the run-sheet first.", code="not_started")
            if last is not None and not again:
                raise ValidationError(
                    "This episode has been recorded already. Recording it again starts "
                    "from the top and forgets what aired last time.",
                    code="recorded",
                )
            _reset(episode)
            steps = _steps(episode)
            if not steps:
                raise ValidationError(
                    "There is nothing on the run-sheet to record yet: add questions, or give "
                    "a segment time of its own.",
                    code="empty",
                )
            recording = Recording.objects.create(episode=episode, started_at=now, started_by=by)
            _go_live(steps[0], _Change(recording, steps, None, now, 0.0))
    except IntegrityError:
        raise ValidationError(
            "The recording is already going on.", code="already_recording"
        ) from None
    return recording


def recording_next(
    *, episode: Episode, expect: str | None = None, now: dt.datetime | None = None
) -> Recording:
    """The live step aired; the next planned one goes live."""
    with _recording_change(episode=episode, expect=expect, now=now) as change:
        after = next_planned(change.steps, _index(change.steps, change.current))
        if change.current is None and after is None:
            raise ValidationError(
                "That was the last item on the run-sheet: press Stop when the show is done.",
                code="at_end",
            )
        if change.current is not None:
            _finish(change.current, change)
        if after is not None:
            _go_live(after, change)
    return change.recording


def recording_skip(
    *, episode: Episode, expect: str | None = None, now: dt.datetime | None = None
) -> Recording:
    """The live step is dropped (it did not air); the next planned one goes live."""
    with _recording_change(episode=episode, expect=expect, now=now) as change:
        if change.current is None:
            raise ValidationError("Nothing is live to skip.", code="nothing_live")
        after = next_planned(change.steps, _index(change.steps, change.current))
        _unstamp(change.current, Airing.SKIPPED)
        if after is not None:
            _go_live(after, change)
    return change.recording


def recording_back(
    *, episode: Episode, expect: str | None = None, now: dt.datetime | None = None
) -> Recording:
    """Back to the step before the live one: the live one is planned again (it was reached
    too early), the one before goes live again. An aired one keeps when it first went live
    and adds the new stretch to its time; a skipped one airs after all, from now."""
    with _recording_change(episode=episode, expect=expect, now=now) as change:
        steps, current = change.steps, change.current
        target = back_target(steps, _index(steps, current))
        if target is None:
            raise ValidationError("There is nothing before this to go back to.", code="at_top")
        if current is not None:
            _unstamp(current, Airing.PLANNED)
        if target.state == Airing.SKIPPED:
            _go_live(target, change)
        else:
            _move(target, Airing.LIVE)
            target.live_since = change.clock
            target.save(update_fields=AIR_FIELDS)
    return change.recording


def recording_pause(
    *, episode: Episode, expect: str | None = None, now: dt.datetime | None = None
) -> Recording:
    """A break: the show's clock (and the live step's) stops until Resume."""
    with _recording_change(episode=episode, expect=expect, now=now) as change:
        recording = change.recording
        if recording.is_paused:
            raise ValidationError("The recording is paused already.", code="paused")
        recording.paused_at = change.now
        recording.save(update_fields=["paused_at"])
    return recording


def recording_resume(
    *, episode: Episode, expect: str | None = None, now: dt.datetime | None = None
) -> Recording:
    with _recording_change(episode=episode, expect=expect, now=now) as change:
        recording = change.recording
        if not recording.is_paused:
            raise ValidationError("The recording is not paused.", code="not_paused")
        _fold_pause(recording, change.now)
        recording.save(update_fields=["paused_at", "paused_seconds"])
    return recording


def _fold_pause(recording: Recording, now: dt.datetime) -> None:
    if recording.paused_at is not None:
        pause = max(0.0, (now - recording.paused_at).total_seconds())
        recording.paused_seconds += pause
        recording.paused_at = None


def recording_stop(
    *, episode: Episode, expect: str | None = None, now: dt.datetime | None = None
) -> Recording:
    """The show is over: the live step aired (for as long as it ran), what was not reached
    stays planned, and the clock stops."""
    with _recording_change(episode=episode, expect=expect, now=now) as change:
        if change.current is not None:
            _finish(change.current, change)
        recording = change.recording
        _fold_pause(recording, change.now)
        recording.ended_at = change.now
        recording.save(update_fields=["ended_at", "paused_at", "paused_seconds"])
    return recording


# Every action the live page posts, by the name in its URL.
ACTIONS = {
    "next": recording_next,
    "skip": recording_skip,
    "back": recording_back,
    "pause": recording_pause,
    "resume": recording_resume,
    "stop": recording_stop,
}


# --- After the show -------------------------------------------------------------------------


def recording_trim(*, recording: Recording, trim_seconds: int) -> Recording:
    """How much the editor cut from the start; chapters and show notes move by it."""
    if not 0 <= trim_seconds <= MAX_TRIM_SECONDS:
        raise ValidationError(
            "The cut at the start must be between 0 and 6 hours.", code="trim_range"
        )
    Recording.objects.filter(pk=recording.pk).update(
        trim_seconds=trim_seconds, version=F("version") + 1
    )
    recording.refresh_from_db(fields=["trim_seconds", "version"])
    return recording


def recording_return_unaired(*, episode: Episode, by=None) -> int:
    """Once the recording has ended, take every question that did not air (skipped, or not
    reached) off the run-sheet: each is back in the pool, still approved and tagged, for the
    next run-sheet. Returns how many went back."""
    recording = recording_current(episode=episode)
    if recording is None or recording.is_going_on:
        raise ValidationError(
            "Questions go back to the pool after the recording has ended.", code="not_ended"
        )
    with runsheet_change(episode_id=episode.pk):
        unaired = list(
            Entry.objects.filter(
                segment__episode=episode, state__in=[Airing.SKIPPED, Airing.PLANNED]
            ).select_related("submission")
        )
        if not unaired:
            return 0
        segment_ids = {entry.segment_id for entry in unaired}
        for entry in unaired:
            event_record(
                submission=entry.submission,
                action=SubmissionEvent.Action.RETURNED,
                actor=by,
                from_value=entry.get_state_display(),
                to_value="pool",
            )
        Entry.objects.filter(pk__in=[entry.pk for entry in unaired]).delete()
        for segment_id in segment_ids:
            positions_write(list(Entry.objects.filter(segment_id=segment_id)))
    return len(unaired)
