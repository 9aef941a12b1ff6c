"""Emails to the hosts about new submissions, always sent by the worker, never in the
listener's request: a slow or broken mail server can neither delay nor fail a submission.

- Each new submission: one email to HOST_NOTIFY_EMAILS (the site's list, as one message) and
  one to every host of the episode whose settings say "each" (HostProfile.notify) and whose
  account has an email address. submission_create queues `intake.tasks.submission_notify`
  after its commit, only when someone wants it.
- Hourly digests: every host whose settings say "hourly" gets at most one email an hour
  listing what arrived for the episodes they host since their last one, sent from the
  worker's periodic maintenance (intake.worker). An hour with nothing new sends nothing.

Listener-written names go into subjects only through header_safe (no CR/LF: they could
otherwise forge headers, and Django refuses such a subject outright). Links start with
SITE_URL (just a path without it).
"""

import datetime as dt
import logging
import unicodedata
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format

from episodes.formatting import excerpt
from episodes.models import Episode, HostProfile
from intake import queue
from intake.models import Submission

logger = logging.getLogger(__name__)

NOTIFY_TASK = "intake.tasks.submission_notify"
DIGEST_EVERY = dt.timedelta(hours=1)
# A digest covers what arrived until a few minutes ago: a listener's transaction that is still
# committing (a slow upload to object storage) is not passed over by the cut-off.
DIGEST_SETTLE = dt.timedelta(minutes=5)
DIGEST_MAX_LINES = 30  # per episode; the rest is "and N more" with a link to the inbox
SUBJECT_NAME_CHARS = 60


def header_safe(text: str, limit: int = SUBJECT_NAME_CHARS) -> str:
    """`text` fit for an email header: control characters (CR, LF, tab, ...) and line or
    paragraph separators become spaces, spaces are collapsed, and it is cut at a word."""
    flat = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in text or ""
    )
    return excerpt(flat, limit)


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _path(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # an install without the dashboard's URLs
        return ""


def _each_hosts(episode_id: int):
    """Hosts of the episode who asked for an email per submission and can receive one."""
    return (
        get_user_model()
        .objects.filter(
            episodes=episode_id,
            is_active=True,
            host_profile__notify=HostProfile.Notify.EACH,
        )
        .exclude(email="")
    )


# --- An email per submission ----------------------------------------------------------------


def submission_notify_later(*, submission: Submission) -> None:
    """Queue the emails about a new submission for the worker, once the surrounding
    transaction commits; nothing is queued when nobody wants one."""
    if not settings.HOST_NOTIFY_EMAILS and not _each_hosts(submission.episode_id).exists():
        return
    queue.enqueue_on_commit(
        NOTIFY_TASK,
        submission.pk,
        job_timeout=max(60, settings.EMAIL_TIMEOUT * 6),
        result_ttl=600,
        failure_ttl=7 * 24 * 3600,
        description=f"Email the hosts about submission {submission.pk}",
    )


def submission_notify_hosts(*, submission_id: int) -> int:
    """Send the emails about one submission (in the worker); returns how many went out.

    No retries: an email that may have gone out is never sent twice. Each failure is logged
    and the other recipients still get theirs.
    """
    submission = Submission.objects.select_related("episode").filter(pk=submission_id).first()
    if submission is None:
        return 0
    site_list = list(settings.HOST_NOTIFY_EMAILS)
    listed = {address.casefold() for address in site_list}
    hosts = [
        user
        for user in _each_hosts(submission.episode_id).order_by("pk")
        if user.email.casefold() not in listed
    ]
    subject, body = _submission_message(submission)
    messages = []
    if site_list:
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, site_list))
    for user in hosts:
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    return _send_each(messages, what=f"submission {submission_id}")


def _send_each(messages: list[EmailMessage], *, what: str) -> int:
    if not messages:
        return 0
    sent = 0
    try:
        with get_connection() as connection:
            for message in messages:
                message.connection = connection
                try:
                    sent += message.send()
                except Exception:
                    logger.exception("Could not email %s about %s", ", ".join(message.to), what)
    except Exception:  # the mail server could not even be reached
        logger.exception("Could not email the hosts about %s", what)
    return sent


def _submission_message(submission: Submission) -> tuple[str, str]:
    episode = submission.episode
    what = submission.get_kind_display().lower()
    if submission.audio:
        what = f"voice {what}"
    who = header_safe(submission.name) or "an anonymous listener"
    title = header_safe(episode.title, 120)
    subject = f"New {what} for {title} from {who}"
    lines = [f"{who} sent a {what} for {title}.", ""]
    if submission.email:
        lines.append(f"Email: {header_safe(submission.email, 254)}")
    if submission.audio:
        consent = "yes" if submission.consent_to_air else "no"
        lines.append(
            f"Recording: {submission.audio_seconds:.0f} s ({submission.audio_format}), "
            f"may be played on the show: {consent}. It is being transcribed."
        )
    if submission.text:
        lines += ["", submission.text]
    if path := _path("dashboard:submission_detail", slug=episode.slug, pk=submission.pk):
        lines += ["", f"Review it in the host dashboard: {_link(path)}"]
    if path := _path("dashboard:host_settings"):
        lines += ["", f"Choose which emails you get: {_link(path)}"]
    return subject, "\n".join(lines)


# --- Hourly digests -------------------------------------------------------------------------


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Send every hourly digest that is due; returns how many went out.

    A digest covers (digest_sent_until, cut-off] and is due once the previous cut-off is an
    hour old. The new cut-off is stamped BEFORE the email is sent, with a compare-and-set on
    the old one: a second worker (or a second run) finds it taken and sends nothing, and a
    crash between the stamp and the send loses that one digest instead of sending it twice.
    A mail server that refuses the message puts the old stamp back, so it is tried again.
    """
    cutoff = (now or timezone.now()) - DIGEST_SETTLE
    due = (
        HostProfile.objects.filter(
            notify=HostProfile.Notify.HOURLY, user__is_active=True, user__email__gt=""
        )
        .filter(Q(digest_sent_until__isnull=True) | Q(digest_sent_until__lte=cutoff - DIGEST_EVERY))
        .select_related("user")
        .order_by("pk")
    )
    sent = 0
    for profile in due:
        try:
            sent += _digest_send(profile=profile, cutoff=cutoff)
        except Exception:
            logger.exception("Could not send the hourly digest of %s", profile.user)
    return sent


def _digest_send(*, profile: HostProfile, cutoff: dt.datetime) -> int:
    since = profile.digest_sent_until or cutoff - DIGEST_EVERY
    arrived = (
        Submission.objects.filter(
            episode__hosts=profile.user, created_at__gt=since, created_at__lte=cutoff
        )
        .select_related("episode")
        .defer("embedding", "search_text")
        .order_by("episode__recording_at", "episode_id", "created_at", "pk")
    )
    if not arrived.exists():
        return 0  # nothing new: no email and no stamp, so the next one goes out when it comes
    claimed = HostProfile.objects.filter(
        pk=profile.pk,
        notify=HostProfile.Notify.HOURLY,
        digest_sent_until=profile.digest_sent_until,
    ).update(digest_sent_until=cutoff)
    if not claimed:
        return 0  # another worker sent it, or the host changed their settings meanwhile
    message = _digest_message(profile=profile, since=since, submissions=list(arrived))
    try:
        return _digest_deliver(message)
    except Exception:
        HostProfile.objects.filter(pk=profile.pk, digest_sent_until=cutoff).update(
            digest_sent_until=profile.digest_sent_until
        )
        raise


def _digest_deliver(message: EmailMessage) -> int:
    """Send one digest (a seam for tests that crash between the stamp and the send)."""
    return message.send()


def _digest_message(
    *, profile: HostProfile, since: dt.datetime, submissions: list[Submission]
) -> EmailMessage:
    user = profile.user
    try:
        zone = zoneinfo.ZoneInfo(profile.time_zone) if profile.time_zone else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = None
    zone = zone or timezone.get_default_timezone()

    def at(moment: dt.datetime, fmt: str) -> str:
        return date_format(timezone.localtime(moment, zone), fmt)

    by_episode: dict[int, tuple[Episode, list[Submission]]] = {}
    for submission in submissions:
        by_episode.setdefault(submission.episode_id, (submission.episode, []))[1].append(submission)
    count = len(submissions)
    plural = "" if count == 1 else "s"
    if len(by_episode) == 1:
        (episode, _), *_ = by_episode.values()
        subject = f"{count} new submission{plural} for {header_safe(episode.title, 120)}"
    else:
        subject = f"{count} new submission{plural} for {len(by_episode)} episodes"
    lines = [
        f"Hello {user.get_username()},",
        "",
        f"{count} new submission{plural} arrived since {at(since, 'l j F, H:i')} "
        f"({zone}) for the episodes you host.",
    ]
    for episode, rows in by_episode.values():
        lines += ["", f"{header_safe(episode.title, 120)}: {len(rows)} new"]
        if path := _path("dashboard:submission_list", slug=episode.slug):
            lines.append(f"  {_link(path)}?status=new")
        for submission in rows[:DIGEST_MAX_LINES]:
            kind = submission.get_kind_display().lower()
            if submission.audio:
                kind = f"voice {kind}"
            who = header_safe(submission.name) or "Anonymous"
            words = excerpt(submission.best_text, 90) or "(being transcribed)"
            lines.append(
                f"  #{submission.pk} {at(submission.created_at, 'H:i')} {who}, {kind}: {words}"
            )
        if len(rows) > DIGEST_MAX_LINES:
            lines.append(f"  and {len(rows) - DIGEST_MAX_LINES} more.")
    if path := _path("dashboard:host_settings"):
        lines += [
            "",
            f"You get at most one digest an hour; change it in your settings: {_link(path)}",
        ]
    return EmailMessage(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email])
