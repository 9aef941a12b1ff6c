"""Temporary files of uploads: in one folder, named after the process that owns them.

Django removes an upload's temporary file when the request ends, but not when the web worker
is killed first (gunicorn's timeout, the OOM killer, a deploy): such files used to pile up in
/tmp under anonymous names. Here every one lives in FILE_UPLOAD_TEMP_DIR (var/uploads) and its
name carries its owner's process id and machine, so upload_tempfiles_sweep(), run before each
upload check, removes the files of processes of this machine that are gone, and anything not
written to for STALE_SECONDS (another machine's, or a pid reused since).
"""

import contextlib
import hashlib
import logging
import os
import re
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler

logger = logging.getLogger(__name__)

# An upload still being received is written to every few kilobytes; an hour of silence
# means nobody owns it any more.
STALE_SECONDS = 3600
_NAME = re.compile(r"mailbag-(?P<pid>\d+)-(?P<machine>[0-9a-f]{8})-")


def _machine() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def upload_tempdir() -> Path:
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def upload_tempfile_new() -> tempfile._TemporaryFileWrapper:
    """A temporary file that removes itself when closed, named after this process.

    No extension from the listener's file name: nothing downstream may go by it.
    """
    return tempfile.NamedTemporaryFile(
        prefix=f"mailbag-{os.getpid()}-{_machine()}-", suffix=".upload", dir=upload_tempdir()
    )


def _owner_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False


def upload_tempfiles_sweep(*, now: float | None = None) -> int:
    """Remove temporary upload files whose owner is gone; returns how many."""
    now = time.time() if now is None else now
    machine = _machine()
    removed = 0
    for path in upload_tempdir().iterdir():
        match = _NAME.match(path.name)
        try:
            stale = now - path.stat().st_mtime > STALE_SECONDS
        except FileNotFoundError:
            continue  # its request just ended
        orphan = (
            match is not None and match["machine"] == machine and _owner_gone(int(match["pid"]))
        )
        if stale or orphan:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    if removed:
        logger.warning("Removed %s temporary upload file(s) left by killed processes", removed)
    return removed


@contextlib.contextmanager
def upload_tempfile_path(upload: UploadedFile) -> Iterator[Path]:
    """A path to the upload's bytes: its own temporary file, or a copy of an in-memory one."""
    if isinstance(upload, TemporaryUploadedFile):
        yield Path(upload.temporary_file_path())
        return
    with upload_tempfile_new() as copy:
        upload.seek(0)
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        upload.seek(0)
        yield Path(copy.name)


class OwnedTemporaryUploadedFile(TemporaryUploadedFile):
    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        UploadedFile.__init__(
            self, upload_tempfile_new(), name, content_type, size, charset, content_type_extra
        )


class OwnedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """TemporaryFileUploadHandler, with files a sweeper can attribute to their process."""

    def new_file(self, *args, **kwargs):
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = OwnedTemporaryUploadedFile(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra
        )
