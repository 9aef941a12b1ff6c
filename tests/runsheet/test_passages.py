"""The essay passage beside each question: chosen in the worker with the suggestion's matching,
refreshed when the words or the topic change, picked or hidden by a host."""

import pytest

from episodes.services import essay_import
from intake import services as intake_services
from runsheet import services
from runsheet.models import Entry, Segment
from tests.conftest import ESSAY
from tests.runsheet.conftest import approved


@pytest.fixture
def sheet(transactional_db, episode, transcription_queue):
    essay_import(episode=episode, markdown=ESSAY.read_text(encoding="utf-8"))
    services.runsheet_start(episode=episode)
    return {
        s.topic.title if s.topic else s.title: s for s in Segment.objects.filter(episode=episode)
    }


def passage(entry: Entry) -> str:
    return Entry.objects.get(pk=entry.pk).passage


def test_the_worker_picks_the_passage_that_answers_the_question(episode, sheet, run_worker):
    segment = sheet["What Ilya Saw in 2016-2017"]
    mellanox = services.entry_add(
        segment=segment, submission=approved(episode, text="Why did Nvidia buy Mellanox?")
    )
    dota = services.entry_add(
        segment=segment,
        submission=approved(episode, text="How many CPU cores did the Dota experiments use?"),
    )
    assert passage(mellanox) == ""  # chosen in the worker, not in the request

    run_worker()

    assert "Mellanox" in passage(mellanox)
    assert "Dota" in passage(dota)
    assert passage(mellanox) in services.entry_passage_choices(Entry.objects.get(pk=mellanox.pk))


def test_a_free_segment_uses_the_questions_first_tag(episode, sheet, run_worker):
    data = episode.topics.get(title="What Ilya Sees in 2024")
    lightning = services.segment_create(episode=episode, title="Lightning round")
    entry = services.entry_add(
        segment=lightning,
        submission=approved(episode, tags=[data], text="Is data really the fossil fuel of AI?"),
    )
    run_worker()
    assert "fossil fuel" in passage(entry)


def test_a_correction_chooses_again_unless_a_host_picked_one(episode, sheet, run_worker):
    segment = sheet["What Ilya Saw in 2016-2017"]
    submission = approved(episode, text="", transcript="Why did Nvidia buy Mellanox?")
    entry = services.entry_add(segment=segment, submission=submission)
    run_worker()
    assert "Mellanox" in passage(entry)

    intake_services.submission_transcript_correct(
        submission=submission, text="How big were the Dota experiments, in CPU cores?"
    )
    run_worker()
    assert "Dota" in passage(entry)

    choices = services.entry_passage_choices(Entry.objects.get(pk=entry.pk))
    services.entry_passage_pick(entry=Entry.objects.get(pk=entry.pk), index=0)
    intake_services.submission_transcript_correct(submission=submission, text="Mellanox?")
    run_worker()
    assert passage(entry) == choices[0]  # pinned: the host's choice stays

    services.entry_passage_pick(entry=Entry.objects.get(pk=entry.pk), index=None)
    run_worker()
    assert "Mellanox" in passage(entry)


def test_moving_to_another_topic_chooses_from_that_section(episode, sheet, run_worker):
    entry = services.entry_add(
        segment=sheet["What Ilya Saw in 2016-2017"],
        submission=approved(episode, text="Is data the fossil fuel of AI?"),
    )
    run_worker()
    services.entry_move_to(
        entry=Entry.objects.get(pk=entry.pk), segment=sheet["What Ilya Sees in 2024"]
    )
    run_worker()
    assert "fossil fuel" in passage(entry)


def test_a_host_may_hide_the_passage_or_pick_only_a_listed_one(episode, sheet):
    entry = services.entry_add(
        segment=sheet["What Ilya Saw in 2014"], submission=approved(episode, text="LSTMs?")
    )
    entry = Entry.objects.get(pk=entry.pk)
    services.entry_passage_hide(entry=entry, hidden=True)
    assert Entry.objects.get(pk=entry.pk).passage_hidden
    with pytest.raises(Exception, match="Pick one of the passages listed"):
        services.entry_passage_pick(entry=entry, index=999)
