"""Errors the transcription layer raises; callers store `reason`/`str()` for a host to read."""

from __future__ import annotations


class TranscriptionError(Exception):
    """Base class so a job can catch everything this layer raises in one place."""


class AudioDecodeError(TranscriptionError):
    """The upload is not audio we can read (empty, not a media file, no audio stream...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ModelUnavailableError(TranscriptionError):
    """No weights for the requested model could be found or fetched."""
