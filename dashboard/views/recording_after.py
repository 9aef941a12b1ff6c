"""After the show: the recording's summary, the editor's trim, and unaired questions back to
the pool.

The summary (GET) compares plan and actual per segment and per step, lists what was skipped
and what the recording never reached, shows the chapters as they will be downloaded, and
offers the trim form, the downloads (chapters, show notes) and "Tell the askers". Before any
recording it says so and points to the live page. One RecordingView (runsheet.selectors)
feeds it all, so the page is a fixed number of queries whatever the size of the sheet.

The trim and "send back to the pool" are POST-only plain forms that redirect back to the
summary; the services (runsheet.services) enforce the rules and their refusals are shown as
messages (or at the trim field).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from dashboard.access import host_episode_or_404
from dashboard.forms import TrimForm
from dashboard.views.runsheet import refusal
from episodes.formatting import clock
from episodes.models import Episode
from runsheet import selectors, services
from runsheet.chapters import chapters_list, question_title, timestamp
from runsheet.models import Airing
from runsheet.selectors import RecordingView, SegmentRow, StepRow


def summary_url(episode: Episode, anchor: str = "") -> str:
    url = reverse("dashboard:recording_summary", kwargs={"slug": episode.slug})
    return f"{url}#{anchor}" if anchor else url


def difference(actual: float, planned: int) -> str:
    """'+0:30' (longer than planned), '-0:15' (shorter) or '±0:00'."""
    seconds = round(actual) - planned
    if seconds == 0:
        return "±0:00"
    return f"+{clock(seconds)}" if seconds > 0 else clock(seconds)


@dataclass(frozen=True)
class StepLine:
    """One step of the show as the summary shows it."""

    row: StepRow
    title: str  # "Asker: gist" for a question, "" for a segment's own time
    status: str  # "aired", "live", "skipped", "unreached", "planned"
    air_time: str  # where it starts in the edited episode ("03:12"), or ""
    actual: float | None
    difference: str
    over: bool


@dataclass(frozen=True)
class SegmentLine:
    segment: SegmentRow
    steps: list[StepLine]
    planned: int
    actual: float | None  # None: nothing of it went out
    difference: str
    over: bool


def _status(row: StepRow, phase: str) -> str:
    if row.state == Airing.PLANNED:
        return "unreached" if phase == "ended" else "planned"
    return row.state


def _step_line(view: RecordingView, row: StepRow) -> StepLine:
    air_time = view.air_time(row)
    actual = view.actual(row)
    return StepLine(
        row=row,
        title=question_title(row) if row.entry else "",
        status=_status(row, view.phase),
        air_time="" if air_time is None else timestamp(air_time),
        actual=actual,
        difference="" if actual is None else difference(actual, row.planned),
        over=actual is not None and round(actual) > row.planned,
    )


def summary_lines(view: RecordingView) -> list[SegmentLine]:
    """Every segment in running order with its steps, planned against what they took."""
    steps: dict[int, list[StepLine]] = {}
    for row in view.steps:
        steps.setdefault(id(row.segment), []).append(_step_line(view, row))
    lines = []
    for segment in view.sheet.segments:
        rows = steps.get(id(segment), [])
        planned = sum(line.row.planned for line in rows)
        aired = any(line.actual is not None for line in rows)
        actual = sum(line.actual or 0.0 for line in rows) if aired else None
        lines.append(
            SegmentLine(
                segment=segment,
                steps=rows,
                planned=planned,
                actual=actual,
                difference="" if actual is None else difference(actual, planned),
                over=actual is not None and round(actual) > planned,
            )
        )
    return lines


def summary_page(request, episode: Episode, *, trim_form: TrimForm | None = None):
    view = selectors.recording_view(episode=episode)
    context = {"episode": episode, "nav": "runsheet", "view": view}
    if view.recording is None:
        return render(request, "dashboard/recording_summary.html", context)
    unaired = [(question_title(row), "skipped") for row in view.skipped_entries] + [
        (question_title(row), "unreached") for row in view.unreached_entries
    ]
    context.update(
        {
            "segments": summary_lines(view),
            "chapters": [(timestamp(c.start), c) for c in chapters_list(view)],
            "unaired": unaired,
            "can_return": view.phase == "ended" and bool(unaired),
            "length_difference": difference(view.clock, view.planned),
            "edited_length": max(0.0, view.clock - view.trim_seconds),
            "trim_form": trim_form or TrimForm(initial={"trim_seconds": view.trim_seconds}),
        }
    )
    return render(request, "dashboard/recording_summary.html", context)


@login_required
@require_safe
def recording_summary(request, slug: str):
    return summary_page(request, host_episode_or_404(request, slug))


@login_required
@require_POST
def recording_trim(request, slug: str):
    episode = host_episode_or_404(request, slug)
    recording = services.recording_current(episode=episode)
    if recording is None:
        messages.error(request, "Nothing has been recorded yet, so there is nothing to trim.")
        return redirect(summary_url(episode))
    form = TrimForm(request.POST)
    if not form.is_valid():
        return summary_page(request, episode, trim_form=form)
    trim = form.cleaned_data["trim_seconds"]
    try:
        services.recording_trim(recording=recording, trim_seconds=trim)
    except ValidationError as error:
        form.add_error("trim_seconds", error)
        return summary_page(request, episode, trim_form=form)
    if trim:
        messages.success(
            request,
            f"Saved: {clock(trim)} cut from the start. The chapters and show notes start "
            f"{clock(trim)} earlier.",
        )
    else:
        messages.success(
            request, "Saved: nothing cut from the start. The chapters follow the recording."
        )
    return redirect(summary_url(episode, "trim"))


@login_required
@require_POST
def recording_return(request, slug: str):
    episode = host_episode_or_404(request, slug)
    try:
        count = services.recording_return_unaired(episode=episode, by=request.user)
    except ValidationError as error:
        refusal(request, error)
        return redirect(summary_url(episode))
    if count:
        messages.success(
            request,
            f"Sent {count} question{'s' if count != 1 else ''} back to the pool, still approved "
            "and tagged, ready for a future run-sheet.",
        )
    else:
        messages.info(request, "Every question on the run-sheet aired: none to send back.")
    return redirect(summary_url(episode))
