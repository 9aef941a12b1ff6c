"""The matcher: which part of the essay a question is about, and how sure it is."""

import csv
import time
from pathlib import Path

import pytest
from django.conf import settings

from episodes.essay import essay_parse
from episodes.matching.question_text import question_core
from episodes.matching.topics import PASSAGE_MAX_WORDS, topic_passages, topic_rank, topic_scores
from episodes.models import Topic
from tests.conftest import ESSAY, FIXTURES

DATA = Path(__file__).parent / "data"


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def topics():
    sections = essay_parse(ESSAY.read_text(encoding="utf-8"))
    return [
        Topic(pk=index + 1, title=s.title, summary=s.summary, body=s.body, position=index)
        for index, s in enumerate(sections)
    ]


def top_titles(questions, topics):
    scores = topic_scores(questions=questions, topics=topics)
    return [topics[int(row.argmax())].title for row in scores], scores.max(axis=1)


def test_every_labelled_fixture_question_gets_its_section(topics):
    rows = read_csv(FIXTURES / "topic_questions.csv")
    got, best = top_titles([row["text"] for row in rows], topics)
    assert got == [row["topic"] for row in rows]
    assert (best >= settings.TOPIC_MIN_SCORE).all()


def test_held_out_questions_are_matched_at_least_85_percent(topics):
    rows = [row for row in read_csv(DATA / "topic_questions_heldout.csv") if row["topic"]]
    assert len(rows) >= 40
    got, _ = top_titles([row["text"] for row in rows], topics)
    correct = sum(g == row["topic"] for g, row in zip(got, rows, strict=True))
    assert correct / len(rows) >= 0.85, f"{correct}/{len(rows)}"


def test_messages_about_nothing_in_the_essay_score_below_the_minimum(topics):
    rows = read_csv(DATA / "topic_questions_heldout.csv")
    chatter = [row["text"] for row in rows if not row["topic"]]
    assert len(chatter) >= 10
    _, best = top_titles(chatter, topics)
    assert (best < settings.TOPIC_MIN_SCORE).all(), dict(zip(chatter, best.round(3), strict=True))


def test_rank_lists_every_topic_best_first_with_scores_in_0_1(topics):
    ranking = topic_rank(question="Is data the fossil fuel of AI?", topics=topics)
    assert [topic for topic, _ in ranking][0].title == "What Ilya Sees in 2024"
    assert sorted(t.pk for t, _ in ranking) == [1, 2, 3, 4]
    scores = [score for _, score in ranking]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert topic_rank(question="anything", topics=[]) == []


def test_the_whole_section_is_matched_not_only_the_title(topics):
    # Only the body of 2016-2017 mentions Mellanox, Dota, Grok or a yolo run; its title and
    # summary say nothing of them.
    second = topics[1]
    for question, word in (
        ("Why did Nvidia buy Mellanox?", "Mellanox"),
        ("How big were the Dota experiments?", "Dota"),
        ("Is Grok really a curious AI?", "Grok"),
        ("What exactly is a yolo run?", "yolo"),
    ):
        assert [word in topic.body for topic in topics] == [False, True, False, False]
        assert word not in second.title + second.summary
        assert topic_rank(question=question, topics=topics)[0][0].title == (
            "What Ilya Saw in 2016-2017"
        )


def test_greetings_do_not_change_the_answer(topics):
    plain = "Will agents be what comes after pre-training?"
    chatty = f"Hi guys, this is Tom from Leeds, long time listener. My question is: {plain} Thanks!"
    [plain_scores, chatty_scores] = topic_scores(questions=[plain, chatty], topics=topics)
    assert plain_scores.argmax() == chatty_scores.argmax()
    assert abs(plain_scores.max() - chatty_scores.max()) < 0.05


def test_passages_cover_the_whole_section_in_model_sized_pieces(topics):
    for topic in topics:
        passages = topic_passages(title=topic.title, summary=topic.summary, body=topic.body)
        assert passages[0].startswith(topic.title)
        assert " ".join(passages[1:]).split() == topic.body.split()
        assert all(len(passage.split()) <= PASSAGE_MAX_WORDS + 40 for passage in passages)


@pytest.mark.parametrize(
    "body",
    ["A. " * 350_000, ("Short one. " * 100 + "\n\n") * 950],
    ids=["one long paragraph of one-word sentences", "many paragraphs of short sentences"],
)
def test_passages_of_a_one_megabyte_section_are_cut_in_linear_time(body):
    # The run-sheet cuts a topic's body into passages for every question (runsheet.services):
    # an essay pasted at the 1 MB cap must not cost seconds there.
    started = time.process_time()
    passages = topic_passages(title="T", summary="", body=body)
    assert time.process_time() - started < 1
    assert " ".join(passages[1:]).split() == body.split()
    assert all(len(passage.split()) <= PASSAGE_MAX_WORDS for passage in passages)


def test_topics_with_only_a_title_still_rank(db):
    topics = [Topic(pk=1, title="Hardware"), Topic(pk=2, title="?"), Topic(pk=3, title="Data")]
    ranking = topic_rank(question="Are we running out of data?", topics=topics)
    assert ranking[0][0].title == "Data"


@pytest.mark.parametrize(
    ("text", "core"),
    [
        (
            "Hi guys, this is Tom from Leeds. Long time listener. My question is, is the "
            "scaling hypothesis still true? Thanks!",
            "is the scaling hypothesis still true?",
        ),
        ("Hey! Would 5,000 GPUs count as big? Cheers, Sam", "Would 5,000 GPUs count as big?"),
        ("I'm curious: will agents come next?", "will agents come next?"),
        ("I was wondering whether data runs out.", "data runs out."),
        ("Love the show! Keep it up.", "Love the show! Keep it up."),
        ("  ", ""),
    ],
)
def test_question_core_drops_greetings_and_sign_offs(text, core):
    assert question_core(text) == core
