"""The listener's receipt: which submission the thank-you page is about.

The page tells a listener who sent a recording whether it is waiting for a worker or being
transcribed. It knows which submission is theirs from a cookie the server signs, set with
the redirect and sent back only to that episode's pages: no number in the address (a link
copied from the address bar tells nobody anything) and no session row per listener.
"""

from django.conf import settings
from django.core.signing import BadSignature
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from episodes.models import Episode
from intake.models import Submission

RECEIPT_COOKIE = "mailbag_receipt"
RECEIPT_MAX_AGE = 24 * 3600  # long enough to reload the page, short enough to be forgotten
_SALT = "intake.receipt"


def receipt_attach(*, response: HttpResponse, submission: Submission, episode: Episode) -> None:
    """Give the listener the receipt of `submission` with `response` (the redirect)."""
    response.set_signed_cookie(
        RECEIPT_COOKIE,
        str(submission.pk),
        salt=_SALT,
        max_age=RECEIPT_MAX_AGE,
        path=reverse("intake:ask", kwargs={"slug": episode.slug}),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def receipt_submission(*, request: HttpRequest, episode: Episode) -> Submission | None:
    """The submission of `episode` the request's receipt names, if it is genuine and recent."""
    try:
        value = request.get_signed_cookie(RECEIPT_COOKIE, salt=_SALT, max_age=RECEIPT_MAX_AGE)
    except (KeyError, BadSignature):
        return None
    if not value.isdigit() or len(value) > 18:
        return None
    return (
        Submission.objects.filter(episode=episode, pk=int(value))
        .only("pk", "episode_id", "audio", "transcription_state")
        .first()
    )
