"""The run-sheet as a recording sees it: every step in show order with its plan and what
happened, the show's clock, and how late it runs. Four queries: the sheet (runsheet_view)
and the newest recording.

The live page draws from it (and its script ticks the same sums: runsheet.show_clock), the
summary compares plan and actual, the chapters and show notes take their times from it.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone

from episodes.formatting import question_gist
from runsheet import show_clock
from runsheet.models import Airing, Entry, Recording, Segment
from runsheet.selectors.sheet import EntryRow, SegmentRow, SheetView, runsheet_view
from runsheet.steps import airing_steps, back_target, next_planned, step_key


@dataclass(frozen=True)
class StepRow:
    step: Segment | Entry
    segment: SegmentRow
    entry: EntryRow | None  # None: the segment's own time (its intro)
    planned: int  # seconds

    @property
    def key(self) -> str:
        return step_key(self.step)

    @property
    def kind(self) -> str:
        return "segment" if self.entry is None else "entry"

    @property
    def state(self) -> str:
        return self.step.state

    @property
    def is_live(self) -> bool:
        return self.step.state == Airing.LIVE

    @property
    def on_air(self) -> bool:
        """Went out, or is going out now."""
        return self.step.state in (Airing.LIVE, Airing.AIRED)

    @property
    def title(self) -> str:
        """One line: the segment's title, or "Asker: the question's gist"."""
        if self.entry is None:
            return self.segment.segment.title
        return f"{self.asker}: {question_gist(self.entry.text)}"

    @property
    def asker(self) -> str:
        """The name as the listener gave it, else "A listener"."""
        return (self.entry.submission.name.strip() if self.entry else "") or "A listener"


@dataclass(frozen=True)
class RecordingView:
    sheet: SheetView
    recording: Recording | None
    steps: list[StepRow] = field(default_factory=list)
    now: dt.datetime | None = None
    clock: float = 0.0  # the show's clock at `now`: seconds of show, pauses left out

    @property
    def episode(self):
        return self.sheet.episode

    @property
    def phase(self) -> str:
        """ "ready" (never recorded), "recording", "paused" or "ended"."""
        if self.recording is None:
            return "ready"
        if not self.recording.is_going_on:
            return "ended"
        return "paused" if self.recording.is_paused else "recording"

    @property
    def target(self) -> int:
        return self.sheet.target

    @property
    def planned(self) -> int:
        return sum(row.planned for row in self.steps)

    @cached_property
    def current_index(self) -> int | None:
        """0-based place of the live step in the show."""
        return next((index for index, row in enumerate(self.steps) if row.is_live), None)

    @property
    def current(self) -> StepRow | None:
        return None if self.current_index is None else self.steps[self.current_index]

    @property
    def next(self) -> StepRow | None:
        """What Next brings on (runsheet.steps.next_planned, as the service decides it)."""
        return next_planned(self.steps, self.current_index)

    @property
    def can_go_back(self) -> bool:
        """Whether Back has somewhere to go (runsheet.steps.back_target)."""
        return back_target(self.steps, self.current_index) is not None

    @property
    def current_elapsed(self) -> float | None:
        """Seconds the live step has been live this time, plus its earlier stretches."""
        row = self.current
        if row is None:
            return None
        return (row.step.aired_seconds or 0.0) + max(0.0, self.clock - row.step.live_since)

    @property
    def current_level(self) -> str:
        row = self.current
        if row is None:
            return "ok"
        return show_clock.item_level(elapsed=self.current_elapsed, planned=row.planned)

    @property
    def planned_after(self) -> int:
        """Planned seconds of every step still to come after the live one."""
        start = 0 if self.current_index is None else self.current_index + 1
        return sum(row.planned for row in self.steps[start:] if row.state == Airing.PLANNED)

    @property
    def projected(self) -> float:
        """When the show will end at this rate (seconds of show): the end, once it ended."""
        if self.phase == "ended":
            return self.clock
        if self.phase == "ready":
            return float(self.planned)
        current = self.current
        return show_clock.projected_end(
            now_show=self.clock,
            current_elapsed=self.current_elapsed,
            current_planned=current.planned if current else 0,
            planned_after=self.planned_after,
        )

    @property
    def over(self) -> float:
        """Seconds the show is projected to run past its target (negative: short of it)."""
        return self.projected - self.target

    @property
    def show_level(self) -> str:
        return show_clock.show_level(over=self.over, target=self.target)

    # --- After the show ---------------------------------------------------------------------

    @property
    def aired(self) -> list[StepRow]:
        return [row for row in self.steps if row.on_air]

    @property
    def skipped_entries(self) -> list[StepRow]:
        return [row for row in self.steps if row.entry and row.state == Airing.SKIPPED]

    @property
    def unreached_entries(self) -> list[StepRow]:
        """Questions still planned once the recording ended (it stopped before them)."""
        if self.phase != "ended":
            return []
        return [row for row in self.steps if row.entry and row.state == Airing.PLANNED]

    def actual(self, row: StepRow) -> float | None:
        """Seconds `row` took on air (the live one: so far); None if it never went out."""
        if row.is_live:
            return self.current_elapsed
        return (row.step.aired_seconds or 0.0) if row.on_air else None

    @property
    def trim_seconds(self) -> int:
        return self.recording.trim_seconds if self.recording else 0

    def air_time(self, row: StepRow) -> int | None:
        """Where `row` starts in the edited episode (trim applied), None if it never aired."""
        if not row.on_air:
            return None
        return show_clock.chapter_seconds(
            offset=row.step.aired_offset, trim_seconds=self.trim_seconds
        )


def recording_latest(*, episode) -> Recording | None:
    """The episode's newest recording, going on or ended (or None)."""
    return Recording.objects.filter(episode=episode).order_by("-started_at", "-id").first()


def recording_view(*, episode, now: dt.datetime | None = None) -> RecordingView:
    """The episode's run-sheet with its newest recording, at `now` (default: now)."""
    sheet = runsheet_view(episode=episode)
    recording = recording_latest(episode=episode)
    now = now or timezone.now()
    clock = recording.show_seconds(now) if recording is not None else 0.0
    rows_by_step: dict[int, StepRow] = {}
    for segment_row in sheet.segments:
        segment = segment_row.segment
        rows_by_step[id(segment)] = StepRow(segment, segment_row, None, segment.extra_seconds)
        for entry_row in segment_row.entries:
            rows_by_step[id(entry_row.entry)] = StepRow(
                entry_row.entry, segment_row, entry_row, entry_row.seconds
            )
    order = airing_steps(
        (row.segment, [entry_row.entry for entry_row in row.entries]) for row in sheet.segments
    )
    return RecordingView(
        sheet=sheet,
        recording=recording,
        steps=[rows_by_step[id(step)] for step in order],
        now=now,
        clock=clock,
    )
