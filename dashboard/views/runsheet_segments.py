"""Run-sheet segments: add, edit, move, delete, and "add all approved for this topic"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access import host_episode_or_404, host_segment_or_404
from dashboard.forms import (
    SegmentForm,
    SegmentMoveForm,
)
from dashboard.views.runsheet import back_to_sheet, quoted, refusal, sheet_page
from runsheet import services

SEGMENT_TITLE_CODES = {"blank_title", "long_title"}


# --- Segments -------------------------------------------------------------------------------


def _segment_form_error(form: SegmentForm, error: ValidationError) -> None:
    about_title = getattr(error, "code", None) in SEGMENT_TITLE_CODES
    form.add_error("title" if about_title else None, error)


@login_required
@require_POST
def segment_create(request, slug: str):
    episode = host_episode_or_404(request, slug)
    form = SegmentForm(request.POST)
    if not form.is_valid():
        return sheet_page(request, episode, segment_form=form)
    try:
        segment = services.segment_create(episode=episode, **form.cleaned_data)
    except ValidationError as error:
        if getattr(error, "code", None) == "not_started":
            refusal(request, error)
            return back_to_sheet(episode)
        _segment_form_error(form, error)
        return sheet_page(request, episode, segment_form=form)
    messages.success(request, f"Added the segment {quoted(segment)} at the end.")
    return back_to_sheet(episode, f"segment-{segment.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def segment_update(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    segment = host_segment_or_404(episode, pk)
    if request.method == "POST":
        form = SegmentForm(request.POST)
        if form.is_valid():
            try:
                services.segment_update(segment=segment, **form.cleaned_data)
            except ValidationError as error:
                _segment_form_error(form, error)
            else:
                messages.success(request, f"Saved the segment {quoted(segment)}.")
                return back_to_sheet(episode, f"segment-{segment.pk}")
    else:
        form = SegmentForm(
            initial={
                "title": segment.title,
                "notes": segment.notes,
                "extra_seconds": segment.extra_seconds or "",
            }
        )
    return render(
        request,
        "dashboard/runsheet_segment_form.html",
        {"episode": episode, "nav": "runsheet", "segment": segment, "form": form},
    )


@login_required
@require_POST
def segment_move(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    segment = host_segment_or_404(episode, pk)
    form = SegmentMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Move a segment up or down.")
        return back_to_sheet(episode, f"segment-{segment.pk}")
    direction = form.cleaned_data["direction"]
    try:
        services.segment_move(segment=segment, direction=direction)
    except ValidationError as error:
        refusal(request, error)
    else:
        messages.success(request, f"Moved {quoted(segment)} {direction}.")
    return back_to_sheet(episode, f"segment-{segment.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def segment_delete(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    segment = host_segment_or_404(episode, pk)
    if request.method == "POST":
        try:
            returned = services.segment_delete(segment=segment)
        except ValidationError as error:
            refusal(request, error)
            return back_to_sheet(episode, f"segment-{pk}")
        if returned:
            went = f"its {returned} question{'s' if returned != 1 else ''} went back to the pool"
            messages.success(request, f"Deleted the segment {quoted(segment)}; {went}.")
            return back_to_sheet(episode, "pool")
        messages.success(request, f"Deleted the segment {quoted(segment)}.")
        return back_to_sheet(episode)
    return render(
        request,
        "dashboard/runsheet_segment_delete.html",
        {
            "episode": episode,
            "nav": "runsheet",
            "segment": segment,
            "entry_count": segment.entries.count(),
        },
    )


@login_required
@require_POST
def segment_add_all(request, slug: str, pk: int):
    """Every approved question of the segment's topic still in the pool, oldest first."""
    episode = host_episode_or_404(request, slug)
    segment = host_segment_or_404(episode, pk)
    try:
        added = services.entries_add_all(segment=segment)
    except ValidationError as error:
        refusal(request, error)
        return back_to_sheet(episode, f"segment-{segment.pk}")
    if added:
        count = len(added)
        messages.success(
            request,
            f"Added {count} approved question{'s' if count != 1 else ''} to {quoted(segment)}.",
        )
    else:
        messages.info(request, f"No approved questions for {quoted(segment)} are in the pool.")
    return back_to_sheet(episode, f"segment-{segment.pk}")
