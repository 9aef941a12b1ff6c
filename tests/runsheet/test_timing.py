"""Durations typed as rundown tools take them, and the sheet's front and back timing."""

import pytest

from episodes.formatting import clock
from runsheet.timing import (
    DurationError,
    duration_parse,
    entry_seconds,
    reading_seconds,
    sheet_clock,
)


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [
        ("92", 92),  # a bare number is seconds: 1:32
        ("0", 0),
        ("1:30", 90),
        ("01:30", 90),
        ("0:05", 5),
        ("1:02:03", 3723),
        ("4m", 240),
        ("90s", 90),
        ("1m30s", 90),
        ("1m 30s", 90),
        ("1h", 3600),
        ("1h 2m 3s", 3723),
        ("2.5m", 150),
        (" 4 min ", 240),
        ("4 minutes", 240),
        ("30 sec", 30),
        ("1 hour", 3600),
        ("4M", 240),
    ],
)
def test_durations_are_read_as_rundown_tools_read_them(typed, seconds):
    assert duration_parse(typed) == seconds


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Type a duration"),
        ("   ", "Type a duration"),
        ("soon", "not a duration we can read"),
        ("1:75", "seconds run from 00 to 59"),
        ("1:60:00", "seconds run from 00 to 59"),
        ("-5", "not a duration"),
        ("4x", "not a duration"),
        ("1:2:3:4", "not a duration"),
        ("25h", "longer than a day"),
    ],
)
def test_unreadable_durations_say_how_to_type_one(typed, says):
    with pytest.raises(DurationError, match=says):
        duration_parse(typed)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "0:00"), (5, "0:05"), (92, "1:32"), (222, "3:42"), (3600, "1:00:00"), (3723, "1:02:03"),
     (-90, "-1:30"), (59.6, "1:00"), (None, "")],
)  # fmt: skip
def test_clock_shows_m_ss_or_h_mm_ss(seconds, shown):
    assert clock(seconds) == shown


def test_reading_time_is_150_words_a_minute_rounded_up():
    assert reading_seconds("") == 0
    assert reading_seconds("word " * 150) == 60
    assert reading_seconds("word " * 151) == 61
    assert reading_seconds("Is pre-training over?") == 2  # 3 words = 1.2 s -> 2 s


@pytest.mark.parametrize(
    ("plays_clip", "clip", "text", "answer", "seconds"),
    [
        (True, 11.2, "ignored when the clip plays", 120, 12 + 120),
        (False, 11.2, "word " * 75, 120, 30 + 120),
        (True, None, "word " * 75, 60, 30 + 60),  # no clip to play: read it
        (False, None, "", 0, 0),
    ],
)
def test_an_entry_takes_its_clip_or_its_reading_plus_the_answer(
    plays_clip, clip, text, answer, seconds
):
    assert (
        entry_seconds(plays_clip=plays_clip, clip_seconds=clip, text=text, answer_seconds=answer)
        == seconds
    )


def test_front_and_back_timing_of_a_sheet():
    # Intro (30 s, no entries), a topic with two entries, a lightning round with one.
    clock_ = sheet_clock([(30, []), (10, [100, 200]), (0, [60])], target_seconds=600)

    assert [s.starts_at for s in clock_.segments] == [0, 30, 340]
    assert [s.total for s in clock_.segments] == [30, 310, 60]
    assert [s.entry_starts for s in clock_.segments] == [(), (40, 140), (340,)]
    # Back timing: start the last segment by 540 s (600 - 60) to finish on time.
    assert [s.latest_start for s in clock_.segments] == [200, 230, 540]
    assert (clock_.planned, clock_.target, clock_.over) == (400, 600, -200)


def test_an_overlong_sheet_says_by_how_much_and_starts_late():
    clock_ = sheet_clock([(0, [400]), (0, [400])], target_seconds=600)
    assert clock_.over == 200
    assert [s.latest_start for s in clock_.segments] == [-200, 200]
    assert sheet_clock([], target_seconds=600).planned == 0
