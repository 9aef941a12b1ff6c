"""The audit trail: every service writes its SubmissionEvent (who, what, from, to) in the same
transaction as the change; decline reasons, host notes and undoing a merge."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File

from intake import services
from intake.models import Submission, SubmissionEvent
from intake.selectors import submission_askers, submission_events, submission_next_undecided
from intake.services import events as event_services
from intake.transcription.results import Segment, TranscriptionResult
from tests.conftest import AUDIO, attach_audio
from tests.factories import SubmissionFactory, TopicFactory, UserFactory

S = Submission.Status
TS = Submission.TranscriptionState
A = SubmissionEvent.Action


def trail(submission) -> list[tuple]:
    """The submission's events, oldest first: (action, actor, from, to)."""
    return [
        (event.action, event.actor, event.from_value, event.to_value)
        for event in reversed(submission_events(submission=submission))
    ]


@pytest.fixture
def submission(episode):
    return SubmissionFactory(episode=episode, name="Priya", text="What comes after scaling?")


# --- event_record ------------------------------------------------------------------------


def test_event_record_writes_one_row(submission, host):
    event = services.event_record(
        submission=submission, action=A.APPROVED, actor=host, from_value="new", to_value="approved"
    )

    assert SubmissionEvent.objects.get() == event
    assert (event.submission, event.actor, event.action) == (submission, host, "approved")
    assert str(event) == f"#{submission.pk} Approved"


def test_event_record_refuses_an_unknown_action(submission):
    with pytest.raises(ValueError, match="Unknown submission event"):
        services.event_record(submission=submission, action="sneezed")


def test_event_record_treats_anonymous_as_nobody_and_cuts_long_values(submission):
    from django.contrib.auth.models import AnonymousUser

    event = services.event_record(
        submission=submission.pk, action=A.NOTED, actor=AnonymousUser(), to_value="x" * 5_000
    )

    assert event.actor is None
    assert len(event.to_value) == event_services.VALUE_MAX_CHARS
    assert event.to_value.endswith("\u2026")


# --- Received ------------------------------------------------------------------------------


def test_a_listeners_submission_is_received(episode, private_media):
    typed = services.submission_create(episode=episode, kind="question", text="Hello there?")
    with (AUDIO / "jfk.webm").open("rb") as handle:
        voice = services.submission_create(
            episode=episode,
            kind="question",
            audio=File(handle, name="x.webm"),
            consent_to_air=True,
        )

    assert trail(typed) == [(A.RECEIVED, None, "", "")]
    assert trail(voice) == [(A.RECEIVED, None, "", "")]


# --- Decisions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "service", "action", "end"),
    [
        (S.NEW, services.submission_approve, A.APPROVED, S.APPROVED),
        (S.NEW, services.submission_decline, A.DECLINED, S.DECLINED),
        (S.APPROVED, services.submission_decline, A.DECLINED, S.DECLINED),
        (S.DECLINED, services.submission_approve, A.APPROVED, S.APPROVED),
        (S.APPROVED, services.submission_reopen, A.REOPENED, S.NEW),
        (S.DECLINED, services.submission_reopen, A.REOPENED, S.NEW),
    ],
)
def test_each_decision_is_recorded_with_its_host(episode, host, start, service, action, end):
    submission = SubmissionFactory(episode=episode, status=start)

    service(submission=submission, actor=host)

    assert trail(submission) == [(action, host, start, end)]


def test_a_decision_without_a_host_is_recorded_as_nobodys(submission):
    services.submission_approve(submission=submission)

    assert trail(submission) == [(A.APPROVED, None, S.NEW, S.APPROVED)]


def test_a_refused_decision_records_nothing(episode, host):
    approved = SubmissionFactory(episode=episode, status=S.APPROVED)

    with pytest.raises(ValidationError, match="already approved"):
        services.submission_approve(submission=approved, actor=host)

    assert not SubmissionEvent.objects.exists()


def test_the_event_is_written_in_the_same_transaction_as_the_change(submission, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr("intake.services.moderation.event_record", broken)

    with pytest.raises(RuntimeError):
        services.submission_approve(submission=submission)

    assert Submission.objects.get(pk=submission.pk).status == S.NEW  # rolled back with it


def test_decline_keeps_a_private_reason(submission, host):
    services.submission_decline(submission=submission, actor=host, reason="  Off topic.\r\n ")

    submission.refresh_from_db()
    assert submission.status == S.DECLINED
    assert submission.decline_reason == "Off topic."
    # Approving later keeps the stored reason (pages show it only while declined); declining
    # again without a reason replaces it.
    services.submission_approve(submission=submission, actor=host)
    services.submission_decline(submission=submission, actor=host)
    submission.refresh_from_db()
    assert submission.decline_reason == ""


def test_a_too_long_decline_reason_is_refused(submission):
    with pytest.raises(ValidationError, match="keep it under 2,000"):
        services.submission_decline(submission=submission, reason="x" * 2_001)

    assert Submission.objects.get(pk=submission.pk).status == S.NEW


# --- Tags, corrections, notes ------------------------------------------------------------


def test_tagging_records_the_titles_before_and_after(episode, submission, host):
    first = TopicFactory(episode=episode, title="Scaling", position=0)
    second = TopicFactory(episode=episode, title="Agents", position=1)
    submission.topics.add(second)
    before = Submission.objects.get(pk=submission.pk).updated_at

    services.submission_tag(submission=submission, topics=[second, first], actor=host)
    services.submission_tag(submission=submission, topics=[first, second], actor=host)  # same
    services.submission_tag(submission=submission, topics=[], actor=host)

    assert trail(submission) == [
        (A.TAGGED, host, "Agents", "Scaling, Agents"),
        (A.TAGGED, host, "Scaling, Agents", ""),
    ]
    assert Submission.objects.get(pk=submission.pk).updated_at > before  # the inbox sees it


def test_a_correction_records_old_and_new_words(episode, host):
    voice = SubmissionFactory(
        episode=episode, text="", transcript="what about scaling", transcription_state=TS.DONE
    )

    services.submission_transcript_correct(submission=voice, text="What about scaling?", actor=host)
    services.submission_transcript_correct(
        submission=voice, text="What about scaling?", actor=host
    )  # no change
    services.submission_transcript_correct(submission=voice, text="", actor=host)

    assert trail(voice) == [
        (A.CORRECTED, host, "", "What about scaling?"),
        (A.CORRECTED, host, "What about scaling?", ""),
    ]


def test_notes_are_stored_and_recorded(submission, host):
    services.submission_notes_update(submission=submission, notes=" Ask her back.\r\n", actor=host)
    services.submission_notes_update(submission=submission, notes="Ask her back.", actor=host)
    services.submission_notes_update(submission=submission, notes="", actor=host)

    submission.refresh_from_db()
    assert submission.host_notes == ""
    assert trail(submission) == [
        (A.NOTED, host, "", "Ask her back."),
        (A.NOTED, host, "Ask her back.", ""),
    ]


def test_too_long_notes_are_refused(submission):
    with pytest.raises(ValidationError, match="keep them under 20,000"):
        services.submission_notes_update(submission=submission, notes="x" * 20_001)

    assert not SubmissionEvent.objects.exists()


def test_a_merged_submission_keeps_its_words_tags_and_notes(episode, host):
    primary = SubmissionFactory(episode=episode)
    duplicate = SubmissionFactory(episode=episode, text="Same?")
    topic = TopicFactory(episode=episode)
    services.submission_merge(duplicate=duplicate, primary=primary, actor=host)
    duplicate.refresh_from_db()
    events = SubmissionEvent.objects.count()

    for change in (
        lambda: services.submission_tag(submission=duplicate, topics=[topic], actor=host),
        lambda: services.submission_transcript_correct(
            submission=duplicate, text="Other words", actor=host
        ),
        lambda: services.submission_notes_update(submission=duplicate, notes="x", actor=host),
    ):
        with pytest.raises(ValidationError, match=f"merged into #{primary.pk}; undo the merge"):
            change()

    duplicate.refresh_from_db()
    assert (list(duplicate.topics.all()), duplicate.transcript_edited, duplicate.host_notes) == (
        [],
        "",
        "",
    )
    assert SubmissionEvent.objects.count() == events


# --- Merge and unmerge ---------------------------------------------------------------------


@pytest.fixture
def primary(episode):
    return SubmissionFactory(episode=episode, name="Ana", text="What comes after pre-training?")


@pytest.fixture
def duplicate(episode):
    return SubmissionFactory(episode=episode, name="Bo", text="After pre-training, what?")


def test_merge_is_recorded_on_both_rows_naming_the_other(primary, duplicate, host):
    Submission.objects.filter(pk=duplicate.pk).update(status=S.APPROVED)
    duplicate.refresh_from_db()

    services.submission_merge(duplicate=duplicate, primary=primary, actor=host)

    assert trail(duplicate) == [(A.MERGED, host, S.APPROVED, f"#{primary.pk}")]
    assert trail(primary) == [(A.MERGED, host, "", f"#{duplicate.pk}")]


def test_unmerge_brings_the_duplicate_back_as_it_was(episode, primary, duplicate, host):
    topic = TopicFactory(episode=episode, title="Data")
    duplicate.topics.add(topic)
    Submission.objects.filter(pk=duplicate.pk).update(status=S.DECLINED)
    duplicate.refresh_from_db()
    services.submission_merge(duplicate=duplicate, primary=primary, actor=host)
    assert submission_askers(submission=primary) == ["Ana", "Bo"]
    co_host = UserFactory(username="co-host")

    returned = services.submission_unmerge(duplicate=duplicate, actor=co_host)

    assert returned == duplicate
    duplicate.refresh_from_db()
    assert duplicate.status == S.DECLINED  # what it was before the merge
    assert duplicate.merged_into is None
    assert submission_askers(submission=primary) == ["Ana"]
    assert list(primary.topics.all()) == [topic]  # the primary keeps what it gained
    assert list(duplicate.topics.all()) == [topic]
    assert trail(duplicate)[-1] == (A.UNMERGED, co_host, f"#{primary.pk}", S.DECLINED)
    assert trail(primary)[-1] == (A.UNMERGED, co_host, f"#{duplicate.pk}", "")


def test_unmerge_reads_the_status_of_the_latest_merge(episode, primary, duplicate, host):
    other = SubmissionFactory(episode=episode)
    services.submission_merge(duplicate=duplicate, primary=primary, actor=host)
    services.submission_unmerge(duplicate=duplicate, actor=host)
    services.submission_approve(submission=duplicate, actor=host)
    services.submission_merge(duplicate=duplicate, primary=other, actor=host)

    services.submission_unmerge(duplicate=duplicate, actor=host)

    duplicate.refresh_from_db()
    assert duplicate.status == S.APPROVED


def test_unmerge_of_a_merge_without_an_event_goes_back_to_new(episode, primary):
    # Merged by hand (or before the audit trail existed): nothing says what it was.
    old = SubmissionFactory(episode=episode, status=S.MERGED, merged_into=primary)

    services.submission_unmerge(duplicate=old)

    old.refresh_from_db()
    assert (old.status, old.merged_into) == (S.NEW, None)


def test_unmerge_refuses_a_submission_that_is_not_merged(primary):
    with pytest.raises(ValidationError, match="not merged into another"):
        services.submission_unmerge(duplicate=primary)

    assert not SubmissionEvent.objects.exists()


def test_what_moved_to_the_primary_keeps_its_own_status_for_an_undo(episode, primary, duplicate):
    earlier = SubmissionFactory(episode=episode, name="Cy", status=S.APPROVED)
    services.submission_merge(duplicate=earlier, primary=duplicate)
    services.submission_merge(duplicate=duplicate, primary=primary)

    assert trail(earlier)[-1] == (A.MERGED, None, S.APPROVED, f"#{primary.pk}")
    services.submission_unmerge(duplicate=duplicate)
    # The earlier one stays with the primary (its own merge is undone separately).
    assert submission_askers(submission=primary) == ["Ana", "Cy"]
    services.submission_unmerge(duplicate=earlier)
    earlier.refresh_from_db()
    assert (earlier.status, earlier.merged_into) == (S.APPROVED, None)
    assert submission_askers(submission=primary) == ["Ana"]


# --- Transcription -------------------------------------------------------------------------


class FakeEngine:
    name, model = "fake", "fake-1"

    def __init__(self, fail: Exception | None = None):
        self.fail = fail

    def transcribe(self, audio, *, prompt=None, language=None):
        if self.fail:
            raise self.fail
        return TranscriptionResult(
            text="Ask not.",
            language="en",
            segments=[Segment(0.0, 1.0, "Ask not.")],
            engine=self.name,
            model=self.model,
            seconds=0.1,
        )


@pytest.fixture
def voice(episode):
    submission = SubmissionFactory(episode=episode, text="")
    attach_audio(submission, AUDIO / "jfk.webm", seconds=11.0)
    return submission


def test_a_transcript_arriving_is_recorded(voice, monkeypatch):
    monkeypatch.setattr("intake.services.transcription.get_engine", lambda **kwargs: FakeEngine())
    # The worker's analysis afterwards (topic, vector, similar questions) is not under test.
    for name in ("submission_analyse", "submission_suggest_topic"):
        monkeypatch.setattr(
            f"intake.services.transcription.{name}", lambda **kwargs: None, raising=False
        )

    services.transcription_run(submission_id=voice.pk)

    assert trail(voice) == [(A.TRANSCRIBED, None, TS.RUNNING, TS.DONE)]


def test_a_failed_transcription_is_recorded_with_its_reason(voice, monkeypatch):
    monkeypatch.setattr(
        "intake.services.transcription.get_engine",
        lambda **kwargs: FakeEngine(fail=RuntimeError("model exploded")),
    )

    with pytest.raises(RuntimeError):
        services.transcription_run(submission_id=voice.pk, final_attempt=False)
    assert trail(voice) == []  # a transient failure, retried: not an event
    with pytest.raises(RuntimeError):
        services.transcription_run(submission_id=voice.pk, final_attempt=True)

    [(action, actor, before, reason)] = trail(voice)
    assert (action, actor, before) == (A.TRANSCRIPTION_FAILED, None, TS.RUNNING)
    assert "RuntimeError: model exploded" in reason


def test_a_hosts_retry_is_recorded(voice, host, transcription_queue):
    Submission.objects.filter(pk=voice.pk).update(transcription_state=TS.FAILED)
    voice.refresh_from_db()

    services.transcription_retry(submission=voice, actor=host)

    assert trail(voice) == [(A.TRANSCRIPTION_RETRIED, host, TS.FAILED, TS.PENDING)]


# --- The next undecided submission ---------------------------------------------------------


def test_next_undecided_is_the_next_new_one_down_the_inbox(episode):
    oldest = SubmissionFactory(episode=episode)
    SubmissionFactory(episode=episode, status=S.APPROVED)
    middle = SubmissionFactory(episode=episode)
    SubmissionFactory(episode=episode, status=S.DECLINED)
    current = SubmissionFactory(episode=episode)
    newest = SubmissionFactory(episode=episode)
    SubmissionFactory()  # another episode's never counts

    assert submission_next_undecided(submission=newest) == current.pk
    assert submission_next_undecided(submission=current) == middle.pk
    assert submission_next_undecided(submission=middle) == oldest.pk
    assert submission_next_undecided(submission=oldest) is None


def test_next_undecided_breaks_ties_of_the_same_moment_by_id(episode):
    first, second, third = (SubmissionFactory(episode=episode) for _ in range(3))
    Submission.objects.filter(episode=episode).update(created_at=first.created_at)

    assert submission_next_undecided(submission=Submission.objects.get(pk=third.pk)) == second.pk
    assert submission_next_undecided(submission=Submission.objects.get(pk=second.pk)) == first.pk
