"""Email to the hosts (HOST_NOTIFY_EMAILS) when a listener sends something.

Runs after the submission has committed; a mail failure is logged and never reaches the
listener, whose submission is already safe.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import NoReverseMatch, reverse

from intake.models import Submission

logger = logging.getLogger(__name__)


def _review_path(submission: Submission) -> str:
    try:
        return reverse(
            "dashboard:submission_detail",
            kwargs={"slug": submission.episode.slug, "pk": submission.pk},
        )
    except NoReverseMatch:
        return ""


def submission_notify_hosts(*, submission_id: int) -> bool:
    """Send the notification; True when an email went out."""
    recipients = settings.HOST_NOTIFY_EMAILS
    if not recipients:
        return False
    try:
        submission = Submission.objects.select_related("episode").get(pk=submission_id)
        what = submission.get_kind_display().lower()
        if submission.audio:
            what = f"voice {what}"
        who = submission.name or "an anonymous listener"
        subject = f"New {what} for {submission.episode.title} from {who}"
        lines = [
            f"{who} sent a {what} for {submission.episode.title}.",
            "",
        ]
        if submission.email:
            lines.append(f"Email: {submission.email}")
        if submission.audio:
            consent = "yes" if submission.consent_to_air else "no"
            lines.append(
                f"Recording: {submission.audio_seconds:.0f} s ({submission.audio_format}), "
                f"may be played on the show: {consent}. It is being transcribed."
            )
        if submission.text:
            lines += ["", submission.text]
        if path := _review_path(submission):
            lines += ["", f"Review it in the host dashboard: {settings.SITE_URL}{path}"]
        send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:
        logger.exception("Could not email the hosts about submission %s", submission_id)
        return False
    return True
