"""Choose and load a Whisper engine; keep loaded engines warm for the life of the process."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from .prompt import build_prompt, extract_names
from .results import Engine, Segment, TranscriptionResult
from .weights import ENGINE_NAMES, resolve_model

__all__ = [
    "ENGINE_NAMES",
    "Engine",
    "Segment",
    "TranscriptionResult",
    "build_prompt",
    "clear_engine_cache",
    "extract_names",
    "get_engine",
    "load_engine",
]


def load_engine(*, engine: str, model: str, cache_dir: Path, threads: int | None = None) -> Engine:
    """Load `model` for `engine` now (cold); long-running workers should use `get_engine`."""
    if engine not in ENGINE_NAMES:
        raise ValueError(f"unknown engine {engine!r}; valid engines: {', '.join(ENGINE_NAMES)}")
    threads = _threads(threads)
    resolved = resolve_model(engine=engine, model=model, cache_dir=Path(cache_dir))
    # Imported here so a process only pays for the library it uses (torch is ~1 s to import).
    if engine == "openai-whisper":
        from .backend_openai import OpenAIWhisperEngine

        return OpenAIWhisperEngine(model=model, checkpoint=resolved.path, threads=threads)
    from .backend_faster import FasterWhisperEngine

    return FasterWhisperEngine(model=model, model_dir=resolved.path, threads=threads)


_warm: dict[tuple[str, str, str, int], Engine] = {}
_warm_lock = threading.Lock()


def get_engine(*, engine: str, model: str, cache_dir: Path, threads: int | None = None) -> Engine:
    """Return this process's loaded engine for these arguments, loading it on first use."""
    key = (engine, model, str(Path(cache_dir).resolve()), _threads(threads))
    with _warm_lock:
        # Loading under the lock: a second caller waits for the first load instead of doing
        # its own (two copies of a model would double a worker's memory).
        if key not in _warm:
            _warm[key] = load_engine(
                engine=engine, model=model, cache_dir=cache_dir, threads=key[3]
            )
        return _warm[key]


def clear_engine_cache() -> None:
    """Forget warm engines (tests; freeing memory after a settings change)."""
    with _warm_lock:
        _warm.clear()


def _threads(threads: int | None) -> int:
    if threads is not None and threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    return threads or os.cpu_count() or 1
