"""Telling listeners "your question made the show": after the recording, the hosts write the
episode's public link, see who will be told (and one email as it will go out), then press "Tell
the askers".

The preview (GET) is one plan (runsheet.notices.air_notices_plan), a fixed number of queries
whatever the size of the sheet; its POST saves the public link. "Tell the askers" (POST) queues
ONE worker job once the request commits; the worker sends, never twice (runsheet.notices).
Refusals (the recording not ended, no link, nobody left) are shown as messages. Everything is
a plain form that redirects back to the preview.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access import host_episode_or_404
from dashboard.forms import PublicLinkForm
from dashboard.views.runsheet import refusal
from episodes.models import Episode
from episodes.services import show_get
from episodes.services.public_link import episode_public_url_set
from runsheet import notices


def _preview_url(episode: Episode) -> str:
    return reverse("dashboard:air_notice_preview", kwargs={"slug": episode.slug})


def _page(request, episode: Episode, form: PublicLinkForm):
    plan = notices.air_notices_plan(episode=episode)
    sample = None
    if plan.to_tell:
        message = notices.air_notice_message(
            notice=plan.to_tell[0], episode=episode, show=show_get()
        )
        sample = {
            "notice": plan.to_tell[0],
            "subject": message.subject,
            "body": message.body,
            "headers": message.extra_headers,
            "reply_to": message.reply_to,
        }
    return render(
        request,
        "dashboard/air_notice_preview.html",
        {
            "episode": episode,
            "nav": "runsheet",
            "plan": plan,
            "form": form,
            "sample": sample,
            "site_url": settings.SITE_URL,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def air_notice_preview(request, slug: str):
    episode = host_episode_or_404(request, slug)
    if request.method != "POST":
        return _page(request, episode, PublicLinkForm(initial={"public_url": episode.public_url}))
    form = PublicLinkForm(request.POST)
    if form.is_valid():
        try:
            episode_public_url_set(episode=episode, url=form.cleaned_data["public_url"])
        except ValidationError as error:
            form.add_error("public_url", error)
        else:
            messages.success(request, "Saved the episode's public link: the emails link to it.")
            return redirect(_preview_url(episode))
    return _page(request, episode, form)


@login_required
@require_POST
def air_notice_send(request, slug: str):
    episode = host_episode_or_404(request, slug)
    try:
        plan = notices.air_notices_send_later(episode=episode, by=request.user)
    except ValidationError as error:
        refusal(request, error)
    else:
        count = len(plan.to_tell)
        messages.success(
            request,
            f"Telling {count} asker{'' if count == 1 else 's'} now: the emails go out from "
            "the background worker in a moment.",
        )
    return redirect(_preview_url(episode))
