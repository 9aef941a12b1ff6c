"""Hosts add, rename, reorder and delete topics by hand."""

import pytest
from django.core.exceptions import ValidationError

from episodes.services import (
    topic_create,
    topic_delete,
    topic_move,
    topic_update,
)
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory


def titles(episode) -> list[str]:
    return list(episode.topics.order_by("position", "id").values_list("title", flat=True))


@pytest.fixture
def three(episode):
    return [
        TopicFactory(episode=episode, title=title, summary="", position=index)
        for index, title in enumerate(["Scaling", "Self-play", "Data"])
    ]


def test_a_new_topic_goes_last(episode, three):
    topic = topic_create(episode=episode, title="  Listener   mail ", summary=" Hello. ")
    assert (topic.title, topic.summary) == ("Listener mail", "Hello.")
    assert titles(episode) == ["Scaling", "Self-play", "Data", "Listener mail"]
    assert topic_create(episode=EpisodeFactory(), title="First").position == 0


@pytest.mark.parametrize("title", ["", "   ", "data", "DATA ", "x" * 201])
def test_a_topic_needs_its_own_title(episode, three, title):
    with pytest.raises(ValidationError):
        topic_create(episode=episode, title=title)
    assert len(titles(episode)) == 3


def test_the_same_title_is_fine_in_another_episode(episode, three):
    assert topic_create(episode=EpisodeFactory(), title="Data").title == "Data"


def test_adding_a_topic_suggests_it_for_questions_about_it(episode, three, rank_in_worker):
    question = SubmissionFactory(
        episode=episode, text="Did Nvidia buy Mellanox because networking is the bottleneck?"
    )
    with rank_in_worker(episode):
        hardware = topic_create(
            episode=episode,
            title="Hardware",
            summary="Nvidia bought Mellanox: networking and parallel hardware speed-ups.",
        )
    question.refresh_from_db()
    assert question.suggested_topic == hardware


def test_renaming_keeps_the_row_and_tags(episode, three):
    scaling = three[0]
    question = SubmissionFactory(episode=episode, text="Is bigger always better?")
    question.topics.add(scaling)
    renamed = topic_update(topic=scaling, title="The scaling bet", summary="Bigger is better.")
    assert renamed.pk == scaling.pk
    scaling.refresh_from_db()
    assert (scaling.title, scaling.summary) == ("The scaling bet", "Bigger is better.")
    assert list(question.topics.all()) == [scaling]
    # Changing only the case of its own title is allowed; taking another's is not.
    assert topic_update(topic=scaling, title="The Scaling Bet", summary="").title == (
        "The Scaling Bet"
    )
    with pytest.raises(ValidationError, match="already has a topic"):
        topic_update(topic=scaling, title="self-play", summary="")


def test_renaming_recomputes_suggestions(episode, three, rank_in_worker):
    question = SubmissionFactory(
        episode=episode, text="How did the Dota 2 bots get so good at the five versus five game?"
    )
    with rank_in_worker(episode):
        topic_update(topic=three[2], title="Dota 2", summary="The Dota 2 five versus five bots.")
    question.refresh_from_db()
    assert question.suggested_topic == three[2]


def test_move_swaps_with_the_neighbour_and_stops_at_the_ends(episode, three):
    scaling, self_play, data = three
    topic_move(topic=data, direction="up")
    assert titles(episode) == ["Scaling", "Data", "Self-play"]
    topic_move(topic=scaling, direction="up")
    assert titles(episode) == ["Scaling", "Data", "Self-play"]
    topic_move(topic=scaling, direction="down")
    topic_move(topic=scaling, direction="down")
    topic_move(topic=scaling, direction="down")
    assert titles(episode) == ["Data", "Self-play", "Scaling"]
    with pytest.raises(ValidationError):
        topic_move(topic=scaling, direction="sideways")


def test_move_copes_with_gaps_and_ties_in_positions(episode):
    first = TopicFactory(episode=episode, title="A", position=5)
    second = TopicFactory(episode=episode, title="B", position=5)
    third = TopicFactory(episode=episode, title="C", position=40)
    topic_move(topic=third, direction="up")
    assert titles(episode) == ["A", "C", "B"]
    assert [t.position for t in episode.topics.order_by("position")] == [0, 1, 2]
    assert {first.pk, second.pk, third.pk} == set(episode.topics.values_list("pk", flat=True))


def test_delete_untags_and_suggests_again(episode, three, rank_in_worker):
    scaling, self_play, data = three
    tagged = SubmissionFactory(episode=episode, text="Will self-play work for language models?")
    tagged.topics.add(self_play, data)
    tagged.suggested_topic, tagged.suggested_topic_score = self_play, 0.9
    tagged.save()
    # Set by hand to the topic about to go, to see it recomputed rather than just cleared.
    about_data = SubmissionFactory(
        episode=episode, text="Will we run out of data?", suggested_topic=self_play
    )
    with rank_in_worker(episode):
        topic_delete(topic=self_play)
    assert titles(episode) == ["Scaling", "Data"]
    assert [t.position for t in episode.topics.order_by("position")] == [0, 1]
    tagged.refresh_from_db()
    assert list(tagged.topics.all()) == [data]
    assert tagged.suggested_topic != self_play
    about_data.refresh_from_db()
    assert about_data.suggested_topic == data
