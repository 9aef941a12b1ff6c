"""The upload size cap on the public ask page, enforced while the request body streams in.

CsrfViewMiddleware reads request.POST before any view runs, so a check in the view would come
after Django had already spooled the whole upload to disk. This handler is first in
FILE_UPLOAD_HANDLERS instead: on the ask page it keeps only the `audio` file and drops it as
soon as it passes SUBMISSION_MAX_UPLOAD_BYTES. The fields before the file (the CSRF token,
the text) still arrive, so the view can show the error and keep what the listener typed.
"""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import (
    FileUploadHandler,
    SkipFile,
    StopFutureHandlers,
    StopUpload,
)

AUDIO_FIELD = "audio"
ASK_VIEW_NAME = "intake:ask"
# Room for the form's other fields and multipart framing around the file.
FORM_OVERHEAD_BYTES = 256 * 1024
_FLAG = "_intake_upload_too_large"


def upload_too_large(request) -> bool:
    """Whether the audio upload on this request was dropped for being over the size cap."""
    return getattr(request, _FLAG, False)


class AudioUploadLimitHandler(FileUploadHandler):
    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.active = False
        self.request_length = 0
        self.audio_seen = False
        self.dropping = False
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        match = getattr(self.request, "resolver_match", None)
        self.active = match is not None and match.view_name == ASK_VIEW_NAME
        self.request_length = content_length or 0
        return None

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        self.dropping = False
        if not self.active:
            return
        if field_name != AUDIO_FIELD or self.audio_seen:
            # Nothing else is ever read from FILES, so nothing else is stored. Not SkipFile:
            # Django then closes the handlers' current files, which may be the audio already
            # received.
            self.dropping = True
            raise StopFutureHandlers()
        self.audio_seen = True
        self.received = 0
        if self.request_length > settings.SUBMISSION_MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES:
            # The body is certainly over the cap: stop reading now instead of draining it.
            self._flag()
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data, start):
        if self.dropping:
            return None
        if self.active:
            self.received += len(raw_data)
            if self.received > settings.SUBMISSION_MAX_UPLOAD_BYTES:
                # What is left of the body is small (see new_file): drain it, keep its fields.
                self._flag()
                raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        if self.dropping:
            # An empty stand-in, so the later handlers don't complete their previous file again.
            return SimpleUploadedFile(self.file_name or "dropped", b"")
        # The memory and temporary-file handlers after this one build the file object.
        return None

    def _flag(self) -> None:
        setattr(self.request, _FLAG, True)
