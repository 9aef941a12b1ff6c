"""Decode any browser/phone audio upload to 16 kHz mono float32 with PyAV (no ffmpeg binary)."""

from __future__ import annotations

import io
import os
from typing import BinaryIO

import av
import numpy as np

from .errors import AudioDecodeError

__all__ = ["AudioDecodeError", "decode_audio"]


def decode_audio(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    sample_rate: int = 16000,
    max_seconds: float | None = None,
) -> np.ndarray:
    """Return the one audio stream of `source` as float32 mono samples in [-1, 1].

    `max_seconds` stops decoding early so an hour-long upload cannot eat memory before a
    length check rejects it.
    """
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    if _is_empty(source):
        raise AudioDecodeError("empty file")
    max_samples = None if max_seconds is None else max(0, int(max_seconds * sample_rate))

    try:
        container = av.open(source, mode="r")
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        raise AudioDecodeError(f"could not open audio: {_describe(exc)}") from exc
    except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise AudioDecodeError(f"could not decode audio: {_describe(exc)}") from exc

    with container:
        if not container.streams.audio:
            raise AudioDecodeError("no audio stream")
        if len(container.streams.audio) > 1:
            # Upload checks refuse these: which track was measured, and which one would the
            # host hear? Never guess; a file stored before that check fails here instead.
            raise AudioDecodeError("more than one audio stream")
        stream = container.streams.audio[0]
        # Bundled decoders may spin up their own threads; on a 2-core worker one is enough.
        stream.thread_type = "NONE"
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        chunks: list[np.ndarray] = []
        total = 0
        try:
            for frame in container.decode(stream):
                total += _collect(resampler.resample(frame), chunks)
                if max_samples is not None and total >= max_samples:
                    break
            else:
                # Flushing drains the samples the resampler still buffers at the tail.
                total += _collect(resampler.resample(None), chunks)
        except av.FFmpegError as exc:
            if not chunks:
                raise AudioDecodeError(f"could not decode audio: {_describe(exc)}") from exc
            # A truncated upload (browser cut the recording short) still has usable speech.

    if not chunks:
        raise AudioDecodeError("no audio samples decoded")
    audio = np.concatenate(chunks)
    if max_samples is not None:
        audio = audio[:max_samples]
    # Resampling can overshoot full scale by a hair; the models expect [-1, 1].
    return np.clip(audio, -1.0, 1.0, out=audio)


def _collect(frames: list[av.AudioFrame], chunks: list[np.ndarray]) -> int:
    added = 0
    for frame in frames:
        # Packed "flt" mono arrays come back as shape (1, n).
        samples = frame.to_ndarray().reshape(-1).astype(np.float32, copy=False)
        if samples.size:
            chunks.append(samples)
            added += samples.size
    return added


def _is_empty(source: str | BinaryIO) -> bool:
    if isinstance(source, str):
        try:
            return os.path.getsize(source) == 0
        except OSError:
            return False  # let av.open report the real problem
    stream = source
    try:
        position = stream.tell()
        stream.seek(0, os.SEEK_END)
        size = stream.tell() - position
        stream.seek(position)
    except (OSError, AttributeError, ValueError):
        return False
    return size == 0


def _describe(exc: BaseException) -> str:
    # FFmpeg errors carry the file name in str(); the strerror alone reads better to a host.
    message = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return message.rstrip(".")
