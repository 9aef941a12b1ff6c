"""How long the show runs: durations typed as rundown tools take them, and the sheet's clock.

Pure functions over plain numbers, so the page's script (static/dashboard/runsheet.js) can do
the same sums while a host drags, and tests can pin them in tables.

- An entry takes its clip's length when the clip is played, or the time to read the question
  aloud (READING_WORDS_PER_MINUTE), plus the hosts' answer time.
- Front timing: the running clock at the start of every segment and entry (00:00, 03:42, ...);
  a segment's extra time (its intro) comes before its entries.
- Back timing: the latest each segment may start and still let the show end on target.
"""

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

READING_WORDS_PER_MINUTE = 150

_CLOCK = re.compile(r"(?:(\d+):)?(\d+):(\d{1,2})")
_UNITS = re.compile(
    r"(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s)?"
)
_UNIT_WORDS = {"hours": "h", "hour": "h", "hr": "h", "min": "m", "mins": "m", "minutes": "m",
               "minute": "m", "sec": "s", "secs": "s", "seconds": "s", "second": "s"}  # fmt: skip
MAX_SECONDS = 24 * 3600


class DurationError(ValueError):
    """A duration that cannot be read; its message says how to type one."""


def duration_parse(text: str) -> int:
    """Seconds in a duration typed as a rundown tool takes it.

    "92" -> 92 (a bare number is seconds: 1:32), "1:30" -> 90, "1:02:03" -> 3723,
    "4m" -> 240, "90s" -> 90, "1m30s" / "1m 30s" -> 90, "1h" -> 3600, "2.5m" -> 150.
    """
    raw = (text or "").strip().lower()
    for word, unit in _UNIT_WORDS.items():
        raw = re.sub(rf"(?<=[\d\s]){word}\b", unit, raw)
    if not raw:
        raise DurationError("Type a duration, like 90, 1:30 or 4m.")
    if raw.isdigit():
        seconds = int(raw)
    elif match := _CLOCK.fullmatch(raw):
        hours, minutes, secs = (int(part) if part else 0 for part in match.groups())
        if secs >= 60 or (hours and minutes >= 60):
            raise DurationError(f"“{text.strip()}” is not a time: seconds run from 00 to 59.")
        seconds = hours * 3600 + minutes * 60 + secs
    elif (match := _UNITS.fullmatch(raw)) and any(match.groups()):
        hours, minutes, secs = (float(part) if part else 0.0 for part in match.groups())
        seconds = round(hours * 3600 + minutes * 60 + secs)
    else:
        raise DurationError(
            f"“{text.strip()}” is not a duration we can read; type 90 (seconds), 1:30 or 4m."
        )
    if seconds > MAX_SECONDS:
        raise DurationError("That is longer than a day; type minutes and seconds, like 4:30.")
    return seconds


def reading_seconds(text: str) -> int:
    """Seconds to read `text` aloud at READING_WORDS_PER_MINUTE, rounded up."""
    words = len((text or "").split())
    return math.ceil(words * 60 / READING_WORDS_PER_MINUTE)


def entry_seconds(
    *, plays_clip: bool, clip_seconds: float | None, text: str, answer_seconds: int
) -> int:
    """An entry's planned time: the clip (or reading the question) plus the answer."""
    asked = math.ceil(clip_seconds) if plays_clip and clip_seconds else reading_seconds(text)
    return asked + answer_seconds


@dataclass(frozen=True)
class SegmentClock:
    starts_at: int  # front timing, seconds from the top of the show
    total: int  # extra time plus every entry
    latest_start: int  # back timing: start by then to finish on target (negative: too late)
    entry_starts: tuple[int, ...]  # front timing of each entry


@dataclass(frozen=True)
class SheetClock:
    segments: tuple[SegmentClock, ...]
    planned: int
    target: int

    @property
    def over(self) -> int:
        """Seconds over the target (negative: under)."""
        return self.planned - self.target


def sheet_clock(
    segments: Sequence[tuple[int, Sequence[int]]], *, target_seconds: int
) -> SheetClock:
    """The clock of a whole sheet from each segment's (extra seconds, entry durations)."""
    totals = [extra + sum(durations) for extra, durations in segments]
    planned = sum(totals)
    clocks = []
    elapsed = 0
    remaining = planned
    for (extra, durations), total in zip(segments, totals, strict=True):
        starts = []
        at = elapsed + extra
        for duration in durations:
            starts.append(at)
            at += duration
        clocks.append(
            SegmentClock(
                starts_at=elapsed,
                total=total,
                latest_start=target_seconds - remaining,
                entry_starts=tuple(starts),
            )
        )
        elapsed += total
        remaining -= total
    return SheetClock(segments=tuple(clocks), planned=planned, target=target_seconds)
