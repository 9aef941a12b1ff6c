"""The host's home (the episodes they host, with what is waiting in each) and everything about
an episode itself: create it, edit it, close or reopen its question page, share its link, its
hosts; and the host's own settings.

Every view needs a login; an episode's pages answer 404 unless the user hosts it (or is a
superuser). Creating an episode and the settings page are the user's own: any logged-in
account may use them, and they show nothing of anyone else's. State changes are POST-only and
redirect with a message; the services enforce the rules.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access import host_episode_or_404
from dashboard.forms import (
    EpisodeForm,
    EpisodeHostAddForm,
    EpisodeOpenCloseForm,
    HostSettingsForm,
)
from episodes import services
from episodes.formatting import when_phrase
from episodes.models import Episode
from intake import selectors


@login_required
def episode_list(request):
    return render(
        request,
        "dashboard/episode_list.html",
        {"episodes": selectors.episode_list_for_host(user=request.user)},
    )


def _errors_to_form(form, error: ValidationError) -> None:
    """A service's refusal shown at the field it is about (or above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# What _form_save returns when the form comes back with its errors.
_REFUSED = object()


def _form_save(form, save: Callable[[], Any]) -> Any:
    """What save() (the service call, from the cleaned form) returns once the form is valid;
    _REFUSED when it is not or the service refuses, with the errors on the form."""
    if not form.is_valid():
        return _REFUSED
    try:
        return save()
    except ValidationError as error:
        _errors_to_form(form, error)
        return _REFUSED


def public_url(request, episode: Episode) -> str:
    """The question page's full address, as listeners should get it: SITE_URL when set (the
    public name behind a proxy), else the address this page was asked on."""
    path = episode.get_absolute_url()
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else request.build_absolute_uri(path)


def embed_snippet(request, episode: Episode) -> str:
    """The HTML a host pastes into the show's site: the form in a frame that may use the
    microphone, and the script that sizes the frame to its page (static/intake/embed.js)."""

    def absolute(path: str) -> str:
        return (
            f"{settings.SITE_URL}{path}" if settings.SITE_URL else request.build_absolute_uri(path)
        )

    frame = absolute(reverse("intake:embed_ask", kwargs={"slug": episode.slug}))
    script = absolute(static("intake/embed.js"))
    title = escape(f"Ask {episode.title}")
    return (
        f'<iframe src="{frame}" data-mailbag allow="microphone" title="{title}" '
        'width="100%" height="900" style="border:0;max-width:40rem"></iframe>\n'
        f'<script src="{script}" async></script>'
    )


@login_required
@require_http_methods(["GET", "POST"])
def episode_create(request):
    """Any logged-in account may start an episode; it becomes the episode's first host."""
    if request.method == "POST":
        form = EpisodeForm(request.POST, creating=True)
        episode = _form_save(
            form,
            lambda: services.episode_create(hosts=[request.user], **form.service_arguments()),
        )
        if episode is not _REFUSED:
            messages.success(
                request,
                f"Created \u201c{episode.title}\u201d. Share its question page with the "
                "link below.",
            )
            return redirect("dashboard:episode_update", slug=episode.slug)
    else:
        form = EpisodeForm(
            creating=True,
            initial={
                "recording_at": services.next_weekday(weekday=0, after=timezone.localtime()),
                "max_audio_seconds": 90,
                "target_minutes": 60,
                "answer_seconds_default": 120,
            },
        )
    return render(request, "dashboard/episode_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def episode_update(request, slug: str):
    episode = host_episode_or_404(request, slug)
    if request.method == "POST":
        form = EpisodeForm(request.POST)
        changed = _form_save(
            form, lambda: services.episode_update(episode=episode, **form.service_arguments())
        )
        if changed is not _REFUSED:
            if changed:
                messages.success(request, f"Saved \u201c{episode.title}\u201d.")
            else:
                messages.info(request, "Nothing to save: no changes.")
            return redirect("dashboard:episode_update", slug=episode.slug)
        # The bar above the form shows the episode as saved, not as typed.
        episode.refresh_from_db()
    else:
        form = EpisodeForm(initial=EpisodeForm.initial_for(episode))
    return render(
        request,
        "dashboard/episode_form.html",
        {
            "episode": episode,
            "nav": "episode",
            "form": form,
            "creating": False,
            "open_close_form": EpisodeOpenCloseForm(),
            "public_url": public_url(request, episode),
            "embed_snippet": embed_snippet(request, episode),
            "hosts": _hosts(episode),
        },
    )


@login_required
@require_POST
def episode_open_close(request, slug: str):
    episode = host_episode_or_404(request, slug)
    form = EpisodeOpenCloseForm(request.POST)
    back = reverse("dashboard:episode_update", kwargs={"slug": episode.slug}) + "#open-close"
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    if form.cleaned_data["action"] == "close":
        if services.episode_close_now(episode=episode):
            messages.success(request, "Closed: the question page takes no more questions.")
        else:
            messages.info(request, "The question page was already closed.")
        return redirect(back)
    try:
        services.episode_reopen(episode=episode, close_at=form.cleaned_data["close_at"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if episode.submissions_close_at:
        until = f"until {when_phrase(episode.submissions_close_at)}"
    else:
        until = "until you close it"
    messages.success(request, f"Open: the question page takes questions {until}.")
    return redirect(back)


def _hosts(episode: Episode) -> list:
    return list(episode.hosts.order_by("username"))


@login_required
@require_http_methods(["GET", "POST"])
def episode_hosts(request, slug: str):
    """The episode's hosts; POST adds one by user name or email address."""
    episode = host_episode_or_404(request, slug)
    if request.method == "POST":
        form = EpisodeHostAddForm(request.POST)
        if form.is_valid():
            try:
                user = services.episode_host_add(episode=episode, who=form.cleaned_data["user"])
            except ValidationError as error:
                form.add_error("user", error)
            else:
                messages.success(
                    request, f"{user.get_username()} now hosts \u201c{episode.title}\u201d."
                )
                return redirect("dashboard:episode_hosts", slug=episode.slug)
    else:
        form = EpisodeHostAddForm()
    return render(
        request,
        "dashboard/episode_hosts.html",
        {"episode": episode, "nav": "episode", "form": form, "hosts": _hosts(episode)},
    )


@login_required
@require_POST
def episode_host_remove(request, slug: str, user_id: int):
    episode = host_episode_or_404(request, slug)
    user = episode.hosts.filter(pk=user_id).first()
    if user is None:
        raise Http404("No such host.")
    try:
        services.episode_host_remove(episode=episode, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("dashboard:episode_hosts", slug=episode.slug)
    if user.pk == request.user.pk and not request.user.is_superuser:
        messages.success(request, f"You no longer host \u201c{episode.title}\u201d.")
        return redirect("dashboard:episode_list")
    messages.success(request, f"{user.get_username()} no longer hosts \u201c{episode.title}\u201d.")
    return redirect("dashboard:episode_hosts", slug=episode.slug)


@login_required
@require_http_methods(["GET", "POST"])
def host_settings(request):
    """The user's own settings: nothing on this page is about anyone else."""
    profile = services.host_profile_get(user=request.user)
    if request.method == "POST":
        form = HostSettingsForm(request.POST)
        saved = _form_save(
            form, lambda: services.host_settings_update(user=request.user, **form.cleaned_data)
        )
        if saved is not _REFUSED:
            messages.success(request, "Saved your settings.")
            return redirect("dashboard:host_settings")
    else:
        form = HostSettingsForm(initial=HostSettingsForm.initial_for(profile))
    return render(
        request,
        "dashboard/host_settings.html",
        {
            "form": form,
            "site_time_zone": settings.TIME_ZONE,
            "email": request.user.email,
            "now": timezone.now(),
        },
    )
