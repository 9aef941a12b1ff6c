"""The order a recording walks the run-sheet in: for each segment, its own time first (an
intro, a read: only when it has some), then its entries. The live services and the pages
read the same order from here."""

from collections.abc import Iterable, Sequence

from runsheet.models import Airing, Entry, Segment


def airing_steps(segments: Iterable[tuple[Segment, Sequence[Entry]]]) -> list[Segment | Entry]:
    """Every step in show order, from (segment, its entries in order) pairs.

    A segment is a step of its own when it has time of its own, or when it already took part
    in the recording (its time was set to 0 since: it keeps its stamps and its place).
    """
    steps: list[Segment | Entry] = []
    for segment, entries in segments:
        if segment.extra_seconds > 0 or segment.state != Airing.PLANNED:
            steps.append(segment)
        steps.extend(entries)
    return steps


def step_key(step: Segment | Entry | None) -> str:
    """How a page names a step when it posts an action: "entry-12", "segment-3", "none"."""
    if step is None:
        return "none"
    return f"{'entry' if isinstance(step, Entry) else 'segment'}-{step.pk}"


def next_planned(steps: Sequence, current_index: int | None):
    """What Next reaches: the first planned step after the live one (with nothing live, the
    first planned step of the sheet); None at the end. `steps` are rows or views of rows,
    anything with a `state`."""
    start = 0 if current_index is None else current_index + 1
    return next((step for step in steps[start:] if step.state == Airing.PLANNED), None)


def back_target(steps: Sequence, current_index: int | None):
    """What Back returns to: the last aired or skipped step before the live one (with nothing
    live, of the whole sheet); None at the top."""
    before = steps if current_index is None else steps[:current_index]
    return next(
        (step for step in reversed(before) if step.state in (Airing.AIRED, Airing.SKIPPED)), None
    )
