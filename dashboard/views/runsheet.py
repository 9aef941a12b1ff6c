"""The run-sheet page, starting it, and reordering by drag and drop.

Every view needs a login and answers 404 unless the user hosts the episode (segments and
entries of another episode are 404 too). State changes are POST-only plain forms that redirect
back to the page at the row they changed (#segment-N, #entry-N), so everything works without
JavaScript; static/dashboard/runsheet.js adds drag and drop, which posts the whole order as
JSON to `runsheet_reorder`. The services (runsheet.services) enforce the rules. Segment and
entry actions are in runsheet_segments.py and runsheet_entries.py.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from dashboard.access import host_episode_or_404
from dashboard.forms import (
    SegmentForm,
)
from episodes.models import Episode
from intake.models import Submission
from runsheet import selectors, services
from runsheet.models import Segment


def sheet_url(episode: Episode, anchor: str = "") -> str:
    url = reverse("dashboard:runsheet", kwargs={"slug": episode.slug})
    return f"{url}#{anchor}" if anchor else url


def back_to_sheet(episode: Episode, anchor: str = ""):
    return redirect(sheet_url(episode, anchor))


def refusal(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def who(submission: Submission) -> str:
    return f"#{submission.pk} from {submission.name or 'an anonymous listener'}"


def quoted(segment: Segment) -> str:
    return f"\u201c{segment.title}\u201d"


# --- The page -------------------------------------------------------------------------------


def sheet_page(request, episode: Episode, *, segment_form: SegmentForm | None = None):
    sheet = selectors.runsheet_view(episode=episode)
    pool = selectors.runsheet_pool(episode=episode)
    waiting = {group.topic.pk: group.count for group in pool if group.topic is not None}
    # Where a pool group's questions go by default: the first segment of the group's topic.
    topic_segment: dict[int, int] = {}
    for row in sheet.segments:
        if row.segment.topic_id is not None:
            topic_segment.setdefault(row.segment.topic_id, row.segment.pk)
    segments = [
        {
            "row": row,
            "waiting": waiting.get(row.segment.topic_id, 0) if row.segment.topic_id else 0,
            "late": row.starts_at > row.latest_start,
        }
        for row in sheet.segments
    ]
    return render(
        request,
        "dashboard/runsheet.html",
        {
            "episode": episode,
            "nav": "runsheet",
            "sheet": sheet,
            "segments": segments,
            "segment_choices": [(row.segment.pk, row.segment.title) for row in sheet.segments],
            "pool": [
                {
                    "group": group,
                    "segment_id": topic_segment.get(group.topic.pk) if group.topic else None,
                }
                for group in pool
            ],
            # Before the start: the segments "Start" will make, with what waits for each.
            "topics": []
            if sheet.started
            else [
                {"topic": topic, "waiting": waiting.get(topic.pk, 0)}
                for topic in episode.topics.order_by("position", "id")
            ],
            "over": abs(sheet.over),
            "segment_form": segment_form or SegmentForm(),
            "reorder_url": reverse("dashboard:runsheet_reorder", kwargs={"slug": episode.slug}),
        },
    )


@login_required
@require_safe
def runsheet_page(request, slug: str):
    return sheet_page(request, host_episode_or_404(request, slug))


@login_required
@require_POST
def runsheet_start(request, slug: str):
    episode = host_episode_or_404(request, slug)
    if hasattr(episode, "runsheet"):  # the reverse one-to-one: one query, no sheet loaded
        messages.info(request, "The run-sheet is already started.")
        return back_to_sheet(episode)
    try:
        services.runsheet_start(episode=episode)
    except ValidationError as error:
        refusal(request, error)
        return back_to_sheet(episode)
    count = episode.segments.count()
    if count:
        messages.success(
            request,
            f"Started the run-sheet with {count} segment{'s' if count != 1 else ''}, one per "
            "topic. Add the approved questions from the pool.",
        )
    else:
        messages.success(request, "Started the run-sheet. Add a segment to put questions in.")
    return back_to_sheet(episode)


# --- Reordering by drag and drop (JSON) ------------------------------------------------------


class BadOrder(ValueError):
    """The posted body is not an order we can read (answer 400)."""


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _posted_order(request) -> tuple[int, list[tuple[int, list[int]]]]:
    """`{"version": N, "segments": [{"id": S, "entries": [E, ...]}, ...]}` as the service's
    (version, [(segment id, [entry ids])])."""
    if request.content_type != "application/json":
        raise BadOrder("Send the new order as JSON (Content-Type: application/json).")
    try:
        body = json.loads(request.body)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadOrder("The new order is not valid JSON.") from error
    if not isinstance(body, dict):
        raise BadOrder("Send an object with the sheet's version and its segments.")
    version, segments = body.get("version"), body.get("segments")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise BadOrder("Send the version of the run-sheet you reordered (a number).")
    if not isinstance(segments, list):
        raise BadOrder("Send the segments as a list.")
    order = []
    for item in segments:
        if not isinstance(item, dict) or not _is_id(item.get("id")):
            raise BadOrder("Every segment needs its id.")
        entries = item.get("entries")
        if not isinstance(entries, list) or not all(_is_id(entry) for entry in entries):
            raise BadOrder("Every segment needs the list of its questions' ids.")
        order.append((item["id"], entries))
    return version, order


def _clock_json(sheet: selectors.SheetView) -> dict:
    """The sheet's clock as the page's script shows it (seconds; it formats them itself)."""
    return {
        "version": sheet.sheet.version if sheet.sheet else None,
        "planned": sheet.planned,
        "target": sheet.target,
        "over": sheet.over,
        "segments": [
            {
                "id": row.segment.pk,
                "starts_at": row.starts_at,
                "total": row.total,
                "latest_start": row.latest_start,
                "entries": [
                    {"id": entry.entry.pk, "starts_at": entry.starts_at, "seconds": entry.seconds}
                    for entry in row.entries
                ],
            }
            for row in sheet.segments
        ],
    }


@login_required
@require_POST
def runsheet_reorder(request, slug: str):
    """Put the whole sheet in the posted order: 200 with the new version and clock; 400 for a
    body we cannot read or ids that are not exactly this sheet's; 409 when the page was stale.
    Nothing changes unless the answer is 200."""
    episode = host_episode_or_404(request, slug)
    try:
        version, order = _posted_order(request)
    except BadOrder as error:
        return JsonResponse({"error": str(error)}, status=400)
    try:
        services.runsheet_reorder(episode=episode, version=version, order=order)
    except services.StaleRunSheet as error:
        return JsonResponse({"error": " ".join(error.messages), "stale": True}, status=409)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse(
        {**_clock_json(selectors.runsheet_view(episode=episode)), "message": "Saved."}
    )
