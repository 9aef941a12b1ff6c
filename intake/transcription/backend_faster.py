"""faster-whisper (CTranslate2) behind the Engine interface."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from faster_whisper import WhisperModel

from .results import BaseEngine, Piece, make_piece


class FasterWhisperEngine(BaseEngine):
    name = "faster-whisper"

    def __init__(self, *, model: str, model_dir: Path, threads: int) -> None:
        super().__init__()
        self.model = model
        self.model_dir = model_dir
        self.threads = threads
        self._whisper = WhisperModel(
            str(model_dir),
            device="cpu",
            # int8 is CTranslate2's fast CPU path; float16 weights are quantized on load.
            compute_type="int8",
            cpu_threads=threads,
            num_workers=1,
            local_files_only=True,
        )
        self.english_only = not self._whisper.model.is_multilingual

    def _decode(
        self, samples: np.ndarray, *, prompt: str | None, language: str | None, beam_size: int
    ) -> tuple[list[Piece], str]:
        segments, info = self._whisper.transcribe(
            samples,
            language=language,
            task="transcribe",
            beam_size=beam_size,
            # A single temperature: the fallback is BaseEngine's beam pass, not sampling.
            temperature=0.0,
            condition_on_previous_text=False,
            # faster-whisper has no carry_initial_prompt; `hotwords` puts the text before every
            # window, and for the first window builds exactly what `initial_prompt` would.
            hotwords=prompt,
            without_timestamps=False,
            vad_filter=False,
        )
        # `segments` is lazy: decoding happens while it is consumed.
        pieces = [
            make_piece(
                start=s.start,
                end=s.end,
                text=s.text,
                seek=s.seek,
                avg_logprob=s.avg_logprob,
                compression_ratio=s.compression_ratio,
            )
            for s in segments
        ]
        return pieces, info.language or ""
