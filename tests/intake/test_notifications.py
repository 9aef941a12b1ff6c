"""Emails to the hosts about new submissions: queued after the listener's commit and sent by
the worker ("each"), or gathered into at most one digest an hour ("hourly"), never twice."""

import datetime as dt
import logging
import smtplib

import pytest
from django.core import mail
from django.core.files import File
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone
from rq.worker import SimpleWorker

from episodes.models import HostProfile
from intake import notifications, services
from intake.models import Submission
from intake.worker import TranscriptionWorker
from tests.conftest import AUDIO
from tests.factories import EpisodeFactory, SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTIFY = notifications.NOTIFY_TASK
T0 = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
SETTLE = notifications.DIGEST_SETTLE


@pytest.fixture(autouse=True)
def media(private_media, settings):
    settings.SITE_URL = "https://mailbag.example.com"
    return private_media


def profile(user, notify: str, **fields) -> HostProfile:
    return HostProfile.objects.update_or_create(user=user, defaults={"notify": notify, **fields})[0]


def notify_jobs(queue) -> list:
    return [job for job in queue.jobs if job.func_name == NOTIFY]


# --- An email for each submission, from the worker --------------------------------------------


def test_the_request_only_queues_the_email_and_the_worker_sends_it(
    episode, settings, mailoutbox, django_capture_on_commit_callbacks, transcription_queue
):
    settings.HOST_NOTIFY_EMAILS = ["hosts@example.com", "producer@example.com"]
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        (AUDIO / "jfk.webm").open("rb") as handle,
    ):
        submission = services.submission_create(
            episode=episode,
            kind="question",
            text="What about self-play?",
            name="Sam",
            email="sam@example.com",
            audio=File(handle, name="anything.bin"),
            consent_to_air=True,
        )
        assert notify_jobs(transcription_queue) == []  # nothing before the row is durable
    for callback in callbacks:
        callback()
    assert mailoutbox == []  # the listener's request sends nothing itself
    (job,) = notify_jobs(transcription_queue)
    assert job.args == (submission.pk,)

    assert job.perform() == "1 email sent"  # as the worker runs it

    (email,) = mailoutbox
    assert email.to == ["hosts@example.com", "producer@example.com"]
    assert email.subject == "New voice question for 2024 Recap from Sam"
    assert "What about self-play?" in email.body
    assert "sam@example.com" in email.body
    assert "Recording: 11 s (webm), may be played on the show: yes" in email.body
    assert f"https://mailbag.example.com/host/2024-recap/submissions/{submission.pk}/" in email.body
    assert "https://mailbag.example.com/host/settings" in email.body


def test_a_real_worker_runs_the_email_job(
    episode, host, mailoutbox, django_capture_on_commit_callbacks, transcription_queue
):
    profile(host, HostProfile.Notify.EACH)
    with django_capture_on_commit_callbacks(execute=True):
        submission = SubmissionFactory.build(episode=episode, name="Ana", text="Hello?")
        submission.save()
        notifications.submission_notify_later(submission=submission)
    SimpleWorker([transcription_queue], connection=transcription_queue.connection).work(burst=True)

    (email,) = mailoutbox
    assert email.to == [host.email]
    assert email.subject == "New question for 2024 Recap from Ana"


def test_nothing_is_queued_when_nobody_wants_an_email(
    episode, host, settings, mailoutbox, django_capture_on_commit_callbacks, transcription_queue
):
    settings.HOST_NOTIFY_EMAILS = []
    profile(host, HostProfile.Notify.HOURLY)
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_create(episode=episode, kind="question", text="Quiet")
    assert notify_jobs(transcription_queue) == []
    assert mailoutbox == []


def test_a_host_asking_for_each_one_gets_the_job_queued(
    episode, host, settings, django_capture_on_commit_callbacks, transcription_queue
):
    settings.HOST_NOTIFY_EMAILS = []
    profile(host, HostProfile.Notify.EACH)
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_create(episode=episode, kind="question", text="Hi")
    assert len(notify_jobs(transcription_queue)) == 1


def test_each_goes_to_hosts_who_asked_and_can_receive_it(episode, host, settings, mailoutbox):
    settings.HOST_NOTIFY_EMAILS = ["producer@example.com", "CO@example.com"]
    co = UserFactory(username="co", email="co@example.com")  # also on the site's list
    hourly = UserFactory(username="hourly")
    off = UserFactory(username="off")
    no_address = UserFactory(username="no-address", email="")
    gone = UserFactory(username="gone", is_active=False)
    other_show = UserFactory(username="other-show")
    episode.hosts.add(co, hourly, off, no_address, gone)
    EpisodeFactory(hosts=[other_show])
    for user in (host, co, no_address, gone, other_show):
        profile(user, HostProfile.Notify.EACH)
    profile(hourly, HostProfile.Notify.HOURLY)
    profile(off, HostProfile.Notify.OFF)
    submission = SubmissionFactory(episode=episode)

    sent = notifications.submission_notify_hosts(submission_id=submission.pk)

    assert sent == 2
    # The site's list as one message (as before), then each host who asked, on their own:
    # hosts of different shows never see each other's addresses.
    assert [m.to for m in mailoutbox] == [
        ["producer@example.com", "CO@example.com"],
        [host.email],
    ]


def test_a_listeners_name_cannot_break_the_subject(episode, host, mailoutbox):
    profile(host, HostProfile.Notify.EACH)
    submission = SubmissionFactory(
        episode=episode, name="Sam\r\nBcc: everyone@example.com\u2028X", text="Hi"
    )

    notifications.submission_notify_hosts(submission_id=submission.pk)

    (email,) = mailoutbox
    assert email.subject == "New question for 2024 Recap from Sam Bcc: everyone@example.com X"
    headers = email.message()
    assert headers["Bcc"] is None
    assert email.recipients() == [host.email]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("Sam\r\nBcc: x@example.com", "Sam Bcc: x@example.com"),
        ("Zoë\tthe\x00listener", "Zoë the listener"),
        ("  ", ""),
        ("A" * 200, "A" * 59 + "…"),
    ],
)
def test_header_safe(text, safe):
    assert notifications.header_safe(text) == safe


class RefusingBackend(EmailBackend):
    """Delivers like locmem, except to refuse@example.com: the mail server says no."""

    def send_messages(self, messages):
        for message in messages:
            if "refuse@example.com" in message.to:
                raise smtplib.SMTPRecipientsRefused({"refuse@example.com": (550, b"No")})
        return super().send_messages(messages)


def test_a_refused_email_is_logged_and_the_others_still_go(
    episode, host, settings, caplog, mailoutbox
):
    settings.EMAIL_BACKEND = "tests.intake.test_notifications.RefusingBackend"
    settings.HOST_NOTIFY_EMAILS = ["refuse@example.com"]
    profile(host, HostProfile.Notify.EACH)
    submission = SubmissionFactory(episode=episode)

    with caplog.at_level(logging.ERROR):
        sent = notifications.submission_notify_hosts(submission_id=submission.pk)

    assert sent == 1
    assert [m.to for m in mail.outbox] == [[host.email]]
    assert f"Could not email refuse@example.com about submission {submission.pk}" in caplog.text


def test_a_submission_gone_before_the_job_runs_sends_nothing(mailoutbox, settings):
    settings.HOST_NOTIFY_EMAILS = ["hosts@example.com"]
    assert notifications.submission_notify_hosts(submission_id=987654) == 0
    assert mailoutbox == []


# --- The hourly digest ------------------------------------------------------------------------


def arrived(episode, at: dt.datetime, **fields) -> Submission:
    submission = SubmissionFactory(episode=episode, **fields)
    Submission.objects.filter(pk=submission.pk).update(created_at=at)
    return submission


@pytest.fixture
def hourly(episode, host):
    return profile(host, HostProfile.Notify.HOURLY, digest_sent_until=T0, time_zone="")


def stamp(profile_row: HostProfile) -> dt.datetime | None:
    profile_row.refresh_from_db()
    return profile_row.digest_sent_until


def test_a_digest_at_most_once_an_hour_with_only_what_is_new(episode, host, hourly, mailoutbox):
    first = arrived(episode, T0 + dt.timedelta(minutes=10), name="Ana", text="First?")

    assert notifications.digests_send(now=T0 + dt.timedelta(minutes=30)) == 0  # not an hour yet
    due = T0 + HOUR + SETTLE
    assert notifications.digests_send(now=due) == 1
    assert notifications.digests_send(now=due + dt.timedelta(minutes=1)) == 0  # just sent

    (digest,) = mailoutbox
    assert digest.to == [host.email]
    assert digest.subject == "1 new submission for 2024 Recap"
    assert f"#{first.pk} 12:10 Ana, question: First?" in digest.body
    assert "https://mailbag.example.com/host/2024-recap/?status=new" in digest.body
    assert stamp(hourly) == T0 + HOUR

    second = arrived(episode, T0 + HOUR + dt.timedelta(minutes=10), name="Kai", text="Next?")
    assert notifications.digests_send(now=T0 + HOUR + dt.timedelta(minutes=40)) == 0
    assert notifications.digests_send(now=T0 + 2 * HOUR + SETTLE) == 1
    assert len(mailoutbox) == 2
    assert f"#{second.pk}" in mailoutbox[1].body
    assert f"#{first.pk}" not in mailoutbox[1].body


def test_an_empty_hour_sends_nothing_and_the_next_question_goes_out_at_once(
    episode, hourly, mailoutbox
):
    assert notifications.digests_send(now=T0 + 3 * HOUR) == 0
    assert stamp(hourly) == T0  # nothing was sent, so nothing is stamped

    late = arrived(episode, T0 + 3 * HOUR, text="Anyone there?")
    assert notifications.digests_send(now=T0 + 3 * HOUR + SETTLE) == 1
    assert f"#{late.pk}" in mailoutbox[0].body


def test_digests_go_only_to_hourly_hosts_about_their_own_episodes(
    episode, host, hourly, mailoutbox
):
    each = UserFactory(username="each")
    episode.hosts.add(each)
    profile(each, HostProfile.Notify.EACH)
    theirs = EpisodeFactory(title="Another Show", hosts=[UserFactory(username="theirs")])
    mine = arrived(episode, T0 + dt.timedelta(minutes=5))
    not_mine = arrived(theirs, T0 + dt.timedelta(minutes=5))

    assert notifications.digests_send(now=T0 + HOUR + SETTLE) == 1

    (digest,) = mailoutbox
    assert digest.to == [host.email]
    assert f"#{mine.pk}" in digest.body
    assert f"#{not_mine.pk}" not in digest.body


def test_a_digest_over_several_episodes_in_the_hosts_time_zone(episode, host, mailoutbox):
    profile(host, HostProfile.Notify.HOURLY, digest_sent_until=T0, time_zone="Europe/Berlin")
    other = EpisodeFactory(title="Second Show", hosts=[host])
    arrived(episode, T0 + dt.timedelta(minutes=1), name="Ana")
    arrived(other, T0 + dt.timedelta(minutes=2), name="Kai\nBcc: x@example.com")

    notifications.digests_send(now=T0 + HOUR + SETTLE)

    (digest,) = mailoutbox
    assert digest.subject == "2 new submissions for 2 episodes"
    assert "since Tuesday 1 December, 13:00 (Europe/Berlin)" in digest.body
    assert "13:01 Ana" in digest.body
    assert "13:02 Kai Bcc: x@example.com," in digest.body


class Crash(BaseException):
    """The worker dies (SIGKILL, power cut) between stamping the digest and sending it."""


def test_a_crash_between_stamp_and_send_never_sends_the_digest_twice(
    episode, hourly, mailoutbox, monkeypatch
):
    """The stamp comes first (the safe side): a crash loses that one digest, never doubles it."""
    arrived(episode, T0 + dt.timedelta(minutes=10))
    now = T0 + HOUR + SETTLE

    def crash(message):
        raise Crash

    with monkeypatch.context() as patched:
        patched.setattr(notifications, "_digest_deliver", crash)
        with pytest.raises(Crash):
            notifications.digests_send(now=now)
    assert stamp(hourly) == T0 + HOUR  # stamped before the send

    # The restarted worker's next sweeps, and the next hour's digest: nothing again.
    assert notifications.digests_send(now=now) == 0
    assert notifications.digests_send(now=now + dt.timedelta(minutes=10)) == 0
    assert notifications.digests_send(now=now + HOUR) == 0
    assert mailoutbox == []


def test_a_refusing_mail_server_gets_the_digest_again_next_time(
    episode, hourly, mailoutbox, monkeypatch, caplog
):
    arrived(episode, T0 + dt.timedelta(minutes=10))
    now = T0 + HOUR + SETTLE

    def refuse(message):
        raise smtplib.SMTPServerDisconnected("injected")

    with monkeypatch.context() as patched, caplog.at_level(logging.ERROR):
        patched.setattr(notifications, "_digest_deliver", refuse)
        assert notifications.digests_send(now=now) == 0
    assert "Could not send the hourly digest of host" in caplog.text
    assert stamp(hourly) == T0  # given back: the message surely did not go

    assert notifications.digests_send(now=now + dt.timedelta(minutes=1)) == 1
    assert len(mailoutbox) == 1


def test_two_workers_at_once_send_one_digest(episode, hourly, mailoutbox):
    arrived(episode, T0 + dt.timedelta(minutes=10))
    cutoff = T0 + HOUR
    stale = HostProfile.objects.select_related("user").get(pk=hourly.pk)

    assert notifications.digests_send(now=cutoff + SETTLE) == 1
    # The other worker read the profile before the first one stamped it.
    assert notifications._digest_send(profile=stale, cutoff=cutoff) == 0
    assert len(mailoutbox) == 1


def test_a_profile_never_stamped_covers_the_last_hour(episode, host, mailoutbox):
    profile(host, HostProfile.Notify.HOURLY, digest_sent_until=None)
    now = T0 + 5 * HOUR + SETTLE
    arrived(episode, T0, text="Too old")
    recent = arrived(episode, T0 + 4 * HOUR + dt.timedelta(minutes=30), text="Recent")

    assert notifications.digests_send(now=now) == 1
    assert f"#{recent.pk}" in mailoutbox[0].body
    assert "Too old" not in mailoutbox[0].body


def test_the_worker_sends_due_digests_in_its_maintenance(
    episode, host, hourly, settings, mailoutbox, transcription_queue
):
    settings.TRANSCRIPTION_WARM_ON_START = False
    arrived(episode, timezone.now() - 2 * HOUR)
    HostProfile.objects.filter(pk=hourly.pk).update(digest_sent_until=timezone.now() - 3 * HOUR)
    worker = TranscriptionWorker([transcription_queue], connection=transcription_queue.connection)

    worker.run_maintenance_tasks()

    assert [m.to for m in mailoutbox] == [[host.email]]
