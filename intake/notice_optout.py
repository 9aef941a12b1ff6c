"""The listener's side of "your question made the show": the opt-in rule and the opt-out.

A listener who leaves an email may ask to be told when their question is used on the show
(Submission.notify_when_aired; runsheet.notices sends the emails). Every such email carries a
signed one-click opt-out link: the token is the submission's id, signed with a salt of its own
(django.core.signing), so the link is the only authority needed and nothing else can forge
one; it opts out that submission's address. An id rather than the address, so no listener's
email ends up in a proxy's access log. It never expires: an unsubscribe link in an old email
must still work (while its submission exists).

The page at the link shows one button that opts out by POST (mail scanners that prefetch links
with GET change nothing); a POST to the link itself, as mail clients send for
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), opts out at once.
"""

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from intake.models import NoticeOptOut, Submission

# The form's and the service's message when the box is ticked without an address.
NOTIFY_NEEDS_EMAIL = "Leave your email so we can tell you when your question is used."

# Its own salt: a token signed for anything else (or this one for anything else) never passes.
OPTOUT_SALT = "mailbag.intake.notice-optout"


def notice_email_key(email: str) -> str:
    """How opt-outs are stored and compared: stripped and casefolded."""
    return (email or "").strip().casefold()


def notice_optout_token(submission_id: int) -> str:
    """The signed token of the opt-out link for a submission's address (URL-safe, no slash)."""
    return signing.dumps(int(submission_id), salt=OPTOUT_SALT)


def notice_optout_email(token: str) -> str | None:
    """The address the token's submission left; None for a bad, tampered or foreign token, or
    a submission that is gone or has no address."""
    try:
        submission_id = signing.loads(token, salt=OPTOUT_SALT)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(submission_id, int) or isinstance(submission_id, bool):
        return None
    email = Submission.objects.filter(pk=submission_id).values_list("email", flat=True).first()
    return notice_email_key(email) if email and "@" in email else None


def notice_optout_path(submission_id: int) -> str:
    return reverse("intake:notice_optout", kwargs={"token": notice_optout_token(submission_id)})


def notice_optout_url(submission_id: int) -> str:
    """The opt-out link as the email shows it: absolute with SITE_URL (just a path without)."""
    return f"{settings.SITE_URL}{notice_optout_path(submission_id)}"


def notice_optout_record(email: str) -> NoticeOptOut:
    """Never tell `email` again; opting out twice changes nothing."""
    key = notice_email_key(email)
    try:
        with transaction.atomic():
            optout, _ = NoticeOptOut.objects.get_or_create(email=key)
    except IntegrityError:  # the same link clicked twice at once: the other click stored it
        optout = NoticeOptOut.objects.get(email=key)
    return optout


def notice_opted_out(emails) -> set[str]:
    """Which of `emails` opted out, as their keys (one query)."""
    keys = {notice_email_key(email) for email in emails if email}
    if not keys:
        return set()
    return set(NoticeOptOut.objects.filter(email__in=keys).values_list("email", flat=True))
