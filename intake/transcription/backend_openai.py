"""openai-whisper (PyTorch) behind the Engine interface."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import whisper
from whisper.model import ModelDimensions, Whisper

from .results import BaseEngine, Piece, make_piece


class OpenAIWhisperEngine(BaseEngine):
    name = "openai-whisper"

    def __init__(self, *, model: str, checkpoint: Path, threads: int) -> None:
        super().__init__()
        self.model = model
        self.checkpoint = checkpoint
        self.threads = threads
        torch.set_num_threads(threads)
        self._whisper = _load(checkpoint, model)
        self.english_only = not self._whisper.is_multilingual

    def _decode(
        self, samples: np.ndarray, *, prompt: str | None, language: str | None, beam_size: int
    ) -> tuple[list[Piece], str]:
        # The thread count is process-wide; re-applied in case something changed it since load.
        torch.set_num_threads(self.threads)
        with torch.inference_mode():
            out = whisper.transcribe(
                self._whisper,
                samples,
                verbose=None,
                fp16=False,
                # A single temperature: the fallback is BaseEngine's beam pass, not sampling.
                temperature=0.0,
                beam_size=beam_size if beam_size > 1 else None,
                # Off so one bad 30 s window cannot spread into the next; the prompt is carried
                # into every window instead, so names still help after the first 30 s.
                condition_on_previous_text=False,
                initial_prompt=prompt,
                carry_initial_prompt=prompt is not None,
                language=language,
                task="transcribe",
            )
        pieces = [
            make_piece(
                start=s["start"],
                end=s["end"],
                text=s["text"],
                seek=s["seek"],
                avg_logprob=s["avg_logprob"],
                compression_ratio=s["compression_ratio"],
            )
            for s in out["segments"]
        ]
        return pieces, out.get("language") or ""


def _load(checkpoint_path: Path, model_name: str) -> Whisper:
    # Same steps as whisper.load_model(path), plus restoring the alignment heads (word timing)
    # that load_model only knows for official model names.
    checkpoint = torch.load(checkpoint_path, map_location="cpu", weights_only=True)
    model = Whisper(ModelDimensions(**checkpoint["dims"]))
    model.load_state_dict(checkpoint["model_state_dict"])
    if heads := checkpoint.get("alignment_heads"):
        mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            mask[layer, head] = True
        model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    elif model_name in whisper._ALIGNMENT_HEADS:
        model.set_alignment_heads(whisper._ALIGNMENT_HEADS[model_name])
    return model.to("cpu").eval()
