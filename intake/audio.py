"""Checking a listener's recording by its bytes, never by its name or declared type.

Every file is opened with PyAV and its audio stream decoded to the end: that proves the sound
is playable and gives its real length (container metadata lies, and recordings made by
MediaRecorder usually carry no duration at all). Decoding stops early at the length cap and
at a wall-clock deadline; that deadline is only looked at between packets, though, so the web
process never calls audio_probe itself: intake/upload_check.py runs it in a child process
that is killed at the budget (intake/audio_sandbox.py).
"""

import errno
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import av
import av.error
from django.core.exceptions import ValidationError

from episodes.formatting import megabytes_phrase, seconds_phrase

# FFmpeg demuxer name -> the label stored in Submission.audio_format, also used as the
# stored file's extension. Anything else is refused before its demuxer ever parses it.
ACCEPTED_CONTAINERS = {
    "matroska,webm": "webm",
    "ogg": "ogg",
    "mp3": "mp3",
    "mov,mp4,m4a,3gp,3g2,mj2": "m4a",
    "aac": "aac",
    "wav": "wav",
    "flac": "flac",
}
_FORMAT_WHITELIST = "matroska,webm,ogg,mp3,mov,mp4,aac,wav,flac"
# Containers whose stated duration comes from an index or header rather than a bitrate guess,
# so a file that decodes to much less than it states has been cut short.
_STATED_DURATION_IS_RELIABLE = {"matroska,webm", "mov,mp4,m4a,3gp,3g2,mj2", "flac"}
ACCEPTED_FORMATS_TEXT = "webm, ogg, mp3, m4a, wav or flac"
MIN_SECONDS = 1.0


class AudioRejected(ValidationError):
    """An upload that is not a usable recording; `code` says why, the message says it kindly."""


@dataclass(frozen=True)
class AudioInfo:
    container: str
    codec: str
    seconds: float
    sample_rate: int
    channels: int

    @property
    def extension(self) -> str:
        return self.container


MESSAGES = {
    "empty": "This file is empty. Please choose a recording to upload.",
    "unsupported": (
        f"This file is not one of the audio formats we accept ({ACCEPTED_FORMATS_TEXT})."
    ),
    "unreadable": (
        "We couldn't read this file as audio. It may be damaged, or not a recording at all. "
        f"Please upload a {ACCEPTED_FORMATS_TEXT} file."
    ),
    "no_audio": "This file has no sound in it (no audio track). Please upload a voice recording.",
    "several_streams": (
        "This file has more than one audio track. Please upload a recording with just one."
    ),
    "undecodable": (
        "The sound in this file is damaged and can't be played. Please record or export it again."
    ),
    "truncated": (
        "This recording is incomplete: it stops after {decoded} of its {stated}. "
        "The file was probably cut short; please upload it again."
    ),
    "too_short": "This recording is too short to hear. Please record at least one second.",
    "too_long": "This recording is {length} long; the limit for this episode is {limit}.",
    "too_long_unknown": "This recording is longer than {limit}, the limit for this episode.",
    "too_slow": ("This file took too long to check. Please upload a shorter or simpler recording."),
    "too_large": "This file is larger than the {limit} limit. Please upload a shorter recording.",
    "busy": (
        "We're checking a lot of recordings right now. Please send yours again in a moment; "
        "what you typed is still here."
    ),
    "uploads_paused": (
        "Too many recordings from your network were refused in a short time. Please try again "
        "in {minutes}, or type your question instead."
    ),
}


def _rejected(code: str, **params: str) -> AudioRejected:
    return AudioRejected(MESSAGES[code].format(**params), code=code)


def audio_rejection(*, code: str, **params: str) -> AudioRejected:
    """The rejection with this code (a key of MESSAGES), for checks made outside this module."""
    return _rejected(code, **params)


def audio_too_large_error(*, max_bytes: int) -> AudioRejected:
    return _rejected("too_large", limit=megabytes_phrase(max_bytes))


class _Unnamed:
    """Hide the file's name from FFmpeg, which would otherwise take its extension as a hint."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle

    def read(self, size: int = -1) -> bytes:
        return self._handle.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()


def _refuse_nested_open(url: str, flags: int, options: dict) -> None:
    # Playlist-like formats (HLS, concat) open further URLs; an upload must be self-contained.
    raise PermissionError(f"an uploaded file may not open {url!r}")


def audio_probe(
    *,
    source: BinaryIO,
    max_seconds: float,
    grace_seconds: float = 0,
    timeout_seconds: float,
    min_seconds: float = MIN_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> AudioInfo:
    """Decode `source` (a seekable binary file) and describe its audio, or raise AudioRejected.

    `max_seconds` is the limit shown to the listener; decoding is allowed `grace_seconds`
    beyond it before the file counts as too long.
    """
    deadline = clock() + timeout_seconds
    source.seek(0, 2)
    if source.tell() == 0:
        raise _rejected("empty")
    source.seek(0)
    try:
        container = av.open(
            _Unnamed(source),
            mode="r",
            options={"format_whitelist": _FORMAT_WHITELIST},
            io_open=_refuse_nested_open,
            timeout=timeout_seconds,
        )
    except (av.error.FFmpegError, OSError, ValueError) as error:
        if clock() > deadline:
            raise _rejected("too_slow") from error
        if getattr(error, "errno", None) == errno.EINVAL:
            # FFmpeg recognised the bytes as a format outside the whitelist (PNG, AVI, ...).
            raise _rejected("unsupported") from error
        raise _rejected("unreadable") from error
    try:
        with container:
            return _decode(
                container,
                limit=max_seconds,
                hard_limit=max_seconds + grace_seconds,
                min_seconds=min_seconds,
                deadline=deadline,
                clock=clock,
            )
    finally:
        source.seek(0)


def _decode(
    container: av.container.InputContainer,
    *,
    limit: float,
    hard_limit: float,
    min_seconds: float,
    deadline: float,
    clock: Callable[[], float],
) -> AudioInfo:
    demuxer = container.format.name
    label = ACCEPTED_CONTAINERS.get(demuxer)
    if label is None:
        raise _rejected("unsupported")
    # Exactly one audio stream: the one measured here is the one the worker transcribes and
    # the one the host hears. With two, a short first track could hide hours in a second.
    streams = container.streams.audio
    if not streams:
        raise _rejected("no_audio")
    if len(streams) > 1:
        raise _rejected("several_streams")
    stream = streams[0]
    stated = container.duration / av.time_base if container.duration else None

    decoded = 0.0
    try:
        for packet in container.demux(stream):
            if clock() > deadline:
                raise _rejected("too_slow")
            for frame in packet.decode():
                decoded += frame.samples / frame.sample_rate
            if decoded > hard_limit:
                if stated and stated > hard_limit:
                    raise _rejected(
                        "too_long", length=seconds_phrase(stated), limit=seconds_phrase(limit)
                    )
                raise _rejected("too_long_unknown", limit=seconds_phrase(limit))
    except AudioRejected:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as error:
        if clock() > deadline:
            raise _rejected("too_slow") from error
        raise _rejected("undecodable") from error

    if decoded == 0:
        raise _rejected("undecodable")
    if (
        demuxer in _STATED_DURATION_IS_RELIABLE
        and stated
        and stated - decoded > max(1.0, 0.05 * stated)
    ):
        raise _rejected(
            "truncated", decoded=f"{decoded:.1f} seconds", stated=seconds_phrase(stated)
        )
    if decoded < min_seconds:
        raise _rejected("too_short")
    codec = stream.codec_context
    return AudioInfo(
        container=label,
        codec=codec.name,
        seconds=round(decoded, 3),
        sample_rate=codec.sample_rate or 0,
        channels=codec.channels or 0,
    )
