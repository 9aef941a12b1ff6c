"""The show's artwork, the one file from media storage that anyone may fetch.

Recordings stay private (there is no MEDIA_URL route); this view serves exactly the file named
by episodes.Show.artwork, so link previews and the public pages can show the cover.
"""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from episodes.services import show_get

CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}


@require_safe
def show_artwork(request):
    show = show_get()
    extension = show.artwork.name.rsplit(".", 1)[-1].lower() if show.artwork else ""
    if extension not in CONTENT_TYPES:
        raise Http404("This show has no artwork.")
    try:
        handle = show.artwork.open("rb")
    except FileNotFoundError as missing:
        raise Http404("This show's artwork is missing.") from missing
    response = FileResponse(handle, content_type=CONTENT_TYPES[extension])
    # Pages ask for it with ?v=<last change>, so a new picture is a new address.
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
