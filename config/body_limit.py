"""A cap on every request body, checked before Django reads any of it (REQUEST_MAX_BODY_MB).

Without it any URL took a body of any size: Django spooled 186 MB posted to the login page
into /tmp before answering. Only the ask page's POST takes more, for its audio file; there
intake/upload_limits.py enforces the exact file cap while the body streams in, and keeps what
the listener typed. This outer cap only stops what is far beyond it (twice the file cap), so a
file a little too big still gets that friendly message rather than this page.

A body without Content-Length (Transfer-Encoding: chunked) is read up to the cap only when the
server marks the input as terminated (gunicorn does; nginx in front sends a length anyway);
otherwise Django would silently see an empty body, so it is refused with 411.
"""

import tempfile

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.shortcuts import render
from django.urls import Resolver404, resolve

ASK_VIEW_NAME = "intake:ask"
_CHUNK = 64 * 1024


def body_cap_for(request) -> int:
    """The largest body this request may carry, in bytes."""
    if request.method == "POST":
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        if match is not None and match.view_name == ASK_VIEW_NAME:
            # Twice the file cap: a file up to that gets the form's own message.
            return 2 * settings.SUBMISSION_MAX_UPLOAD_BYTES + settings.REQUEST_MAX_BODY_BYTES
    return settings.REQUEST_MAX_BODY_BYTES


def _too_large(request, cap: int):
    # No "Connection: close": WSGI forbids hop-by-hop headers (runserver would fail on it, and
    # gunicorn drops it); behind nginx the body never got this far anyway.
    return render(request, "413.html", {"limit_mb": f"{cap / 1_000_000:g}"}, status=413)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cap = body_cap_for(request)
        length = request.META.get("CONTENT_LENGTH") or ""
        if length:
            try:
                size = int(length)
            except ValueError:
                size = 0  # Django itself treats a malformed length as an empty body
            if size > cap:
                return _too_large(request, cap)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            refused = self._spool_streamed_body(request, cap)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _spool_streamed_body(self, request, cap: int):
        if not request.META.get("wsgi.input_terminated"):
            return render(request, "411.html", status=411)
        stream = request.META["wsgi.input"]
        # Lives as long as the request reads from it, so no context manager.
        spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        size = 0
        while chunk := stream.read(min(_CHUNK, cap + 1 - size)):
            size += len(chunk)
            if size > cap:
                spool.close()
                return _too_large(request, cap)
            spool.write(chunk)
        spool.seek(0)
        # From here on the request looks like one sent with its length.
        request.META["CONTENT_LENGTH"] = str(size)
        request._stream = LimitedStream(spool, size)  # the spool goes with the request
        return None
