"""The engine-neutral interface: what a transcription returns and what an engine offers."""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Protocol

import numpy as np

SAMPLE_RATE = 16000

# Whisper's own per-window quality checks (the defaults of both libraries).
_MIN_AVG_LOGPROB = -1.0
_MAX_COMPRESSION_RATIO = 2.4
# Beam width for the deterministic second pass over a window whose greedy pass failed the checks.
RETRY_BEAM_SIZE = 5
# With an initial prompt, tiny.en sometimes closes a window after its first sentence with one
# segment stretched to the window's end, dropping the rest of the speech (measured: 22 of 66
# words on 30 s of two speakers, on both engines, greedy and beam alike). Such a segment is
# long and sparse (the cut windows ran at 0.7-1.2 words a second; people speak 2-3).
_SPARSE_SEGMENT_SECONDS = 8.0
_SPARSE_WORDS_PER_SECOND = 1.5


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class TranscriptionResult:
    text: str
    language: str
    segments: list[Segment]
    engine: str
    model: str
    seconds: float  # processing time, not audio length

    def segment_dicts(self) -> list[dict[str, float | str]]:
        """JSON-ready segments (for a JSONField)."""
        return [{"start": s.start, "end": s.end, "text": s.text} for s in self.segments]


class Engine(Protocol):
    name: str
    model: str

    def transcribe(
        self, audio: np.ndarray, *, prompt: str | None = None, language: str | None = None
    ) -> TranscriptionResult: ...


@dataclass(frozen=True)
class WindowScore:
    avg_logprob: float
    compression_ratio: float

    @property
    def failed(self) -> bool:
        return (
            self.avg_logprob < _MIN_AVG_LOGPROB or self.compression_ratio > _MAX_COMPRESSION_RATIO
        )


@dataclass(frozen=True)
class Piece:
    """One decoded segment with the 30 s window it came from and that window's score."""

    start: float
    end: float
    raw_text: str  # as the tokenizer produced it, with its leading space
    window_start: float
    score: WindowScore


# Both libraries count `seek` in mel frames: 100 per second.
MEL_FRAMES_PER_SECOND = 100


class BaseEngine(ABC):
    """Shared transcribe flow: a greedy pass, then beam search only for windows that failed.

    Both libraries' built-in fallback samples at higher temperatures, which makes the same
    upload give different transcripts (faster-whisper offers no way to seed it). tiny.en does
    need a fallback: with some prompts its greedy pass collapses to one word, and on long clips
    a window can loop. Beam search is deterministic and fixed both in our tests; it reruns only
    the failing 30 s windows, so a loop in a long message does not double the cost.
    """

    name: str
    model: str
    english_only: bool

    def __init__(self) -> None:
        # One call at a time per loaded model: openai-whisper installs kv-cache hooks on shared
        # modules per call, and on a 2-core worker parallel calls only contend anyway.
        self._lock = threading.Lock()

    def transcribe(
        self, audio: np.ndarray, *, prompt: str | None = None, language: str | None = None
    ) -> TranscriptionResult:
        samples = np.asarray(audio, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError(f"audio must be mono 1-D samples at {SAMPLE_RATE} Hz")
        samples = np.ascontiguousarray(samples)
        language = "en" if self.english_only else language
        prompt = prompt.strip() if prompt and prompt.strip() else None
        with self._lock:
            started = time.perf_counter()
            pieces, detected = self._decode(samples, prompt=prompt, language=language, beam_size=1)
            pieces = self._redo_failed_windows(samples, pieces, prompt=prompt, language=language)
            if prompt:
                pieces = self._redo_sparse_windows(samples, pieces, language=language)
            seconds = time.perf_counter() - started
        return TranscriptionResult(
            text="".join(p.raw_text for p in pieces).strip(),
            language=detected or language or "",
            segments=[Segment(start=p.start, end=p.end, text=p.raw_text.strip()) for p in pieces],
            engine=self.name,
            model=self.model,
            seconds=seconds,
        )

    def _redo_failed_windows(
        self, samples: np.ndarray, pieces: list[Piece], *, prompt: str | None, language: str | None
    ) -> list[Piece]:
        failed = sorted({p.window_start for p in pieces if p.score.failed})
        if not failed:
            return pieces
        kept = [p for p in pieces if p.window_start not in failed]
        for window_start in failed:
            chunk = _window_samples(samples, pieces, window_start)
            redone, _ = self._decode(
                chunk, prompt=prompt, language=language, beam_size=RETRY_BEAM_SIZE
            )
            kept.extend(_shifted(p, window_start) for p in redone)
        return sorted(kept, key=lambda p: (p.start, p.end))

    def _redo_sparse_windows(
        self, samples: np.ndarray, pieces: list[Piece], *, language: str | None
    ) -> list[Piece]:
        """Decode windows that the prompt cut short again without it; keep the fuller text.

        Losing a listener's words is worse than misspelling a name, so the prompt's help with
        names is given up for just those windows.
        """
        sparse = sorted({p.window_start for p in pieces if _is_sparse(p)})
        if not sparse:
            return pieces
        result = list(pieces)
        for window_start in sparse:
            chunk = _window_samples(samples, pieces, window_start)
            redone, _ = self._decode(chunk, prompt=None, language=language, beam_size=1)
            before = [p for p in result if p.window_start == window_start]
            if _words(redone) > _words(before):
                result = [p for p in result if p.window_start != window_start]
                result.extend(_shifted(p, window_start) for p in redone)
        return sorted(result, key=lambda p: (p.start, p.end))

    @abstractmethod
    def _decode(
        self, samples: np.ndarray, *, prompt: str | None, language: str | None, beam_size: int
    ) -> tuple[list[Piece], str]:
        """Decode `samples`; return the pieces and the (detected) language code."""


def make_piece(
    *, start: float, end: float, text: str, seek: int, avg_logprob: float, compression_ratio: float
) -> Piece:
    return Piece(
        start=round(float(start), 3),
        end=round(float(end), 3),
        raw_text=text,
        window_start=seek / MEL_FRAMES_PER_SECOND,
        score=WindowScore(avg_logprob=avg_logprob, compression_ratio=compression_ratio),
    )


def _window_samples(samples: np.ndarray, pieces: list[Piece], window_start: float) -> np.ndarray:
    """The audio of the decoding window that starts at `window_start` (up to the next one)."""
    later = [p.window_start for p in pieces if p.window_start > window_start]
    window_end = min(later) if later else len(samples) / SAMPLE_RATE
    return samples[int(window_start * SAMPLE_RATE) : int(window_end * SAMPLE_RATE)]


def _is_sparse(piece: Piece) -> bool:
    length = piece.end - piece.start
    return length >= _SPARSE_SEGMENT_SECONDS and (
        len(piece.raw_text.split()) / length < _SPARSE_WORDS_PER_SECOND
    )


def _words(pieces: list[Piece]) -> int:
    return sum(len(p.raw_text.split()) for p in pieces)


def _shifted(piece: Piece, offset: float) -> Piece:
    return Piece(
        start=round(piece.start + offset, 3),
        end=round(piece.end + offset, 3),
        raw_text=piece.raw_text,
        window_start=piece.window_start + offset,
        score=piece.score,
    )
