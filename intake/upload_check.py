"""Checking an uploaded recording on the ask page without letting it cost more than its budget.

The check runs in a child process bounded by AUDIO_DECODE_TIMEOUT_SECONDS
(intake/audio_sandbox.py), holding one of the machine's AUDIO_CHECK_CONCURRENCY slots
(intake/check_slots.py); files left by killed processes are swept first
(intake/upload_tempfiles.py).
"""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from intake.audio import AudioInfo, audio_rejection
from intake.audio_sandbox import audio_probe_isolated
from intake.check_slots import CheckSlotsBusy, check_slot_hold
from intake.upload_tempfiles import upload_tempfile_path, upload_tempfiles_sweep

# A slot outlives a killed holder by its budget plus this much at most.
SLOT_MARGIN_SECONDS = 5.0


def upload_check(*, upload: UploadedFile, max_seconds: float) -> AudioInfo:
    """Describe the uploaded recording, or raise AudioRejected (code "busy" when every check
    slot stayed taken; the listener may simply send it again)."""
    upload_tempfiles_sweep()
    timeout = settings.AUDIO_DECODE_TIMEOUT_SECONDS
    try:
        with (
            check_slot_hold(
                lifetime_seconds=timeout + SLOT_MARGIN_SECONDS,
                wait_seconds=settings.AUDIO_CHECK_WAIT_SECONDS,
            ),
            upload_tempfile_path(upload) as path,
        ):
            return audio_probe_isolated(
                path=path,
                max_seconds=max_seconds,
                grace_seconds=settings.SUBMISSION_AUDIO_GRACE_SECONDS,
                timeout_seconds=timeout,
            )
    except CheckSlotsBusy:
        raise audio_rejection(code="busy") from None
