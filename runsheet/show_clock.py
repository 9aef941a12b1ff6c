"""The show's clock while it is recorded, and how late things run: pure functions over plain
numbers, so the live page's script (static/dashboard/recording.js) does the same sums every
second, and tests pin them in tables.

- Show time: seconds since the recording started, minus its pauses. A pause is a break the
  editor cuts (or that was never recorded), so chapters and "how long it took" leave it out.
- Levels: "ok", "amber", "red". An item turns amber in its last stretch (WARN_SHARE of its
  planned time, at least WARN_MIN_SECONDS) and red once it overruns; the show turns amber when
  it is projected to end over its target by up to SHOW_AMBER_SHARE of the target (at least
  SHOW_AMBER_MIN_SECONDS), red beyond.
"""

import datetime as dt

WARN_SHARE = 0.15
WARN_MIN_SECONDS = 10
SHOW_AMBER_SHARE = 0.05
SHOW_AMBER_MIN_SECONDS = 60


def show_seconds(
    *,
    started_at: dt.datetime,
    now: dt.datetime,
    ended_at: dt.datetime | None = None,
    paused_at: dt.datetime | None = None,
    paused_seconds: float = 0.0,
) -> float:
    """Seconds of show at `now`: the clock stops while paused, and at the end (an ended
    recording lasts what it lasted, whatever a clock says now)."""
    until = ended_at or now
    if paused_at is not None:
        until = min(until, paused_at)
    return max(0.0, (until - started_at).total_seconds() - paused_seconds)


def item_warn_seconds(planned: float) -> float:
    """How long before its planned end an item turns amber."""
    return max(WARN_MIN_SECONDS, WARN_SHARE * planned)


def item_level(*, elapsed: float, planned: float) -> str:
    remaining = planned - elapsed
    if remaining < 0:
        return "red"
    if remaining <= item_warn_seconds(planned):
        return "amber"
    return "ok"


def show_amber_seconds(target: float) -> float:
    """How far over its target the show may be projected to end before it turns red."""
    return max(SHOW_AMBER_MIN_SECONDS, SHOW_AMBER_SHARE * target)


def show_level(*, over: float, target: float) -> str:
    """`over`: seconds the show is projected to run past its target (negative: early)."""
    if over <= 0:
        return "ok"
    if over <= show_amber_seconds(target):
        return "amber"
    return "red"


def projected_end(
    *, now_show: float, current_elapsed: float | None, current_planned: float, planned_after: float
) -> float:
    """When the show will end at this rate: now, plus what the current item has left (at
    least nothing), plus every item still planned after it."""
    left = 0.0 if current_elapsed is None else max(0.0, current_planned - current_elapsed)
    return now_show + left + planned_after


def chapter_seconds(*, offset: float, trim_seconds: int) -> int:
    """Where something that went live `offset` seconds into the show is in the edited
    episode: `trim_seconds` earlier, never before its start, in whole seconds."""
    return max(0, round(offset - trim_seconds))
