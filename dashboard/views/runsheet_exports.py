"""Run-sheet downloads: Markdown, CSV and the audio bundle, and after the recording its
chapters and show notes (runsheet.exporters).

GET (or HEAD) /host/<slug>/runsheet/export.<fmt>, for a host of the episode only. An unknown
format is 404. A run-sheet not started yet has nothing to download: the host is sent to the
run-sheet page, where the Start button is, with a message saying so (a download link is only
shown once there is a sheet, so this is a typed or stale URL, and a page beats a bare 404).
Chapters and show notes asked for before the episode was ever recorded send the host there
too, saying so.

Markdown and CSV are small and sent whole; the ZIP streams its clips from storage while it
is sent (StreamingHttpResponse), with its length known in advance. Nothing is cached: the
sheet changes by the minute, and audio is private.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from dashboard.access import host_episode_or_404
from runsheet.exporters import EXPORTERS, RecordingExporter
from runsheet.selectors import runsheet_view


@login_required
@require_http_methods(["GET", "HEAD"])
def runsheet_export(request, slug: str, fmt: str):
    episode = host_episode_or_404(request, slug)
    exporter_class = EXPORTERS.get(fmt)
    if exporter_class is None:
        raise Http404("No such run-sheet format.")
    view = runsheet_view(episode=episode)
    if not view.started:
        messages.info(request, "Start the run-sheet first; then it can be downloaded.")
        return redirect("dashboard:runsheet", slug=episode.slug)
    base_url = request.build_absolute_uri("/").rstrip("/")
    exporter = exporter_class(view=view, base_url=base_url)
    if isinstance(exporter, RecordingExporter) and not exporter.recorded:
        messages.info(
            request,
            "Nothing has been recorded yet: chapters and show notes are made from the recording.",
        )
        return redirect("dashboard:runsheet", slug=episode.slug)
    filename, content_type, data = exporter.render()
    if isinstance(data, bytes):
        response = HttpResponse(data, content_type=content_type)
    else:
        size = _length(data)
        # HEAD: the headers only, without reading a single clip from storage.
        body = iter(()) if request.method == "HEAD" else data
        response = StreamingHttpResponse(body, content_type=content_type)
        if size is not None:
            response["Content-Length"] = str(size)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _length(data) -> int | None:
    """The size of a stream that knows it in advance (a sized ZipStream), else None."""
    try:
        return len(data)
    except TypeError:
        return None
