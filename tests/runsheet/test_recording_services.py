"""Recording the show: every action of runsheet.services.recording, on a real database.

Times are given (`now=`), so every stamp is exact: the sheet below is an intro segment with
time of its own (a step), then three questions in "Scaling" and one in "Self-play".
"""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from intake.models import SubmissionEvent
from runsheet import services
from runsheet.models import AIRING_TRANSITIONS, Airing, Entry, Recording, Segment
from runsheet.selectors import recording_view, runsheet_pool
from runsheet.steps import step_key
from tests.runsheet.conftest import approved

T0 = dt.datetime(2026, 12, 7, 17, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def sheet(episode, topics):
    """Intro (60 s of its own), Scaling: a, b, c; Self-play: d; Data: nothing."""
    services.runsheet_start(episode=episode)
    intro = services.segment_create(episode=episode, title="Intro", extra_seconds=60)
    services.segment_move(segment=intro, direction="up")
    services.segment_move(segment=intro, direction="up")
    services.segment_move(segment=intro, direction="up")
    scaling, selfplay, _data = (Segment.objects.get(episode=episode, topic=t) for t in topics)
    entries = {}
    for name, segment in (("a", scaling), ("b", scaling), ("c", scaling), ("d", selfplay)):
        submission = approved(episode, tags=[segment.topic], name=name.upper(), text=f"{name}?")
        entries[name] = services.entry_add(segment=segment, submission=submission)
    return {"intro": Segment.objects.get(pk=intro.pk), **entries}


def states(sheet) -> dict[str, str]:
    rows = {key: type(row).objects.get(pk=row.pk) for key, row in sheet.items()}
    return {key: row.state for key, row in rows.items()}


def row(sheet, key):
    item = sheet[key]
    return type(item).objects.get(pk=item.pk)


def test_order_of_steps_is_intro_then_questions(episode, sheet):
    view = recording_view(episode=episode)
    assert [r.key for r in view.steps] == [
        step_key(sheet[k]) for k in ("intro", "a", "b", "c", "d")
    ]
    assert view.phase == "ready"
    assert view.planned == view.sheet.planned


def test_start_stamps_the_first_step_live(episode, sheet, host):
    recording = services.recording_start(episode=episode, by=host, now=T0)

    assert recording.started_at == T0 and recording.ended_at is None
    assert recording.started_by == host
    intro = row(sheet, "intro")
    assert (intro.state, intro.aired_at, intro.aired_offset) == (Airing.LIVE, T0, 0.0)
    assert set(states(sheet).values()) - {"live"} == {"planned"}


def test_a_second_start_is_refused_while_one_is_live(episode, sheet):
    services.recording_start(episode=episode, now=T0)

    with pytest.raises(ValidationError) as error:
        services.recording_start(episode=episode, now=at(5))

    assert error.value.code == "already_recording"
    assert Recording.objects.filter(episode=episode).count() == 1
    # Even with "again": one recording goes on at a time.
    with pytest.raises(ValidationError):
        services.recording_start(episode=episode, again=True, now=at(6))


def test_the_database_refuses_two_recordings_going_on(episode):
    """What must never happen, even past the services."""
    Recording.objects.create(episode=episode, started_at=T0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Recording.objects.create(episode=episode, started_at=at(1))


def test_next_airs_the_live_step_and_takes_the_next(episode, sheet):
    services.recording_start(episode=episode, now=T0)

    services.recording_next(episode=episode, now=at(62))
    services.recording_next(episode=episode, now=at(100))

    intro, a, b = row(sheet, "intro"), row(sheet, "a"), row(sheet, "b")
    assert (intro.state, intro.aired_seconds) == (Airing.AIRED, 62)
    assert (a.state, a.aired_offset, a.aired_seconds, a.aired_at) == (
        Airing.AIRED,
        62,
        38,
        at(62),
    )
    assert (b.state, b.aired_offset, b.aired_at) == (Airing.LIVE, 100, at(100))
    assert recording_view(episode=episode, now=at(110)).current_elapsed == 10


def test_skip_drops_the_live_step_unstamped(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    services.recording_next(episode=episode, now=at(60))  # a live

    services.recording_skip(episode=episode, now=at(63))

    a, b = row(sheet, "a"), row(sheet, "b")
    assert (a.state, a.aired_at, a.aired_offset, a.aired_seconds) == (
        Airing.SKIPPED,
        None,
        None,
        None,
    )
    assert (b.state, b.aired_offset) == (Airing.LIVE, 63)


def test_back_over_a_skipped_entry_airs_it_after_all(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    services.recording_next(episode=episode, now=at(60))  # a live
    services.recording_skip(episode=episode, now=at(65))  # a skipped, b live

    services.recording_back(episode=episode, now=at(70))

    a, b = row(sheet, "a"), row(sheet, "b")
    assert (b.state, b.aired_at, b.aired_offset) == (Airing.PLANNED, None, None)
    assert (a.state, a.aired_at, a.aired_offset) == (Airing.LIVE, at(70), 70)
    # Next from there goes on to b again, from now.
    services.recording_next(episode=episode, now=at(100))
    assert row(sheet, "a").aired_seconds == 30
    assert (row(sheet, "b").state, row(sheet, "b").aired_offset) == (Airing.LIVE, 100)


def test_back_to_an_aired_step_keeps_its_start_and_adds_the_new_stretch(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    services.recording_next(episode=episode, now=at(60))  # intro aired 60 s, a live
    services.recording_next(episode=episode, now=at(90))  # a aired 30 s, b live

    services.recording_back(episode=episode, now=at(95))  # oops: back to a
    services.recording_next(episode=episode, now=at(105))

    a, b = row(sheet, "a"), row(sheet, "b")
    assert (a.state, a.aired_offset, a.aired_at) == (Airing.AIRED, 60, at(60))
    assert a.aired_seconds == 30 + 10
    assert (b.state, b.aired_offset, b.aired_at) == (Airing.LIVE, 105, at(105))


def test_back_at_the_top_is_refused(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    with pytest.raises(ValidationError) as error:
        services.recording_back(episode=episode, now=at(1))
    assert error.value.code == "at_top"
    assert row(sheet, "intro").state == Airing.LIVE


def test_next_past_the_last_step_leaves_nothing_live_then_refuses(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    for second in (60, 90, 120, 150, 180):
        services.recording_next(episode=episode, now=at(second))
    assert set(states(sheet).values()) == {"aired"}
    assert recording_view(episode=episode, now=at(181)).current is None

    with pytest.raises(ValidationError) as error:
        services.recording_next(episode=episode, now=at(190))
    assert error.value.code == "at_end"
    # Back from the end brings the last one back.
    services.recording_back(episode=episode, now=at(200))
    assert row(sheet, "d").state == Airing.LIVE


def test_stop_mid_entry_airs_it_for_as_long_as_it_ran(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    services.recording_next(episode=episode, now=at(60))  # a live

    recording = services.recording_stop(episode=episode, now=at(75))

    a = row(sheet, "a")
    assert (a.state, a.aired_seconds) == (Airing.AIRED, 15)
    assert recording.ended_at == at(75)
    assert states(sheet) == {"intro": "aired", "a": "aired", "b": "planned", "c": "planned",
                             "d": "planned"}  # fmt: skip
    view = recording_view(episode=episode, now=at(500))
    assert view.phase == "ended" and view.clock == 75
    assert [r.entry.submission.name for r in view.unreached_entries] == ["B", "C", "D"]
    # Nothing more happens to an ended recording.
    with pytest.raises(ValidationError) as error:
        services.recording_next(episode=episode, now=at(80))
    assert error.value.code == "not_recording"


def test_pause_stops_the_clock_and_chapters_leave_it_out(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    services.recording_pause(episode=episode, now=at(30))
    paused = recording_view(episode=episode, now=at(300))
    assert (paused.phase, paused.clock) == ("paused", 30)
    with pytest.raises(ValidationError):
        services.recording_pause(episode=episode, now=at(301))

    services.recording_resume(episode=episode, now=at(330))  # a 300 s break
    services.recording_next(episode=episode, now=at(360))

    assert row(sheet, "intro").aired_seconds == 60  # 30 before the break, 30 after
    assert row(sheet, "a").aired_offset == 60
    assert Recording.objects.get(episode=episode).paused_seconds == 300
    with pytest.raises(ValidationError):
        services.recording_resume(episode=episode, now=at(361))


def test_stop_while_paused_folds_the_pause(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    services.recording_pause(episode=episode, now=at(10))

    recording = services.recording_stop(episode=episode, now=at(70))

    assert (recording.paused_at, recording.paused_seconds) == (None, 60)
    assert row(sheet, "intro").aired_seconds == 10


def test_an_action_from_a_stale_page_is_refused(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    drawn_with = step_key(row(sheet, "intro"))
    services.recording_next(episode=episode, expect=drawn_with, now=at(60))  # host one

    with pytest.raises(services.RecordingMovedOn):
        services.recording_next(episode=episode, expect=drawn_with, now=at(61))  # host two

    assert row(sheet, "a").state == Airing.LIVE
    assert row(sheet, "b").state == Airing.PLANNED


def test_every_action_bumps_the_version(episode, sheet):
    recording = services.recording_start(episode=episode, now=T0)
    versions = [recording.version]
    for action in ("next", "pause", "resume", "skip", "back", "stop"):
        versions.append(services.RECORDING_ACTIONS[action](episode=episode, now=at(10)).version)
    assert versions == sorted(set(versions))


def test_a_refused_action_changes_nothing(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    before = (Recording.objects.get().version, states(sheet))
    with pytest.raises(ValidationError):
        services.recording_resume(episode=episode, now=at(5))
    assert (Recording.objects.get().version, states(sheet)) == before


def test_start_before_the_sheet_or_with_nothing_on_it_is_refused(episode):
    with pytest.raises(ValidationError) as error:
        services.recording_start(episode=episode, now=T0)
    assert error.value.code == "not_started"

    services.runsheet_start(episode=episode)  # no topics: no segments
    with pytest.raises(ValidationError) as error:
        services.recording_start(episode=episode, now=T0)
    assert error.value.code == "empty"
    assert not Recording.objects.exists()


def test_recording_again_needs_asking_and_starts_from_the_top(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    services.recording_next(episode=episode, now=at(60))
    services.recording_skip(episode=episode, now=at(70))
    services.recording_stop(episode=episode, now=at(80))

    with pytest.raises(ValidationError) as error:
        services.recording_start(episode=episode, now=at(100))
    assert error.value.code == "recorded"

    again = services.recording_start(episode=episode, again=True, now=at(200))
    assert services.recording_current(episode=episode) == again
    assert states(sheet) == {"intro": "live", "a": "planned", "b": "planned", "c": "planned",
                             "d": "planned"}  # fmt: skip
    assert row(sheet, "a").aired_at is None


def test_transitions_follow_the_one_table(episode, sheet):
    """The states a row passed through in a whole show are all allowed by AIRING_TRANSITIONS
    (and the database refuses stamps that do not match a state)."""
    assert AIRING_TRANSITIONS[Airing.PLANNED] == {Airing.LIVE}
    entry = row(sheet, "a")
    assert entry.can_air_become(Airing.LIVE) and not entry.can_air_become(Airing.AIRED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(state=Airing.AIRED)  # aired, never stamped


def test_aired_questions_stay_on_the_sheet(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    services.recording_next(episode=episode, now=at(60))  # a live

    with pytest.raises(ValidationError) as error:
        services.entry_remove(entry=row(sheet, "a"))
    assert error.value.code == "aired"
    with pytest.raises(ValidationError):
        services.segment_delete(segment=row(sheet, "intro"))
    services.entry_remove(entry=row(sheet, "c"))  # not aired: goes as before
    assert not Entry.objects.filter(pk=sheet["c"].pk).exists()


def test_unaired_questions_go_back_to_the_pool_with_their_tags(episode, sheet, host, topics):
    services.recording_start(episode=episode, now=T0)
    services.recording_next(episode=episode, now=at(60))  # a live
    services.recording_skip(episode=episode, now=at(70))  # a skipped, b live
    with pytest.raises(ValidationError) as error:
        services.recording_return_unaired(episode=episode, by=host)
    assert error.value.code == "not_ended"
    services.recording_next(episode=episode, now=at(90))  # b aired, c live
    services.recording_stop(episode=episode, now=at(100))  # c aired; d not reached

    returned = services.recording_return_unaired(episode=episode, by=host)

    assert returned == 2
    assert sorted(Entry.objects.filter(segment__episode=episode).values_list("pk", flat=True)) == [
        sheet["b"].pk,
        sheet["c"].pk,
    ]
    pool = {s.name: [t.title for t in s.topics.all()] for g in runsheet_pool(episode=episode)
            for s in g.submissions}  # fmt: skip
    assert pool == {"A": ["Scaling"], "D": ["Self-play"]}
    events = SubmissionEvent.objects.filter(action=SubmissionEvent.Action.RETURNED)
    assert sorted((e.submission.name, e.from_value, e.actor_id) for e in events) == [
        ("A", "Skipped", host.pk),
        ("D", "Planned", host.pk),
    ]
    assert services.recording_return_unaired(episode=episode, by=host) == 0


def test_trim_is_bounded_and_moves_air_times(episode, sheet):
    recording = services.recording_start(episode=episode, now=T0)
    services.recording_next(episode=episode, now=at(60))

    services.recording_trim(recording=recording, trim_seconds=45)

    view = recording_view(episode=episode, now=at(61))
    assert [view.air_time(r) for r in view.steps[:3]] == [0, 15, None]
    with pytest.raises(ValidationError):
        services.recording_trim(recording=recording, trim_seconds=7 * 3600)


def test_the_live_view_projects_the_end_and_colours_it(episode, sheet):
    services.recording_start(episode=episode, now=T0)
    view = recording_view(episode=episode, now=at(30))
    # Planned: intro 60 + four questions; nothing run long yet.
    assert view.projected == view.planned
    assert view.current_level == "ok" and view.next.key == step_key(sheet["a"])

    late = recording_view(episode=episode, now=at(55))  # 5 s left of 60: amber
    assert late.current_level == "amber"
    over = recording_view(episode=episode, now=at(65))
    assert over.current_level == "red"
    assert over.projected == over.planned + 5
    assert over.over == over.projected - episode.target_minutes * 60


@pytest.mark.django_db(transaction=True)
def test_two_hosts_pressing_next_at_once_move_the_show_on_once(episode, sheet):
    """Both pages were drawn with the intro live; only one Next counts."""
    # PostgreSQL: the recording's row lock; SQLite: IMMEDIATE transactions (config.settings).
    services.recording_start(episode=episode, now=T0)
    drawn_with = step_key(row(sheet, "intro"))
    barrier = threading.Barrier(2)
    outcomes = []

    def press():
        barrier.wait()
        try:
            services.recording_next(episode=episode, expect=drawn_with, now=at(60))
            outcomes.append("moved")
        except services.RecordingMovedOn:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["moved", "refused"]
    assert states(sheet)["a"] == "live" and states(sheet)["b"] == "planned"
