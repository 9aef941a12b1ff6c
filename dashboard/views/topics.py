"""The episode's topics (the essay's sections): list, add, rename, move, delete, import.

Every view needs a login and answers 404 unless the user hosts the episode. State changes are
POST-only and redirect with a message; the services enforce the rules.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access import host_episode_or_404, host_topic_or_404
from dashboard.forms import EssayImportConfirmForm, EssayImportForm, TopicForm, TopicMoveForm
from episodes import services
from episodes.models import Episode
from intake.selectors import episode_topics_with_counts

TITLE_ERROR_CODES = {"blank_title", "long_title", "duplicate_title"}


def _form_error(form: TopicForm, error: ValidationError) -> None:
    """Show a service's refusal next to the title when it is about the title."""
    about_title = getattr(error, "code", None) in TITLE_ERROR_CODES
    form.add_error("title" if about_title else None, error)


def _report_key(episode: Episode) -> str:
    return f"essay_import_report:{episode.pk}"


def _topic_list_page(request, episode: Episode, *, add_form: TopicForm | None = None):
    topics = episode_topics_with_counts(episode=episode)
    return render(
        request,
        "dashboard/topic_list.html",
        {
            "episode": episode,
            "nav": "topics",
            "topics": topics,
            "add_form": add_form or TopicForm(),
            "report": request.session.pop(_report_key(episode), None),
        },
    )


@login_required
def topic_list(request, slug: str):
    return _topic_list_page(request, host_episode_or_404(request, slug))


@login_required
@require_POST
def topic_create(request, slug: str):
    episode = host_episode_or_404(request, slug)
    form = TopicForm(request.POST)
    if not form.is_valid():
        return _topic_list_page(request, episode, add_form=form)
    try:
        topic = services.topic_create(episode=episode, **form.cleaned_data)
    except ValidationError as error:
        _form_error(form, error)
        return _topic_list_page(request, episode, add_form=form)
    messages.success(request, f"Added the topic \u201c{topic.title}\u201d.")
    return redirect("dashboard:topic_list", slug=episode.slug)


@login_required
@require_http_methods(["GET", "POST"])
def topic_update(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    topic = host_topic_or_404(episode, pk)
    if request.method == "POST":
        form = TopicForm(request.POST)
        if form.is_valid():
            try:
                services.topic_update(topic=topic, **form.cleaned_data)
            except ValidationError as error:
                _form_error(form, error)
            else:
                messages.success(request, f"Saved the topic \u201c{topic.title}\u201d.")
                return redirect("dashboard:topic_list", slug=episode.slug)
    else:
        form = TopicForm(initial={"title": topic.title, "summary": topic.summary})
    return render(
        request,
        "dashboard/topic_form.html",
        {"episode": episode, "nav": "topics", "topic": topic, "form": form},
    )


@login_required
@require_POST
def topic_move(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    topic = host_topic_or_404(episode, pk)
    form = TopicMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Move a topic up or down.")
        return redirect("dashboard:topic_list", slug=episode.slug)
    direction = form.cleaned_data["direction"]
    try:
        services.topic_move(topic=topic, direction=direction)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Moved \u201c{topic.title}\u201d {direction}.")
    return redirect(f"{_topics_url(episode)}#topic-{topic.pk}")


def _topics_url(episode: Episode) -> str:
    return reverse("dashboard:topic_list", kwargs={"slug": episode.slug})


@login_required
@require_http_methods(["GET", "POST"])
def topic_delete(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    topic = host_topic_or_404(episode, pk)
    if request.method == "POST":
        title = topic.title
        try:
            services.topic_delete(topic=topic)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Deleted the topic \u201c{title}\u201d.")
        return redirect("dashboard:topic_list", slug=episode.slug)
    return render(
        request,
        "dashboard/topic_delete.html",
        {
            "episode": episode,
            "nav": "topics",
            "topic": topic,
            "tagged_count": topic.submissions.count(),
            "suggested_count": topic.suggested_for.count(),
            # A segment holds on to its topic (runsheet.Segment.topic): say so before, not after.
            "segments": list(topic.segments.values_list("title", flat=True)),
        },
    )


def _report_entry(value) -> dict:
    """A JSON-able {count, titles} for the session, whatever the result holds (rows or a count)."""
    if isinstance(value, int):
        return {"count": value, "titles": []}
    titles = [item if isinstance(item, str) else item.title for item in value]
    return {"count": len(titles), "titles": titles}


@login_required
@require_http_methods(["GET", "POST"])
def essay_import(request, slug: str):
    """Two steps: the essay first gives a preview of what importing it would change (nothing
    is written), then the host confirms. The confirmation carries the preview's fingerprint:
    if the topics changed in between, nothing is imported and the new preview is shown."""
    episode = host_episode_or_404(request, slug)
    if request.method == "POST" and "confirm" in request.POST:
        return _essay_import_confirmed(request, episode)
    if request.method == "POST":
        form = EssayImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                return _essay_preview(
                    request,
                    episode,
                    essay=form.cleaned_data["essay"],
                    heading_level=form.cleaned_data["heading_level"],
                )
            except ValidationError as error:
                form.add_error(None, error)
    else:
        form = EssayImportForm()
    return render(
        request,
        "dashboard/essay_import.html",
        {"episode": episode, "nav": "topics", "form": form},
    )


def _essay_preview(
    request, episode: Episode, *, essay: str, heading_level: int, overwrite: bool = False
):
    """The dry run's page; raises ValidationError when the essay cannot be imported."""
    preview = services.essay_import(
        episode=episode, markdown=essay, heading_level=heading_level, dry_run=True
    )
    confirm = EssayImportConfirmForm(
        initial={
            "essay": essay,
            "heading_level": heading_level,
            "fingerprint": preview.fingerprint,
            "overwrite_edited_summaries": overwrite,
        }
    )
    return render(
        request,
        "dashboard/essay_import_preview.html",
        {
            "episode": episode,
            "nav": "topics",
            "preview": preview,
            "edited_differ": [d for d in preview.summaries_differ if d.edited],
            "confirm_form": confirm,
        },
    )


def _essay_import_confirmed(request, episode: Episode):
    form = EssayImportConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The preview was incomplete; paste or upload the essay again.")
        return redirect("dashboard:essay_import", slug=episode.slug)
    data = form.cleaned_data
    try:
        result = services.essay_import(
            episode=episode,
            markdown=data["essay"],
            heading_level=data["heading_level"],
            overwrite_edited_summaries=data["overwrite_edited_summaries"],
            expected_fingerprint=data["fingerprint"],
        )
    except ValidationError as error:
        if getattr(error, "code", None) != "stale_preview":
            messages.error(request, " ".join(error.messages))
            return redirect("dashboard:essay_import", slug=episode.slug)
        messages.warning(request, " ".join(error.messages))
        try:
            return _essay_preview(
                request,
                episode,
                essay=data["essay"],
                heading_level=data["heading_level"],
                overwrite=data["overwrite_edited_summaries"],
            )
        except ValidationError as again:
            messages.error(request, " ".join(again.messages))
            return redirect("dashboard:essay_import", slug=episode.slug)
    report = {
        name: _report_entry(getattr(result, name))
        for name in ("created", "updated", "unchanged", "removed_kept")
    }
    report["removed_deleted"] = _report_entry(result.removed_deleted)
    report["summaries_kept"] = _report_entry([d.topic for d in result.summaries_kept])
    # Shown once on the topic list, after the redirect.
    request.session[_report_key(episode)] = report
    messages.success(request, "Imported the essay; the report is below.")
    return redirect(f"{_topics_url(episode)}#import-report")
