"""Streaming a voice message to a host of its episode, with single-range seeking.

Audio is private: there is no public media URL, and this view checks the host first. Works
with any storage (a private folder or a bucket): the file is read through the storage API.
"""

import mimetypes
import re

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_http_methods

from dashboard.access import host_episode_or_404, host_submission_or_404

_AUDIO_TYPES = {
    "webm": "audio/webm",
    "matroska": "audio/webm",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "mp4": "audio/mp4",
    "m4a": "audio/mp4",
    "mov": "audio/mp4",
    "aac": "audio/aac",
}
_BYTE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
_CHUNK = 64 * 1024


class RangeNotSatisfiable(Exception):
    pass


def audio_content_type(*, audio_format: str, filename: str) -> str:
    """The MIME type for the container PyAV reported (e.g. "matroska,webm"), else the name's."""
    for name in audio_format.lower().replace(" ", "").split(","):
        if name in _AUDIO_TYPES:
            return _AUDIO_TYPES[name]
    guessed, _ = mimetypes.guess_type(filename)
    return guessed if guessed and guessed.startswith("audio/") else "application/octet-stream"


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte positions a single-range `Range` header asks for.

    None means "send the whole file": no header, another unit, several ranges or a malformed
    one, all of which RFC 9110 lets a server ignore. Raises RangeNotSatisfiable (416) when
    the range lies wholly beyond the end of the file.
    """
    match = _BYTE_RANGE.match(header or "")
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:  # "-N": the final N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(size - suffix, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable
    return start, min(int(last), size - 1) if last else size - 1


def _read_span(handle, start: int, length: int):
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


@login_required
@require_http_methods(["GET", "HEAD"])
def submission_audio(request, slug: str, pk: int):
    """Stream a voice message to a host of its episode, with single-range seeking."""
    episode = host_episode_or_404(request, slug)
    submission = host_submission_or_404(episode, pk)
    if not submission.audio:
        raise Http404("This submission has no audio.")
    try:
        size = submission.audio.size
        handle = submission.audio.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404("The audio file is missing from storage.") from error
    content_type = audio_content_type(
        audio_format=submission.audio_format, filename=submission.audio.name
    )
    try:
        span = byte_range(request.headers.get("Range"), size)
    except RangeNotSatisfiable:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        if span is None:
            response = FileResponse(handle, content_type=content_type)
        else:
            start, end = span
            response = StreamingHttpResponse(
                _read_span(handle, start, end - start + 1), status=206, content_type=content_type
            )
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
            response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private"
    return response
