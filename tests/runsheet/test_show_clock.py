"""The show's clock and its colours, pinned in tables (the live page's script does the same
sums with the thresholds the server hands it)."""

import datetime as dt

import pytest

from runsheet import show_clock

T0 = dt.datetime(2026, 12, 7, 17, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("now", "ended", "paused_at", "paused", "expected"),
    [
        (at(90), None, None, 0, 90),
        (at(90), None, None, 30, 60),  # a 30 s break, over
        (at(90), None, at(40), 0, 40),  # paused at 40: the clock stands still
        (at(90), None, at(40), 10, 30),  # an earlier break, and paused again now
        (at(900), at(120), None, 20, 100),  # ended: the clock stopped at the end
        (at(60), at(120), None, 20, 100),  # ended, read on a clock behind the server's
        (at(-5), None, None, 0, 0),  # a laptop clock behind the server: never negative
    ],
)
def test_show_seconds(now, ended, paused_at, paused, expected):
    seconds = show_clock.show_seconds(
        started_at=T0, now=now, ended_at=ended, paused_at=paused_at, paused_seconds=paused
    )
    assert seconds == expected


@pytest.mark.parametrize(
    ("elapsed", "planned", "level"),
    [
        (0, 120, "ok"),
        (101, 120, "ok"),  # 19 s left; amber from 18 s (15 %)
        (102, 120, "amber"),
        (120, 120, "amber"),  # exactly on time
        (121, 120, "red"),  # overrunning
        (15, 20, "amber"),  # short items: amber for the last 10 s at least
        (9, 20, "ok"),
    ],
)
def test_item_level(elapsed, planned, level):
    assert show_clock.item_level(elapsed=elapsed, planned=planned) == level


@pytest.mark.parametrize(
    ("over", "target", "level"),
    [
        (-300, 3600, "ok"),
        (0, 3600, "ok"),
        (1, 3600, "amber"),
        (180, 3600, "amber"),  # 5 % of an hour
        (181, 3600, "red"),
        (60, 600, "amber"),  # short shows: a minute of leeway at least
        (61, 600, "red"),
    ],
)
def test_show_level(over, target, level):
    assert show_clock.show_level(over=over, target=target) == level


def test_projected_end_counts_an_overrun_once():
    # 100 s in; the live item planned 60 s has run 80 s (no time left, not negative);
    # 300 s still planned after it.
    assert (
        show_clock.projected_end(
            now_show=100, current_elapsed=80, current_planned=60, planned_after=300
        )
        == 400
    )
    assert (
        show_clock.projected_end(
            now_show=100, current_elapsed=20, current_planned=60, planned_after=300
        )
        == 440
    )
    assert (
        show_clock.projected_end(
            now_show=100, current_elapsed=None, current_planned=0, planned_after=0
        )
        == 100
    )


@pytest.mark.parametrize(
    ("offset", "trim", "expected"), [(95.4, 30, 65), (95.6, 0, 96), (10, 30, 0), (0, 0, 0)]
)
def test_chapter_seconds(offset, trim, expected):
    assert show_clock.chapter_seconds(offset=offset, trim_seconds=trim) == expected
