"""Offline speech-to-text for listener voice messages.

Importing this package is cheap (no torch): the heavy libraries load with the first engine.
"""

from .decode import decode_audio
from .engines import clear_engine_cache, get_engine, load_engine
from .errors import AudioDecodeError, ModelUnavailableError, TranscriptionError
from .prompt import MAX_PROMPT_CHARS, build_prompt, extract_names
from .results import Engine, Segment, TranscriptionResult
from .weights import BUNDLED_MODEL, ENGINE_NAMES, ResolvedModel, resolve_model

__all__ = [
    "BUNDLED_MODEL",
    "ENGINE_NAMES",
    "MAX_PROMPT_CHARS",
    "AudioDecodeError",
    "Engine",
    "ModelUnavailableError",
    "ResolvedModel",
    "Segment",
    "TranscriptionError",
    "TranscriptionResult",
    "build_prompt",
    "clear_engine_cache",
    "decode_audio",
    "extract_names",
    "get_engine",
    "load_engine",
    "resolve_model",
]
