"""Parsing an essay's Markdown into sections (no database)."""

import dataclasses
import json
import re
import time

import pytest

from dashboard.forms.topics import ESSAY_MAX_BYTES
from episodes.essay import SUMMARY_MAX_CHARS, essay_parse
from tests.conftest import ESSAY

MARKUP = re.compile(r"https?://|www\.|!\[|\]\(|\[\^|\*\*|substackcdn|footnote")


@pytest.fixture(scope="module")
def sections():
    return essay_parse(ESSAY.read_text(encoding="utf-8"))


def test_the_stand_in_essay_has_four_topics_in_order(sections):
    assert [s.title for s in sections] == [
        "What Ilya Saw in 2014",
        "What Ilya Saw in 2016-2017",
        "What Ilya Sees in 2024",
        "Bonus: What Did Ilya See in 2023?",
    ]


def test_summaries_are_short_plain_first_sentences(sections):
    for section in sections:
        assert section.summary, section.title
        assert len(section.summary) <= SUMMARY_MAX_CHARS
        assert not MARKUP.search(section.summary), section.summary
    # A lead-in ending in a colon takes the first list item with it.
    assert sections[0].summary == (
        "Ten years before the award, his NIPS 2014 talk about sequence-to-sequence learning rested "
        "on four bets, in our words: The deep learning hypothesis: any task a person can do in "
        "a fraction of a second, a large enough neural network can learn to do too."
    )
    assert sections[1].summary == (
        "Read today, the 2016-2017 emails are a strategy memo in slow motion: a young lab "
        "deciding what it was short of and what to buy first."
    )
    # A short bold first sentence is followed by the next one.
    assert sections[2].summary == (
        "His headline: the pre-training era is coming to a close. That was the line everyone "
        "clipped from his NeurIPS 2024 Test of Time talk, and the rest of the talk explained why."
    )
    assert sections[3].summary == (
        "Nobody outside the company knows what Ilya saw in 2023, and we will not pretend to. "
        "What we can do is line up the public record for that year and the one after it."
    )


def test_bodies_hold_the_whole_section_as_plain_text(sections):
    for section in sections:
        assert not MARKUP.search(section.body), MARKUP.search(section.body)
    first, second, third, fourth = (s.body for s in sections)
    assert "The scaling hypothesis" in first and "LSTMs" in first
    # Nested list items and blockquotes become paragraphs of their own.
    assert "\n\nGet the big picture right and the parts can be swapped out later.\n\n" in first
    # Link text stays, the URL goes; a bare URL goes and its sentence keeps its full stop.
    assert (
        "Two years later Nvidia agreed to buy Mellanox, the interconnect maker, in 2019." in second
    )
    assert "He wanted the GPU cluster taken from 600 GPUs to 5000 GPUs right away." in second
    assert "an early step on the road that led to GPT.\n\n" in first
    assert "Curious AI" in second and "Grok" in second and "yolo run" in second
    assert "fossil fuel of AI" in third and "What superintelligence will look like" in third
    assert "Q*, a reasoning project that became Strawberry and shipped as o1" in fourth
    assert "Weak-to-strong generalization" in fourth
    # An image's alt text is no part of the text.
    assert "timeline of the self-play results" not in second
    # The text before the first `##` (byline, call for questions) is no topic's.
    assert not any("Mailbag is open" in s.body or "Dec 18, 2024" in s.body for s in sections)
    assert not any("One researcher, four snapshots" in s.body for s in sections)


def test_footnotes_follow_the_section_that_cites_them(sections):
    first, second, third, fourth = (s.body for s in sections)
    # Footnote 3 is cited in the 2014 section but defined at the very end of the essay.
    assert first.endswith(
        "Biologists point out that a real neuron computes far more than a weighted sum."
    )
    # A `[^label]` note and a Substack note, both defined at the end, go to 2016-2017.
    assert "The exact wording changes between Grok versions" in second
    assert second.endswith("we have not checked how close OpenAI came.")
    assert "the wall is years away" in third
    for note in ("weighted sum", "Grok versions", "plan figures", "years away"):
        assert note not in fourth
    # Notes cited only before the first heading belong to no topic.
    assert not any("scorecard" in s.body or "remain private" in s.body for s in sections)


def section_plain(markdown: str) -> str:
    """The plain text a section made of `markdown` keeps (its body)."""
    [section] = essay_parse("## Section\n\n" + markdown)
    return section.body


def test_inline_markup_is_stripped():
    markdown = (
        "See [the paper](https://example.com/a_(b)) and <https://example.com>, "
        "or www.example.com/x. **Bold**, _italic_, *star*, ~~gone~~ and `code`.\n"
        '![chart](https://img.example/x.png "Chart") Q* and snake_case_name stay.\n'
        "A note[^1] and a Substack one[2](https://x.substack.com/p/y#footnote-2-99).\n"
        "<span>Tagged</span> &amp; escaped \\*stars\\*."
    )
    plain = section_plain(markdown)
    assert plain == (
        "See the paper and, or. Bold, italic, star, gone and code. "
        "Q* and snake_case_name stay. A note and a Substack one. Tagged & escaped *stars*."
    )


def test_lists_quotes_and_headings_inside_a_section_become_paragraphs():
    plain = section_plain("> quoted\n> on two lines\n\n- one\n- two\n1. three\n### Sub\n---\n")
    assert plain.split("\n\n") == ["quoted on two lines", "one", "two", "three", "Sub"]


def test_a_section_ends_at_the_next_heading_of_its_level_or_higher():
    markdown = (
        "# Essay title\n\nIntro text.\n\n"
        "## First\n\nFirst text.\n\n### Detail\n\nDetail text.\n\n"
        "# Appendix\n\nNot part of First.\n\n"
        "## Second ##\n\nSecond text.\n"
    )
    first, second = essay_parse(markdown)
    assert (first.title, second.title) == ("First", "Second")
    assert first.body == "First text.\n\nDetail\n\nDetail text."
    assert second.body == "Second text."


def test_heading_level_is_an_option():
    markdown = "## Part\n\nPart text.\n\n### One\n\nOne text.\n\n### Two\n\nTwo text.\n"
    assert [s.title for s in essay_parse(markdown, heading_level=3)] == ["One", "Two"]
    assert [s.title for s in essay_parse(markdown, heading_level=2)] == ["Part"]
    with pytest.raises(ValueError):
        essay_parse(markdown, heading_level=7)


def test_headings_inside_code_blocks_are_not_sections():
    markdown = "## Real\n\n```\n## not a heading\n```\n\n## Also real\n\ntext\n"
    assert [s.title for s in essay_parse(markdown)] == ["Real", "Also real"]


def test_heading_markup_is_removed_from_titles():
    [section] = essay_parse("## **What** [Ilya](https://x.com) saw\n\nText.\n")
    assert section.title == "What Ilya saw"


def test_summary_takes_one_or_two_sentences_and_clips_long_ones():
    [short] = essay_parse("## A\n\nFirst one. Second one. Third one.\n")
    assert short.summary == "First one. Second one."
    long_sentence = "word " * 100
    [clipped] = essay_parse(f"## B\n\n{long_sentence.strip()}.\n")
    assert len(clipped.summary) <= SUMMARY_MAX_CHARS
    assert clipped.summary.endswith("…")
    [empty] = essay_parse("## C\n\n![only an image](https://x/y.png)\n")
    assert (empty.summary, empty.body) == ("", "")


def test_text_before_any_heading_gives_no_sections():
    assert essay_parse("Just prose, no headings.\n\nMore prose.") == []


def test_the_stand_in_essay_parses_exactly_as_the_regex_parser_of_release_1_did():
    # Captured from the parser before it was made linear (issue 12), at every heading level.
    expected = json.loads(ESSAY.with_suffix(".sections.json").read_text(encoding="utf-8"))
    text = ESSAY.read_text(encoding="utf-8")
    for level, sections in expected.items():
        parsed = [dataclasses.asdict(s) for s in essay_parse(text, heading_level=int(level))]
        assert parsed == sections, level


# Each of these, repeated to fill a paste, once sent the parser back over the rest of the text
# from every repetition: 1 MB would take hours.
HOSTILE = {
    "footnote refs": "[^a",
    "images": "![",
    "autolinks": "<http:",
    "backticks": "`",
    "spaces": " ",
    "tabs": "\t",
    "no-break spaces": "&nbsp;",
    "link definitions": "[a\n",
}
MB = ESSAY_MAX_BYTES


def _paste(unit: str, size: int = MB) -> str:
    return "## Title\n\nWords " + unit * (size // len(unit))


def _parse_seconds(markdown: str) -> float:
    # CPU time of this process: other jobs on a busy CI machine do not count.
    started = time.process_time()
    sections = essay_parse(markdown)
    seconds = time.process_time() - started
    assert len(sections) == 1 and sections[0].title.startswith("Title")
    return seconds


@pytest.mark.parametrize("unit", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_one_megabyte_paste_parses_in_under_2_seconds(unit):
    assert _parse_seconds(_paste(unit)) < 2


@pytest.mark.parametrize(
    "markdown",
    [
        _paste("".join(unit * 1000 for unit in HOSTILE.values())),
        "## Title\n\n" + "[" * (MB // 5) + "a" + "](b)" * (MB // 5),  # links in links in...
        "## Title\n\n" + "*_" * (MB // 4) + "a" + "_*" * (MB // 4),
        "## Title" + " " * MB + "x",
        "## Title\n\n" + " " * MB + "x",
        "## Title\n\n---" + " " * MB + "x",
        "## Title\n\n[1](" + "#footnote-1" * (MB // 11),
    ],
    ids=[
        "mixed",
        "nested links",
        "nested emphasis",
        "spaces in a heading",
        "indented line",
        "table rule",
        "footnote link",
    ],
)
def test_mixed_and_nested_hostile_pastes_parse_in_under_2_seconds(markdown):
    assert _parse_seconds(markdown) < 2
