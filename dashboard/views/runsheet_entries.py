"""The questions on the run-sheet: add from the pool, edit, move, remove, pick the passage."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access import host_entry_or_404, host_episode_or_404
from dashboard.forms import (
    EntryAddForm,
    EntryForm,
    EntryMoveForm,
    PassageForm,
)
from dashboard.views.runsheet import back_to_sheet, quoted, refusal, who
from episodes.models import Episode
from runsheet import services
from runsheet.models import Entry

# --- Entries (the questions on the sheet) ---------------------------------------------------


@login_required
@require_POST
def entry_add(request, slug: str):
    episode = host_episode_or_404(request, slug)
    form = EntryAddForm(request.POST, episode=episode)
    if not form.is_valid():
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        messages.error(request, " ".join(errors) or "Pick a question and a segment.")
        return back_to_sheet(episode, "pool")
    submission, segment = form.cleaned_data["submission"], form.cleaned_data["segment"]
    try:
        entry = services.entry_add(segment=segment, submission=submission)
    except ValidationError as error:
        refusal(request, error)
        return back_to_sheet(episode, "pool")
    messages.success(request, f"Added {who(submission)} to {quoted(segment)}.")
    return back_to_sheet(episode, f"entry-{entry.pk}")


def _entry_form_page(request, episode: Episode, entry: Entry, form: EntryForm):
    return render(
        request,
        "dashboard/runsheet_entry_form.html",
        {
            "episode": episode,
            "nav": "runsheet",
            "entry": entry,
            "submission": entry.submission,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_update(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    entry = host_entry_or_404(episode, pk)
    default = episode.answer_seconds_default
    if request.method == "POST":
        form = EntryForm(request.POST, default_answer=default)
        if form.is_valid():
            try:
                services.entry_update(entry=entry, **form.service_arguments())
            except ValidationError as error:
                about_clip = getattr(error, "code", None) == "no_consent"
                form.add_error("play" if about_clip else None, error)
            else:
                messages.success(request, f"Saved {who(entry.submission)}.")
                return back_to_sheet(episode, f"entry-{entry.pk}")
    else:
        form = EntryForm(initial=EntryForm.initial_for(entry), default_answer=default)
    return _entry_form_page(request, episode, entry, form)


@login_required
@require_POST
def entry_move(request, slug: str, pk: int):
    """One place up or down (across into the next segment at the edges), or to the end of
    another segment: what the keyboard buttons do without JavaScript."""
    episode = host_episode_or_404(request, slug)
    entry = host_entry_or_404(episode, pk)
    form = EntryMoveForm(request.POST, episode=episode)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return back_to_sheet(episode, f"entry-{entry.pk}")
    direction, segment = form.cleaned_data["direction"], form.cleaned_data["segment"]
    try:
        if direction:
            services.entry_move(entry=entry, direction=direction)
        else:
            services.entry_move_to(entry=entry, segment=segment)
    except ValidationError as error:
        refusal(request, error)
    else:
        where = direction if direction else f"to {quoted(segment)}"
        messages.success(request, f"Moved {who(entry.submission)} {where}.")
    return back_to_sheet(episode, f"entry-{entry.pk}")


@login_required
@require_POST
def entry_remove(request, slug: str, pk: int):
    episode = host_episode_or_404(request, slug)
    entry = host_entry_or_404(episode, pk)
    segment_id = entry.segment_id
    try:
        services.entry_remove(entry=entry)
    except ValidationError as error:
        refusal(request, error)
        return back_to_sheet(episode, f"entry-{pk}")
    messages.success(
        request, f"Took {who(entry.submission)} off the run-sheet; it is back in the pool."
    )
    return back_to_sheet(episode, f"segment-{segment_id}")


@login_required
@require_http_methods(["GET", "POST"])
def entry_passage(request, slug: str, pk: int):
    """The essay passage beside a question: pick another, let Mailbag choose, hide or show."""
    episode = host_episode_or_404(request, slug)
    entry = host_entry_or_404(episode, pk)
    choices = services.entry_passage_choices(entry)
    if request.method == "POST":
        form = PassageForm(request.POST, choices=choices)
        if form.is_valid():
            action = form.cleaned_data["action"]
            try:
                if action == "pick":
                    index = form.picked_index()
                    services.entry_passage_pick(entry=entry, index=index)
                    if entry.passage_hidden:
                        services.entry_passage_hide(entry=entry, hidden=False)
                    done = (
                        "Mailbag will choose the passage for {who} again in a moment."
                        if index is None
                        else "Pinned the passage you picked for {who}."
                    )
                else:
                    services.entry_passage_hide(entry=entry, hidden=action == "hide")
                    done = (
                        "Hid the passage beside {who}."
                        if action == "hide"
                        else "Showing the passage beside {who} again."
                    )
            except ValidationError as error:
                form.add_error("passage", error)
            else:
                messages.success(request, done.format(who=who(entry.submission)))
                return back_to_sheet(episode, f"entry-{entry.pk}")
    else:
        current = str(choices.index(entry.passage)) if entry.passage in choices else None
        picked = current if entry.passage_pinned and current is not None else PassageForm.AUTO
        form = PassageForm(initial={"action": "pick", "passage": picked}, choices=choices)
    return render(
        request,
        "dashboard/runsheet_passage.html",
        {
            "episode": episode,
            "nav": "runsheet",
            "entry": entry,
            "submission": entry.submission,
            "form": form,
            "choices": [
                {"value": str(index), "text": text, "current": text == entry.passage}
                for index, text in enumerate(choices)
            ],
        },
    )
