"""The parser and the matcher on the real example essay, which the project may not copy.

The essay (and its eight labelled questions) live in the shared fixtures folder beside the
project (tests/shared_fixtures.py says where). Without that folder these tests skip, or fail
when CI is set. Every other test uses our stand-in, tests/fixtures/essays/four-eras.md.
"""

import csv
import re
from functools import cache

from django.conf import settings

from episodes.essay import SUMMARY_MAX_CHARS, essay_parse
from episodes.matching.topics import topic_scores
from episodes.models import Topic
from tests.conftest import FIXTURES
from tests.shared_fixtures import require_shared

ESSAY = "fixtures/essays/what-ilya-saw.md"
QUESTIONS = "fixtures/topic_questions.csv"
HELD_OUT = FIXTURES.parent / "episodes" / "data" / "topic_questions_heldout.csv"
MARKUP = re.compile(r"https?://|www\.|!\[|\]\(|\[\^|\*\*|substackcdn|footnote")
TITLES = [
    "What Ilya Saw in 2014",
    "What Ilya Saw in 2016-2017",
    "What Ilya Sees in 2024",
    "Bonus: What Did Ilya See in 2023?",
]


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def real_sections():
    """The real essay's sections. Called inside each test (not in a fixture), so that without
    the folder a CI run reports these tests as failed rather than as set-up errors."""
    return _parse(require_shared(ESSAY) / ESSAY)


@cache
def _parse(path):
    return essay_parse(path.read_text(encoding="utf-8"))


def real_topics():
    return [
        Topic(pk=index + 1, title=s.title, summary=s.summary, body=s.body, position=index)
        for index, s in enumerate(real_sections())
    ]


def top_titles(questions, topics):
    scores = topic_scores(questions=questions, topics=topics)
    return [topics[int(row.argmax())].title for row in scores], scores.max(axis=1)


def test_the_real_essay_has_four_topics_in_order():
    sections = real_sections()
    assert [s.title for s in sections] == TITLES


def test_real_summaries_are_short_plain_first_sentences():
    sections = real_sections()
    for section in sections:
        assert section.summary, section.title
        assert len(section.summary) <= SUMMARY_MAX_CHARS
        assert not MARKUP.search(section.summary), section.summary
    assert sections[0].summary.startswith(
        "The relevant parts from his 2014 NIPS talk on sequence-to-sequence learning:"
    )
    assert sections[2].summary == "Pre-training as we know it will end."
    assert sections[3].summary.startswith("We try as best we can to stay away from internal")


def test_real_bodies_hold_the_whole_section_as_plain_text():
    sections = real_sections()
    for section in sections:
        assert not MARKUP.search(section.body), MARKUP.search(section.body)
    first, second, third, fourth = (s.body for s in sections)
    assert "The Scaling Hypothesis" in first and "LSTMs" in first
    # Link text stays, the URL goes.
    assert "Nvidia would end up buying Mellanox in 2019." in second
    assert "Increase our GPU cluster from 600 GPUs to 5000 GPUs ASAP." in second
    assert "Curious AI" in second and "Grok 2" in second
    assert "fossil fuel of AI" in third and "Superintelligence will be:" in third
    assert "Q* (now Strawberry/o1)" in fourth and "Weak-to-strong generalization" in fourth
    # The text before the first `##` (byline, call for questions) is no topic's.
    assert not any("LAST CALL" in s.body or "Dec 15, 2024" in s.body for s in sections)


def test_real_footnotes_follow_the_section_that_cites_them():
    sections = real_sections()
    first, _, third, fourth = (s.body for s in sections)
    # Footnote 3 is cited in the 2014 section but defined at the very end of the essay.
    assert first.endswith("This is questioned by neuroscientists.")
    assert "Many people disagree!" in third
    assert "neuroscientists" not in fourth and "disagree" not in fourth
    # Notes cited only before the first heading belong to no topic.
    assert not any("realtime API" in s.body for s in sections)


def test_every_labelled_real_question_gets_its_section():
    topics = real_topics()
    rows = read_csv(require_shared(QUESTIONS) / QUESTIONS)
    got, best = top_titles([row["text"] for row in rows], topics)
    assert got == [row["topic"] for row in rows]
    assert (best >= settings.TOPIC_MIN_SCORE).all()


def test_held_out_questions_on_the_real_essay_are_matched_at_least_85_percent():
    topics = real_topics()
    rows = [row for row in read_csv(HELD_OUT) if row["topic"]]
    got, _ = top_titles([row["text"] for row in rows], topics)
    correct = sum(g == row["topic"] for g, row in zip(got, rows, strict=True))
    assert correct / len(rows) >= 0.85, f"{correct}/{len(rows)}"


def test_chatter_scores_below_the_minimum_on_the_real_essay():
    topics = real_topics()
    chatter = [row["text"] for row in read_csv(HELD_OUT) if not row["topic"]]
    _, best = top_titles(chatter, topics)
    assert (best < settings.TOPIC_MIN_SCORE).all(), dict(zip(chatter, best.round(3), strict=True))
