from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from episodes.models import Episode
from intake import selectors, services
from intake.forms import SubmissionForm


def home(request):
    return render(request, "intake/home.html", {"episodes": selectors.episode_list_open()})


@require_http_methods(["GET", "POST"])
def ask(request, slug: str):
    episode = get_object_or_404(Episode, slug=slug)
    is_open = episode.accepts_submissions()
    if request.method == "POST" and is_open:
        form = SubmissionForm(request.POST)
        if form.is_valid():
            services.submission_create(episode=episode, **form.cleaned_data)
            return redirect("intake:thanks", slug=episode.slug)
    else:
        form = SubmissionForm()
    status = 403 if request.method == "POST" and not is_open else 200
    return render(
        request, "intake/ask.html", {"episode": episode, "form": form, "is_open": is_open}, status=status
    )


def thanks(request, slug: str):
    episode = get_object_or_404(Episode, slug=slug)
    return render(request, "intake/thanks.html", {"episode": episode})
