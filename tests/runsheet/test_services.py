"""Run-sheet services: start, add, add all, remove, move, reorder, segments, and what the
inbox's decisions do to the sheet."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from episodes.services import topic_delete
from intake import services as intake_services
from intake.models import Submission
from runsheet import services
from runsheet.models import Entry, RunSheet, Segment
from runsheet.selectors import runsheet_pool, runsheet_view
from tests.factories import EpisodeFactory, SubmissionFactory, TopicFactory
from tests.runsheet.conftest import approved

S = Submission.Status


def order(episode) -> list[tuple[str, list[int]]]:
    """The sheet as (segment title, [submission ids]) in order."""
    return [
        (row.segment.title, [e.submission.pk for e in row.entries])
        for row in runsheet_view(episode=episode).segments
    ]


def version(episode) -> int:
    return RunSheet.objects.get(episode=episode).version


@pytest.fixture
def sheet(episode, topics):
    services.runsheet_start(episode=episode)
    return {s.title: s for s in Segment.objects.filter(episode=episode)}


def test_start_makes_one_segment_per_topic_in_essay_order_once(episode, topics):
    topics[0].position, topics[2].position = 5, 0  # the essay order, not creation order
    for topic in topics:
        topic.save()

    first = services.runsheet_start(episode=episode)
    again = services.runsheet_start(episode=episode)

    assert first.pk == again.pk
    assert [(s.title, s.topic) for s in Segment.objects.filter(episode=episode)] == [
        ("Data", topics[2]),
        ("Self-play", topics[1]),
        ("Scaling", topics[0]),
    ]


def test_add_puts_an_approved_question_at_the_end_of_its_segment(episode, topics, sheet):
    first = approved(episode, tags=[topics[0]])
    second = approved(episode)
    before = version(episode)

    services.entry_add(segment=sheet["Scaling"], submission=first)
    services.entry_add(segment=sheet["Scaling"], submission=second)

    assert order(episode)[0] == ("Scaling", [first.pk, second.pk])
    assert version(episode) == before + 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": S.NEW}, "Only approved questions"),
        ({"status": S.DECLINED}, "Only approved questions"),
    ],
)
def test_only_approved_questions_of_the_episode_go_on(episode, sheet, fields, message):
    submission = SubmissionFactory(episode=episode, **fields)
    with pytest.raises(ValidationError, match=message):
        services.entry_add(segment=sheet["Scaling"], submission=submission)
    foreign = approved(EpisodeFactory())
    with pytest.raises(ValidationError, match="another episode"):
        services.entry_add(segment=sheet["Scaling"], submission=foreign)
    assert not Entry.objects.exists()


def test_a_question_is_on_the_sheet_once_and_the_database_holds_to_it(episode, sheet):
    submission = approved(episode)
    services.entry_add(segment=sheet["Scaling"], submission=submission)

    with pytest.raises(ValidationError, match="already on the run-sheet"):
        services.entry_add(segment=sheet["Data"], submission=submission)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(segment=sheet["Data"], submission=submission)
    assert Entry.objects.count() == 1


def test_add_all_takes_the_topics_approved_pool_oldest_first(episode, topics, sheet):
    old = approved(episode, tags=[topics[0]])
    placed = approved(episode, tags=[topics[0]])
    new = approved(episode, tags=[topics[0], topics[2]])
    approved(episode, tags=[topics[1]])  # another topic
    SubmissionFactory(episode=episode).topics.set([topics[0]])  # not approved
    services.entry_add(segment=sheet["Data"], submission=placed)

    added = services.entries_add_all(segment=sheet["Scaling"])

    assert [e.submission for e in added] == [old, new]
    assert order(episode)[0] == ("Scaling", [old.pk, new.pk])
    assert services.entries_add_all(segment=sheet["Scaling"]) == []  # nothing left
    free = services.segment_create(episode=episode, title="Lightning round")
    with pytest.raises(ValidationError, match="no topic"):
        services.entries_add_all(segment=free)


def test_remove_returns_the_question_to_the_pool(episode, topics, sheet):
    submission = approved(episode, tags=[topics[1]])
    entry = services.entry_add(segment=sheet["Self-play"], submission=submission)
    assert runsheet_pool(episode=episode) == []

    services.entry_remove(entry=entry)

    [group] = runsheet_pool(episode=episode)
    assert (group.topic, group.count, group.submissions) == (topics[1], 1, [submission])
    submission.refresh_from_db()
    assert submission.status == S.APPROVED


def test_pool_groups_by_tag_in_essay_order_with_the_untagged_last(episode, topics, sheet):
    both = approved(episode, tags=[topics[2], topics[0]])
    data = approved(episode, tags=[topics[2]])
    untagged = approved(episode)
    SubmissionFactory(episode=episode)  # new: not in the pool

    groups = runsheet_pool(episode=episode)

    assert [(g.topic, g.count, g.submissions) for g in groups] == [
        (topics[0], 1, [both]),
        (topics[2], 2, [both, data]),
        (None, 1, [untagged]),
    ]
    limited = runsheet_pool(episode=episode, limit=1)
    assert [(g.count, len(g.submissions), g.more) for g in limited] == [
        (1, 1, 0),
        (2, 1, 1),
        (1, 0, 1),
    ]


def test_move_up_and_down_crosses_into_the_neighbouring_segment(episode, topics, sheet):
    a, b, c = (approved(episode) for _ in range(3))
    for submission in (a, b):
        services.entry_add(segment=sheet["Scaling"], submission=submission)
    entry_c = services.entry_add(segment=sheet["Self-play"], submission=c)
    entry_b = Entry.objects.get(submission=b)

    services.entry_move(entry=entry_b, direction="up")
    assert order(episode)[:2] == [("Scaling", [b.pk, a.pk]), ("Self-play", [c.pk])]

    services.entry_move(entry=Entry.objects.get(submission=a), direction="down")
    assert order(episode)[:2] == [("Scaling", [b.pk]), ("Self-play", [a.pk, c.pk])]

    services.entry_move(entry=entry_c, direction="down")  # into Data, the last segment
    services.entry_move(entry=Entry.objects.get(submission=c), direction="down")  # stays
    assert order(episode) == [("Scaling", [b.pk]), ("Self-play", [a.pk]), ("Data", [c.pk])]

    services.entry_move_to(entry=Entry.objects.get(submission=b), segment=sheet["Data"])
    assert order(episode) == [("Scaling", []), ("Self-play", [a.pk]), ("Data", [c.pk, b.pk])]


def reorder_payload(episode):
    return [
        (row.segment.pk, [e.entry.pk for e in row.entries])
        for row in runsheet_view(episode=episode).segments
    ]


def test_reorder_puts_segments_and_entries_in_exactly_the_posted_order(episode, sheet):
    a, b, c = (approved(episode) for _ in range(3))
    ea = services.entry_add(segment=sheet["Scaling"], submission=a)
    eb = services.entry_add(segment=sheet["Scaling"], submission=b)
    ec = services.entry_add(segment=sheet["Data"], submission=c)
    current = version(episode)

    services.runsheet_reorder(
        episode=episode,
        version=current,
        order=[
            (sheet["Data"].pk, [eb.pk, ec.pk]),
            (sheet["Scaling"].pk, []),
            (sheet["Self-play"].pk, [ea.pk]),
        ],
    )

    assert order(episode) == [("Data", [b.pk, c.pk]), ("Scaling", []), ("Self-play", [a.pk])]
    assert version(episode) == current + 1


def test_reorder_refuses_foreign_missing_and_repeated_ids_and_changes_nothing(episode, sheet):
    a, b = approved(episode), approved(episode)
    ea = services.entry_add(segment=sheet["Scaling"], submission=a)
    eb = services.entry_add(segment=sheet["Data"], submission=b)
    other_episode = EpisodeFactory()
    services.runsheet_start(episode=other_episode)
    foreign_segment = services.segment_create(episode=other_episode, title="Theirs")
    foreign_entry = services.entry_add(segment=foreign_segment, submission=approved(other_episode))
    before, current = order(episode), version(episode)
    segments = [sheet["Scaling"].pk, sheet["Self-play"].pk, sheet["Data"].pk]

    for bad in (
        [(segments[0], [ea.pk]), (segments[1], []), (segments[2], [])],  # an entry missing
        [(segments[0], [ea.pk, eb.pk, eb.pk]), (segments[1], []), (segments[2], [])],  # twice
        [(segments[0], [ea.pk, eb.pk, foreign_entry.pk]), (segments[1], []), (segments[2], [])],
        [(segments[0], [ea.pk, eb.pk]), (segments[2], [])],  # a segment missing
        [(segments[0], [ea.pk, eb.pk]), (segments[1], []), (foreign_segment.pk, [])],
        [(segments[0], ["x"]), (segments[1], []), (segments[2], [])],
    ):
        with pytest.raises(ValidationError) as refused:
            services.runsheet_reorder(episode=episode, version=current, order=bad)
        assert not isinstance(refused.value, services.StaleRunSheet)

    assert order(episode) == before
    assert version(episode) == current


def test_reorder_from_a_stale_page_is_refused_so_no_one_loses_work(episode, sheet):
    a = approved(episode)
    entry = services.entry_add(segment=sheet["Scaling"], submission=a)
    seen = version(episode)
    services.segment_update(segment=sheet["Data"], title="Data, data", notes="", extra_seconds=0)
    before = order(episode)

    with pytest.raises(services.StaleRunSheet, match="Someone changed the run-sheet"):
        services.runsheet_reorder(
            episode=episode,
            version=seen,
            order=[
                (sheet["Data"].pk, [entry.pk]),
                (sheet["Scaling"].pk, []),
                (sheet["Self-play"].pk, []),
            ],
        )
    assert order(episode) == before


def test_segments_are_added_renamed_moved_and_deleted_without_losing_questions(episode, sheet):
    intro = services.segment_create(episode=episode, title="  Intro ", extra_seconds=45)
    services.segment_move(segment=intro, direction="up")
    services.segment_move(segment=intro, direction="up")
    services.segment_move(segment=intro, direction="up")  # at the top: stays
    services.segment_move(segment=intro, direction="up")
    assert [title for title, _ in order(episode)] == ["Intro", "Scaling", "Self-play", "Data"]
    services.segment_update(segment=intro, title="Cold open", notes="Say hi", extra_seconds=30)
    with pytest.raises(ValidationError, match="needs a title"):
        services.segment_update(segment=intro, title="  ", notes="", extra_seconds=0)

    a, b = approved(episode), approved(episode)
    services.entry_add(segment=sheet["Self-play"], submission=a)
    services.entry_add(segment=sheet["Self-play"], submission=b)
    returned = services.segment_delete(segment=sheet["Self-play"])

    assert returned == 2
    assert order(episode) == [("Cold open", []), ("Scaling", []), ("Data", [])]
    assert [s.position for s in Segment.objects.filter(episode=episode)] == [0, 1, 2]
    assert {s.pk for g in runsheet_pool(episode=episode) for s in g.submissions} == {a.pk, b.pk}
    assert Submission.objects.filter(pk__in=[a.pk, b.pk], status=S.APPROVED).count() == 2


def test_a_topic_on_the_sheet_is_kept_until_its_segment_goes(episode, topics, sheet):
    with pytest.raises(ValidationError, match="still used"):
        topic_delete(topic=topics[1])
    services.segment_delete(segment=sheet["Self-play"])
    topic_delete(topic=topics[1])
    episode.delete()  # an episode still takes its topics and segments with it
    assert not Segment.objects.exists()


def test_play_clip_needs_a_recording_with_consent(episode, sheet):
    typed = services.entry_add(segment=sheet["Scaling"], submission=approved(episode))
    with pytest.raises(ValidationError, match="has no recording"):
        services.entry_update(entry=typed, answer_seconds=None, notes="", play_clip=True)
    voice = approved(episode, text="", audio="audio/1/x.webm", audio_seconds=11.0)
    entry = services.entry_add(segment=sheet["Scaling"], submission=voice)
    assert not entry.plays_clip  # no consent: read aloud
    with pytest.raises(ValidationError, match="did not agree to air it"):
        services.entry_update(entry=entry, answer_seconds=None, notes="", play_clip=True)

    Submission.objects.filter(pk=voice.pk).update(consent_to_air=True)
    entry = Entry.objects.get(pk=entry.pk)
    assert entry.plays_clip  # auto: consent and audio
    services.entry_update(entry=entry, answer_seconds=45, notes=" Cut at 0:20 ", play_clip=False)
    entry.refresh_from_db()
    assert (entry.answer_seconds, entry.notes, entry.plays_clip) == (45, "Cut at 0:20", False)


# --- What the inbox's decisions do to the sheet -------------------------------------------


@pytest.mark.parametrize("decision", ["submission_decline", "submission_reopen"])
def test_declining_or_reopening_takes_the_question_off_the_sheet(episode, sheet, decision):
    submission = approved(episode)
    services.entry_add(segment=sheet["Scaling"], submission=submission)
    stays = services.entry_add(segment=sheet["Scaling"], submission=approved(episode))

    getattr(intake_services, decision)(submission=submission)

    assert order(episode)[0] == ("Scaling", [stays.submission.pk])
    assert Entry.objects.get(pk=stays.pk).position == 0


def test_a_merge_keeps_the_primarys_place(episode, sheet):
    primary, duplicate = approved(episode), approved(episode)
    services.entry_add(segment=sheet["Scaling"], submission=primary)
    services.entry_add(segment=sheet["Data"], submission=duplicate)

    intake_services.submission_merge(duplicate=duplicate, primary=primary)

    assert order(episode) == [("Scaling", [primary.pk]), ("Self-play", []), ("Data", [])]


def test_a_primary_off_the_sheet_takes_its_duplicates_place(episode, sheet):
    primary, duplicate = approved(episode), approved(episode)
    entry = services.entry_add(segment=sheet["Data"], submission=duplicate)
    services.entry_update(entry=entry, answer_seconds=30, notes="Keep this", play_clip=None)

    intake_services.submission_merge(duplicate=duplicate, primary=primary)

    entry.refresh_from_db()
    assert (entry.submission, entry.segment, entry.notes) == (primary, sheet["Data"], "Keep this")


def test_a_merge_into_an_undecided_primary_leaves_the_sheet_approved_only(episode, sheet):
    undecided = SubmissionFactory(episode=episode)
    duplicate = approved(episode)
    services.entry_add(segment=sheet["Data"], submission=duplicate)

    intake_services.submission_merge(duplicate=duplicate, primary=undecided)

    assert not Entry.objects.exists()


def test_other_episodes_topics_are_refused_for_a_segment(episode, sheet):
    with pytest.raises(ValidationError, match="another episode"):
        services.segment_create(episode=episode, title="X", topic=TopicFactory())
