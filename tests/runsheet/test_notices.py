"""Telling askers "your question made the show": after the recording, one email per opted-in asker
of an aired question, sent by the real worker, with its timestamp (trim applied) and the public
link, a signed opt-out link, and never twice: a second press, a crash between two emails and a
refused send all end with one email per asker at most."""

import datetime as dt
import logging
import re
import smtplib
from dataclasses import dataclass
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rq.timeouts import JobTimeoutException

from episodes.services import show_get
from intake.models import NoticeOptOut, Submission, SubmissionEvent
from intake.notice_optout import notice_optout_record
from runsheet import notices
from runsheet import services as runsheet
from runsheet.tasks import air_notices_send as air_notices_job
from tests.factories import EpisodeFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)
LINK = "https://podcast.example.com/episodes/2024-recap"
SITE = "https://mailbag.example.com"


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def asker(episode, name: str, *, notify: bool = True, email: str | None = None, **fields):
    return SubmissionFactory(
        episode=episode,
        name=name,
        text=f"{name}'s question about what comes next?",
        email=f"{name.lower()}@example.com" if email is None else email,
        notify_when_aired=notify,
        status=Submission.Status.APPROVED,
        **fields,
    )


@dataclass
class Recorded:
    episode: object
    askers: dict  # name -> Submission


def recorded_episode(*, episode=None, extra_aired: int = 0, trim: int = 30, link: str = LINK):
    """A recorded episode: Ana aired first (at 00:00 after the trim), Bo skipped, Cy aired past
    the hour, Dee aired without opting in, Eve aired but her address opted out, Fay was never
    reached; `extra_aired` more opted-in askers aired after Eve."""
    episode = episode or EpisodeFactory(title="2024 Recap")
    episode.public_url = link
    episode.save(update_fields=["public_url"])
    runsheet.runsheet_start(episode=episode)
    segment = runsheet.segment_create(episode=episode, title="Questions")
    people = {
        "Ana": asker(episode, "Ana"),
        "Bo": asker(episode, "Bo"),
        "Cy": asker(episode, "Cy", email="Cy@Example.com"),
        "Dee": asker(episode, "Dee", notify=False),
        "Eve": asker(episode, "Eve", email="EVE@example.com"),
    }
    for number in range(extra_aired):
        people[f"Extra{number}"] = asker(episode, f"Extra{number}")
    people["Fay"] = asker(episode, "Fay")
    for submission in people.values():
        runsheet.entry_add(segment=segment, submission=submission)
    notice_optout_record("eve@example.com")

    runsheet.recording_start(episode=episode, now=at(0))  # Ana live at 0
    runsheet.recording_next(episode=episode, now=at(100))  # Bo live
    runsheet.recording_skip(episode=episode, now=at(3700))  # Bo skipped, Cy live at 3700
    runsheet.recording_next(episode=episode, now=at(3800))  # Dee live
    clock = 3850
    runsheet.recording_next(episode=episode, now=at(clock))  # Eve live
    for _ in range(extra_aired):
        clock += 20
        runsheet.recording_next(episode=episode, now=at(clock))
    recording = runsheet.recording_stop(episode=episode, now=at(clock + 60))  # Fay not reached
    runsheet.recording_trim(recording=recording, trim_seconds=trim)
    return Recorded(episode, people)


@pytest.fixture(autouse=True)
def mail_settings(settings, mailoutbox):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "mailbag@example.com"
    show = show_get()
    show.name = "Mailbag\r\nBcc: eve@evil.example"  # listener-facing text goes through header_safe
    show.save()
    return mailoutbox


@pytest.fixture
def tell(django_capture_on_commit_callbacks, run_worker):
    """Press "Tell the askers" (the job queued once the request commits), then let the real
    worker run it."""

    def press(episode):
        with django_capture_on_commit_callbacks(execute=True):
            plan = notices.air_notices_send_later(episode=episode)
        run_worker()
        return plan

    return press


def by_recipient(outbox) -> dict[str, list]:
    found: dict[str, list] = {}
    for message in outbox:
        for address in message.to:
            found.setdefault(address, []).append(message)
    return found


def test_only_opted_in_askers_of_aired_questions_get_one_email_each(tell, mailoutbox):
    world = recorded_episode()

    plan = tell(world.episode)

    assert [n.asker for n in plan.to_tell] == ["Ana", "Cy"]
    assert sorted(by_recipient(mailoutbox)) == ["Cy@Example.com", "ana@example.com"]
    ana, cy = (
        by_recipient(mailoutbox)["ana@example.com"][0],
        by_recipient(mailoutbox)["Cy@Example.com"][0],
    )
    # Ana went live at 0:00 of the show, which the 30 s trim would make negative: 00:00.
    assert "It comes in at 00:00." in ana.body
    # Cy at 3700 s of show minus the trim: past the hour.
    assert "It comes in at 1:01:10." in cy.body
    for message in (ana, cy):
        assert LINK in message.body
        assert message.subject == "Your question made Mailbag Bcc: eve@evil.example!"
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.from_email == "mailbag@example.com"
        optout = re.search(rf"{re.escape(SITE)}/notices/stop/\S+/", message.body).group(0)
        assert message.extra_headers["List-Unsubscribe"] == f"<{optout}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Cy's question about what comes next?" in cy.body
    told = Submission.objects.filter(aired_notice_sent_at__isnull=False)
    assert set(told.values_list("name", flat=True)) == {"Ana", "Cy"}
    events = SubmissionEvent.objects.filter(action=SubmissionEvent.Action.AIR_NOTICE)
    assert sorted(events.values_list("submission__name", "to_value")) == [
        ("Ana", "00:00"),
        ("Cy", "1:01:10"),
    ]


def test_a_second_press_sends_nothing(tell, mailoutbox, transcription_queue, run_worker):
    world = recorded_episode()
    tell(world.episode)
    assert len(mailoutbox) == 2

    with pytest.raises(ValidationError) as refused:
        notices.air_notices_send_later(episode=world.episode)
    assert refused.value.messages == [notices.NOBODY_LEFT]
    # A job queued twice (two hosts pressing at once) finds every row stamped.
    transcription_queue.enqueue(notices.SEND_TASK, world.episode.pk, None)
    run_worker()

    assert len(mailoutbox) == 2
    plan = notices.air_notices_plan(episode=world.episode)
    assert (plan.told, plan.to_tell, plan.can_send) == (2, [], False)


class Crash(BaseException):
    """The worker's process killed: nothing in the job gets to handle it."""


def test_a_crash_between_two_emails_resumes_without_doubles(tell, mailoutbox, run_worker):
    world = recorded_episode(extra_aired=2)  # Ana, Cy, Extra0, Extra1 to tell
    claim = notices.air_notice_claim
    calls = []

    def claim_then_crash(**kwargs):
        calls.append(kwargs["submission_id"])
        if len(calls) == 2:  # after Ana's email went out, before Cy's is claimed
            raise Crash
        return claim(**kwargs)

    with (
        mock.patch.object(notices, "air_notice_claim", side_effect=claim_then_crash),
        pytest.raises(Crash),
    ):
        air_notices_job(world.episode.pk)
    assert [m.to for m in mailoutbox] == [["ana@example.com"]]

    tell(world.episode)  # pressed again: the job resumes with whoever is left

    sent = by_recipient(mailoutbox)
    assert sorted(sent) == sorted(
        ["ana@example.com", "Cy@Example.com", "extra0@example.com", "extra1@example.com"]
    )
    assert all(len(messages) == 1 for messages in sent.values())


# The process killed, or the worker cutting the job short at its timeout.
@pytest.mark.parametrize("crash", [Crash, JobTimeoutException], ids=["killed", "timeout"])
def test_a_crash_after_the_claim_loses_that_email_rather_than_doubling_it(
    tell, mailoutbox, run_worker, crash
):
    world = recorded_episode(extra_aired=1)  # Ana, Cy, Extra0
    deliver = notices.air_notice_deliver

    def crash_on_cy(message):
        if message.to == ["Cy@Example.com"]:
            raise crash  # claimed; maybe sent, maybe not
        return deliver(message)

    with (
        mock.patch.object(notices, "air_notice_deliver", side_effect=crash_on_cy),
        pytest.raises(crash),
    ):
        air_notices_job(world.episode.pk)
    tell(world.episode)

    assert sorted(by_recipient(mailoutbox)) == ["ana@example.com", "extra0@example.com"]
    assert len(mailoutbox) == 2
    assert Submission.objects.get(pk=world.askers["Cy"].pk).aired_notice_sent_at is not None


def test_a_refused_send_clears_the_stamp_and_a_later_run_sends_it(
    tell, mailoutbox, run_worker, caplog
):
    world = recorded_episode()
    deliver = notices.air_notice_deliver

    def refuse_cy(message):
        if message.to == ["Cy@Example.com"]:
            raise smtplib.SMTPRecipientsRefused({"Cy@Example.com": (450, b"try later")})
        return deliver(message)

    with (
        mock.patch.object(notices, "air_notice_deliver", side_effect=refuse_cy),
        caplog.at_level(logging.ERROR, logger="runsheet.notices"),
    ):
        tell(world.episode)

    assert [m.to for m in mailoutbox] == [["ana@example.com"]]
    cy = Submission.objects.get(pk=world.askers["Cy"].pk)
    assert cy.aired_notice_sent_at is None
    assert f"submission {cy.pk}" in caplog.text
    assert not SubmissionEvent.objects.filter(
        submission=cy, action=SubmissionEvent.Action.AIR_NOTICE
    ).exists()

    tell(world.episode)

    assert sorted(m.to[0] for m in mailoutbox) == ["Cy@Example.com", "ana@example.com"]


def test_an_address_that_opts_out_through_the_emails_link_gets_nothing_more(tell, mailoutbox):
    world = recorded_episode()
    tell(world.episode)
    ana = by_recipient(mailoutbox)["ana@example.com"][0]
    link = ana.extra_headers["List-Unsubscribe"].strip("<>")
    # A mail client's one-click unsubscribe: a POST without any CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        link.removeprefix(SITE),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert NoticeOptOut.objects.filter(email="ana@example.com").exists()

    # Ana's next question airs in another episode: she is not told.
    other = recorded_episode(episode=EpisodeFactory(title="2025 Recap"))
    Submission.objects.filter(episode=other.episode, name="Ana").update(email="ANA@example.com")
    mailoutbox.clear()
    tell(other.episode)

    assert sorted(by_recipient(mailoutbox)) == ["Cy@Example.com"]


def test_nothing_goes_before_the_recording_ends_or_without_the_public_link(
    tell, mailoutbox, transcription_queue
):
    world = recorded_episode(link="")
    with pytest.raises(ValidationError) as refused:
        notices.air_notices_send_later(episode=world.episode)
    assert refused.value.messages == [notices.NO_LINK]

    going_on = EpisodeFactory()
    going_on.public_url = LINK
    going_on.save()
    runsheet.runsheet_start(episode=going_on)
    segment = runsheet.segment_create(episode=going_on, title="Questions")
    runsheet.entry_add(segment=segment, submission=asker(going_on, "Gil"))
    runsheet.recording_start(episode=going_on, now=timezone.now())
    with pytest.raises(ValidationError) as refused:
        notices.air_notices_send_later(episode=going_on)
    assert refused.value.messages == [notices.NOT_ENDED]

    # A job queued anyway (by hand) refuses too.
    assert notices.air_notices_send(episode_id=world.episode.pk) == 0
    assert notices.air_notices_send(episode_id=going_on.pk) == 0
    assert mailoutbox == []
    assert not Submission.objects.filter(aired_notice_sent_at__isnull=False).exists()


def test_without_site_url_the_links_are_paths_and_no_list_unsubscribe_header(settings):
    settings.SITE_URL = ""
    world = recorded_episode()
    plan = notices.air_notices_plan(episode=world.episode)

    message = notices.air_notice_message(
        notice=plan.to_tell[0], episode=world.episode, show=show_get()
    )

    assert "\n/notices/stop/" in message.body
    assert "List-Unsubscribe" not in message.extra_headers


def test_email_mask():
    assert notices.email_mask("priya@example.com") == "p•••@example.com"
    assert notices.email_mask("broken") == "•••"
