"""What a recording turns into: the episode's chapters, read from a RecordingView.

One chapter where each segment starts and one per question that aired; nothing for skipped
or unreached questions, nor for a segment of which nothing went out. A segment starts at its
first step on air: its own time (an intro) when it has some, else its first question that
aired (the earliest of its steps on the show's clock, so a question taken after all with
Back still counts from when it went out).

Times are RecordingView.air_time: whole seconds of the show's clock (pauses left out) minus
the editor's trim, never negative. The chapters are in time order; when a segment and its
first question start at the same second, the segment comes first. The JSON chapters and the
show notes (runsheet.exporters) and the summary page all read this one list.
"""

from dataclasses import dataclass

from episodes.formatting import question_gist
from runsheet.selectors import RecordingView, StepRow
from runsheet.selectors.sheet import SegmentRow

SEGMENT = "segment"
QUESTION = "question"


@dataclass(frozen=True)
class Chapter:
    start: int  # seconds into the edited episode
    title: str
    kind: str  # SEGMENT or QUESTION
    segment: SegmentRow
    row: StepRow | None  # the question (None for a segment's chapter)
    order: int  # place of its first step in the show, to break ties


def chapters_list(view: RecordingView) -> list[Chapter]:
    """The episode's chapters in time order (see the module's docstring)."""
    chapters: list[Chapter] = []
    # id(segment row) -> (start, order) of its earliest step on air
    segment_starts: dict[int, tuple[int, int]] = {}
    for order, row in enumerate(view.steps):
        start = view.air_time(row)
        if start is None:
            continue
        key = id(row.segment)
        if key not in segment_starts or (start, order) < segment_starts[key]:
            segment_starts[key] = (start, order)
        if row.entry is not None:
            chapters.append(Chapter(start, question_title(row), QUESTION, row.segment, row, order))
    for segment in view.sheet.segments:
        if id(segment) in segment_starts:
            start, order = segment_starts[id(segment)]
            chapters.append(Chapter(start, segment.segment.title, SEGMENT, segment, None, order))
    return sorted(chapters, key=lambda c: (c.start, c.order, c.kind != SEGMENT))


def question_title(row: StepRow) -> str:
    """ "Asker: the question's gist", or only the asker for a question with no words yet (a
    voice message not transcribed)."""
    return row.title if question_gist(row.entry.text) else row.asker


def questions_by_segment(view: RecordingView) -> list[tuple[SegmentRow, list[Chapter]]]:
    """The aired questions' chapters grouped by segment, segments in running order (those
    with no aired question left out), each segment's questions in time order."""
    groups: dict[int, list[Chapter]] = {}
    for chapter in chapters_list(view):
        if chapter.kind == QUESTION:
            groups.setdefault(id(chapter.segment), []).append(chapter)
    return [
        (segment, groups[id(segment)]) for segment in view.sheet.segments if id(segment) in groups
    ]


def timestamp(seconds: int) -> str:
    """A chapter time as show notes write it: "03:12" under an hour, "1:02:03" from one."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"
