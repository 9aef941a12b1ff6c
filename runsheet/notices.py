"""Telling askers "your question made the show": after the recording, one email to each listener who
asked to be told (Submission.notify_when_aired) and whose question aired, with where it comes in
the episode and the episode's public link.

- `air_notices_plan` is what the hosts' preview shows (a fixed number of queries): who will be
  told, who was told already, and why sending is refused (the recording has not ended, there
  is no public link). Told are only askers who opted in with an email, whose question aired
  (live or aired, with its show-clock offset), who were not told yet and whose address did not
  opt out (intake.NoticeOptOut).
- `air_notices_send_later` queues ONE worker job once the host's request commits; the worker
  sends (`air_notices_send`): never a slow mail server in a host's request.
- Never twice: each submission's stamp (aired_notice_sent_at) is claimed with a compare-and-set
  in its own transaction BEFORE its email is sent, so a second press, a second worker or a
  resumed job finds it taken. A refused send puts the stamp back (a later run tries again). A
  crash (the process killed) between the claim and the send loses that one email instead of
  ever sending it twice: a missed courtesy email is better than a doubled one.

Every email carries a signed one-click opt-out link (intake.notice_optout) and the
List-Unsubscribe headers of RFC 8058. Links start with SITE_URL (just paths without it: the
preview warns). Listener-written text goes into headers only through header_safe.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from rq.timeouts import JobTimeoutException

from episodes.formatting import question_gist
from episodes.models import Episode, Show
from episodes.services import show_get
from intake import queue
from intake.models import Submission, SubmissionEvent
from intake.notice_optout import notice_email_key, notice_opted_out, notice_optout_url
from intake.notifications import header_safe
from intake.services.events import event_record
from runsheet.chapters import timestamp as chapter_timestamp
from runsheet.selectors.recording import RecordingView, recording_view

logger = logging.getLogger(__name__)

SEND_TASK = "runsheet.tasks.air_notices_send"
GIST_CHARS = 200

NOT_STARTED = "The askers are told after the recording, and it has not started yet."
NOT_ENDED = "The recording is still going on: tell the askers once it has ended."
NO_LINK = "Write the episode's public link first: every email links to it."
NOBODY_LEFT = "Nobody is left to tell."


def email_mask(email: str) -> str:
    """ "priya@example.com" -> "p•••@example.com": enough for a host to recognise, on a page."""
    local, at, domain = (email or "").partition("@")
    if not at:
        return "•••"
    return f"{local[:1]}•••@{domain}"


@dataclass(frozen=True)
class AirNotice:
    """One email to send: an opted-in asker of an aired question."""

    submission: Submission
    seconds: int  # where the question comes in the edited episode (trim applied)
    question: str  # what was asked, as the sheet shows it
    asker: str  # as the chapters and show notes name them (StepRow.asker)

    @property
    def timestamp(self) -> str:
        """mm:ss, or h:mm:ss past the hour: as the show notes write it."""
        return chapter_timestamp(self.seconds)

    @property
    def masked_email(self) -> str:
        return email_mask(self.submission.email)


@dataclass(frozen=True)
class AirNoticePlan:
    episode: Episode
    view: RecordingView
    to_tell: list[AirNotice] = field(default_factory=list)
    told: int = 0  # askers of aired questions told already
    told_at: dt.datetime | None = None  # the latest of those emails
    opted_out: int = 0  # opted in, but their address opted out of every such email since

    @property
    def phase(self) -> str:
        return self.view.phase

    @property
    def refusal(self) -> str | None:
        """Why "Tell the askers" may not be pressed now (None: it may, if anyone is left)."""
        if self.phase == "ready":
            return NOT_STARTED
        if self.phase != "ended":
            return NOT_ENDED
        if not self.episode.public_url:
            return NO_LINK
        return None

    @property
    def can_send(self) -> bool:
        return self.refusal is None and bool(self.to_tell)


def air_notices_plan(*, episode: Episode) -> AirNoticePlan:
    """Who the emails go to now, who had theirs, and whether they may be sent (5 queries)."""
    view = recording_view(episode=episode)
    candidates: list[AirNotice] = []
    told, told_at = 0, None
    for row in view.steps:
        if row.entry is None or not row.on_air or row.step.aired_offset is None:
            continue
        submission = row.entry.submission
        if not submission.notify_when_aired or not submission.email:
            continue
        if submission.aired_notice_sent_at is not None:
            told += 1
            stamp = submission.aired_notice_sent_at
            told_at = stamp if told_at is None else max(told_at, stamp)
            continue
        candidates.append(
            AirNotice(
                submission=submission,
                seconds=view.air_time(row),
                question=row.entry.text,
                asker=row.asker,
            )
        )
    stopped = notice_opted_out(notice.submission.email for notice in candidates)
    to_tell = [n for n in candidates if notice_email_key(n.submission.email) not in stopped]
    return AirNoticePlan(
        episode=episode,
        view=view,
        to_tell=to_tell,
        told=told,
        told_at=told_at,
        opted_out=len(candidates) - len(to_tell),
    )


def air_notice_message(*, notice: AirNotice, episode: Episode, show: Show) -> EmailMessage:
    """The email one asker gets (the preview shows the first one as it will go out)."""
    submission = notice.submission
    show_name = header_safe(show.name, 120) or "the show"
    optout = notice_optout_url(submission.pk)
    hello = f"Hello {submission.name.strip()}," if submission.name.strip() else "Hello,"
    lines = [
        hello,
        "",
        f"Your question made {show.name}! The hosts took it in \u201c{episode.title}\u201d:",
        "",
        f"  \u201c{question_gist(notice.question, GIST_CHARS)}\u201d",
        "",
        f"It comes in at {notice.timestamp}. Listen here:",
        # Never sent without it (NO_LINK); the preview may show the email before it is written.
        episode.public_url or "[the episode's public link]",
        "",
        "Thank you for asking.",
        show.name,
        "",
        "--",
        "You got this email because you ticked \u201cTell me if my question is used on the "
        "show\u201d when you sent it. To never get these emails again, open this link:",
        optout,
    ]
    headers = {}
    # RFC 8058 one-click: mail clients POST to the link. Only an absolute URL means anything
    # to a mail client; without SITE_URL the body's link is a path (the preview warns).
    if optout.startswith(("https://", "http://")):
        headers["List-Unsubscribe"] = f"<{optout}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return EmailMessage(
        subject=f"Your question made {show_name}!",
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[submission.email],
        reply_to=[show.contact_email] if show.contact_email else None,
        headers=headers,
    )


def air_notices_send_later(*, episode: Episode, by=None) -> AirNoticePlan:
    """Queue the emails for the worker, once the surrounding transaction commits.

    Refused (ValidationError) before the recording has ended, without a public link, and
    when nobody is left to tell. Returns the plan the job was queued for.
    """
    plan = air_notices_plan(episode=episode)
    if plan.refusal:
        raise ValidationError(plan.refusal, code="refused")
    if not plan.to_tell:
        raise ValidationError(NOBODY_LEFT, code="nobody_left")
    count = len(plan.to_tell)
    queue.enqueue_on_commit(
        SEND_TASK,
        episode.pk,
        getattr(by, "pk", None),
        # Each email may wait for the mail server's timeout; a job cut short loses at most
        # the one email it was sending (the rest stay unstamped for the next press).
        job_timeout=max(60, settings.EMAIL_TIMEOUT * (count + 6)),
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
        description=f"Tell {count} asker{'' if count == 1 else 's'} of episode {episode.pk} "
        "their question made the show",
    )
    return plan


def air_notice_claim(*, submission_id: int, now: dt.datetime) -> bool:
    """Take the submission's stamp (compare-and-set, committed on its own) before sending:
    False when someone else already took it."""
    with transaction.atomic():
        return bool(
            Submission.objects.filter(
                pk=submission_id, notify_when_aired=True, aired_notice_sent_at__isnull=True
            ).update(aired_notice_sent_at=now)
        )


def air_notice_release(*, submission_id: int, stamp: dt.datetime) -> None:
    """Give the stamp back after a refused send, so a later run tries again."""
    with transaction.atomic():
        Submission.objects.filter(pk=submission_id, aired_notice_sent_at=stamp).update(
            aired_notice_sent_at=None
        )


def air_notice_deliver(message: EmailMessage) -> int:
    """Send one email (a seam for tests that crash or fail between the claim and the send)."""
    return message.send()


def air_notices_send(*, episode_id: int, by_id: int | None = None) -> int:
    """Send every email still due for the episode (in the worker); returns how many went out.

    No retries of the job: a run only ever sends what it claimed, and a second run sends
    what is still unclaimed. Each refused email is logged and the others still go out.
    """
    episode = Episode.objects.filter(pk=episode_id).first()
    if episode is None:
        return 0
    plan = air_notices_plan(episode=episode)
    if plan.refusal:
        logger.warning("Not telling the askers of episode %s: %s", episode_id, plan.refusal)
        return 0
    if not plan.to_tell:
        return 0
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    show = show_get()
    sent = 0
    with get_connection() as connection:
        for notice in plan.to_tell:
            submission_id = notice.submission.pk
            # Built before the claim: nothing can fail between taking the stamp and sending
            # but the sending itself.
            message = air_notice_message(notice=notice, episode=episode, show=show)
            message.connection = connection
            stamp = timezone.now()
            if not air_notice_claim(submission_id=submission_id, now=stamp):
                continue  # another run told them (a second press, a second worker)
            # A crash from here until the send returns loses this one email: it stays
            # stamped, so it is never sent twice.
            try:
                air_notice_deliver(message)
            except JobTimeoutException:
                # The worker cutting the job short is a crash too: the email may be out.
                raise
            except Exception:
                air_notice_release(submission_id=submission_id, stamp=stamp)
                logger.exception(
                    "Could not tell submission %s's asker their question made the show",
                    submission_id,
                )
                continue
            event_record(
                submission=submission_id,
                action=SubmissionEvent.Action.AIR_NOTICE,
                actor=by,
                to_value=notice.timestamp,
            )
            sent += 1
    return sent
