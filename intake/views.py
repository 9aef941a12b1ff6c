"""The public pages a listener sees: the list of open episodes, the ask page, the thank-you."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from episodes.models import Episode
from intake import ratelimit, selectors, services
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
    limit = ratelimit.submission_rate_check(client=client)
    if not limit.allowed:
        response = render(
            request,
            "intake/ratelimited.html",
            {**context, "retry_minutes": max(1, round(limit.retry_after / 60))},
            status=429,
        )
        response["Retry-After"] = str(limit.retry_after)
        return response

    data, files = request.POST, request.FILES  # parse the body first: it sets the size flag
    too_large = upload_too_large(request)
    form = SubmissionForm(data, files, episode=episode, upload_too_large=too_large)
    if form.is_valid():
        try:
            services.submission_create(episode=episode, **form.submission_kwargs())
        except ValidationError as error:
            if getattr(error, "code", None) == "closed":
                return render(request, "intake/closed.html", context, status=403)
            form.add_error(None, error)
        else:
            ratelimit.submission_rate_record(client=client)
            return redirect("intake:thanks", slug=episode.slug)

    if form.caught_by_honeypot:
        status = 400
    elif too_large:
        status = 413
    else:
        status = 200
    return render(request, "intake/ask.html", {**context, "form": form}, status=status)


@require_safe
def thanks(request, slug: str):
    episode = get_object_or_404(Episode, slug=slug)
    return render(request, "intake/thanks.html", _episode_context(episode))
