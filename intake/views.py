"""The public pages a listener sees: the list of open episodes, the ask page, the thank-you,
and the opt-out link of the "your question made the show" emails."""

from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from django_permissions_policy.decorators import permissions_policy_override

from episodes.models import Episode
from intake import notice_optout as optout
from intake import ratelimit, receipts, selectors, services, upload_guard
from intake.client_ip import client_key
from intake.forms import SubmissionForm
from intake.upload_limits import upload_too_large


@require_safe
def home(request):
    return render(request, "intake/home.html", {"episodes": selectors.episode_list_open()})


def _episode_context(episode: Episode) -> dict:
    return {"episode": episode, "max_upload_bytes": settings.SUBMISSION_MAX_UPLOAD_BYTES}


# HEAD too: newsletter tools and link checkers probe the link before listeners open it.
@require_http_methods(["GET", "HEAD", "POST"])
# The only page that records: the microphone for itself, and the recording played back from a
# blob: URL before it is sent (static/intake/recorder.js).
@permissions_policy_override({**settings.PERMISSIONS_POLICY, "microphone": "self"})
@csp_update({"media-src": ["blob:"]})
def ask(request, slug: str):
    episode = get_object_or_404(Episode, slug=slug)
    context = _episode_context(episode)
    if not episode.accepts_submissions():
        status = 403 if request.method == "POST" else 200
        return render(request, "intake/closed.html", context, status=status)

    if request.method != "POST":
        form = SubmissionForm(episode=episode)
        return render(request, "intake/ask.html", {**context, "form": form})

    client = client_key(request)
    data, files = request.POST, request.FILES  # parse the body first: it sets the size flag
    too_large = upload_too_large(request)
    # Every upload counts as refused until its check says otherwise (intake/upload_guard.py).
    attempt = None
    if "audio" in files or too_large:
        attempt = upload_guard.upload_attempt_reserve(client=client)
    form = SubmissionForm(
        data,
        files,
        episode=episode,
        upload_too_large=too_large,
        uploads_paused_for=None if attempt is None or attempt.allowed else attempt.retry_after,
    )
    valid = form.is_valid()
    audio_errors = form.audio_error_codes()
    upload_guard.upload_attempt_settle(status=attempt, audio_errors=audio_errors)
    limit = None
    if valid:
        # Asked only now, so a refused file is answered about the file; a slot not ending in
        # a stored submission is handed back (only accepted ones count).
        limit = ratelimit.submission_rate_reserve(
            client=client,
            exempt=request.user.is_authenticated
            and episode.hosts.filter(pk=request.user.pk).exists(),
        )
        if not limit.allowed:
            form.add_error(
                None,
                ratelimit.rate_limited_message(
                    retry_after=limit.retry_after,
                    audio_name=files["audio"].name if "audio" in files else None,
                ),
            )
    if limit is not None and limit.allowed:
        try:
            submission = services.submission_create(episode=episode, **form.submission_kwargs())
        except ValidationError as error:
            ratelimit.submission_rate_release(status=limit)
            if getattr(error, "code", None) == "closed":
                return render(request, "intake/closed.html", context, status=403)
            form.add_error(None, error)
        except BaseException:
            ratelimit.submission_rate_release(status=limit)
            raise
        else:
            response = redirect("intake:thanks", slug=episode.slug)
            receipts.receipt_attach(response=response, submission=submission, episode=episode)
            return response

    if form.caught_by_honeypot:
        status = 400
    elif too_large:
        status = 413
    elif "uploads_paused" in audio_errors or (limit is not None and not limit.allowed):
        status = 429
    elif "busy" in audio_errors:
        status = 503
    else:
        status = 200
    response = render(request, "intake/ask.html", {**context, "form": form}, status=status)
    if status == 429:
        paused = limit if limit is not None and not limit.allowed else attempt
        response["Retry-After"] = str(paused.retry_after)
    elif status == 503:
        response["Retry-After"] = "5"
    return response


@require_safe
@never_cache  # it shows this listener's own recording's state
def thanks(request, slug: str):
    episode = get_object_or_404(Episode, slug=slug)
    submission = receipts.receipt_submission(request=request, episode=episode)
    return render(
        request, "intake/thanks.html", {**_episode_context(episode), "submission": submission}
    )


# The signed token is the only authority (intake.notice_optout), so there is nothing for a CSRF
# token to protect, and a mail client's one-click POST (RFC 8058) carries none.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def notice_optout(request, token: str):
    """GET: one button (a mail scanner prefetching the link changes nothing); POST: opted out."""
    email = optout.notice_optout_email(token)
    if email is None:
        return render(request, "intake/notice_optout.html", {"state": "invalid"}, status=400)
    if request.method == "POST":
        optout.notice_optout_record(email)
        return render(request, "intake/notice_optout.html", {"state": "done", "email": email})
    return render(request, "intake/notice_optout.html", {"state": "ask", "email": email})
