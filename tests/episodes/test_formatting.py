"""How the ask page words an episode's deadline and renders the host's intro."""

import datetime as dt
import re

import pytest

from episodes.formatting import deadline_line, intro_html, question_gist, time_left_phrase

UTC = dt.UTC


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_the_issue_example():
    closes = at(2024, 12, 1, 23, 59)
    assert deadline_line(closes_at=closes, now=at(2024, 11, 29, 12, 0)) == (
        "Questions close Sunday 1 December, 23:59 UTC, in 2 days"
    )


@pytest.mark.parametrize(
    ("now", "phrase"),
    [
        (at(2024, 11, 25, 23, 0), "in 6 days"),
        (at(2024, 11, 30, 9, 0), "tomorrow"),
        (at(2024, 11, 30, 23, 0), "tomorrow"),
        (at(2024, 12, 1, 0, 30), "today, in 23 hours"),
        (at(2024, 12, 1, 18, 59), "today, in 5 hours"),
        (at(2024, 12, 1, 22, 59), "today, in 1 hour"),
        (at(2024, 12, 1, 23, 47), "in 12 minutes"),
        (at(2024, 12, 1, 23, 58, 45), "in 1 minute"),
        (at(2024, 12, 2, 0, 0), ""),
    ],
)
def test_time_left(now, phrase):
    assert time_left_phrase(until=at(2024, 12, 1, 23, 59), now=now) == phrase


def test_tomorrow_within_a_day_says_how_many_hours():
    assert time_left_phrase(until=at(2024, 12, 1, 2, 0), now=at(2024, 11, 30, 22, 0)) == (
        "tomorrow, in 4 hours"
    )


def test_shown_in_the_site_time_zone_with_its_name(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    line = deadline_line(closes_at=at(2024, 12, 1, 22, 59), now=at(2024, 11, 29, 12, 0))
    assert line == "Questions close Sunday 1 December, 23:59 CET, in 2 days"


def test_no_deadline_no_line():
    assert deadline_line(closes_at=None) == ""


def test_after_the_deadline_the_countdown_is_dropped():
    line = deadline_line(closes_at=at(2024, 12, 1, 23, 59), now=at(2024, 12, 3, 0, 0))
    assert line == "Questions close Sunday 1 December, 23:59 UTC"


def test_intro_markdown_is_rendered():
    html = intro_html("**Last call!**\n\n- one\n- two\n\nSee <https://example.com>.")
    assert "<strong>Last call!</strong>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "<iframe src=https://evil.example></iframe>",
        '<p style="position:fixed">overlay</p>',
    ],
)
def test_intro_never_passes_raw_html_through(hostile):
    html = intro_html(f"Hello\n\n{hostile}\n")
    tags = re.findall(r"<[a-zA-Z][^>]*>", html)
    assert {re.match(r"<(\w+)", tag).group(1) for tag in tags} <= {"p", "a"}
    for tag in tags:
        assert not re.search(r"\son\w+=|javascript:|style=|src=", tag), tag


@pytest.mark.parametrize(
    ("text", "gist"),
    [
        (
            "Hi, this is Sam from Berlin. Ilya said pre-training as we know it will end. "
            "What do you think replaces it: synthetic data, agents, or inference time compute?",
            "What do you think replaces it: synthetic data, agents, or inference time compute?",
        ),
        ("Love the show! Keep going.", "Love the show!"),  # no question: the first sentence
        ("Is 2.5x scaling real? And why?", "Is 2.5x scaling real?"),  # "2.5" ends nothing
        ("  what\nabout   agents  ", "what about agents"),
        ("", ""),
        ("Why " + "really " * 40 + "?", "Why " + " ".join(["really"] * 13) + "…"),
    ],
)
def test_question_gist(text, gist):
    assert question_gist(text) == gist
